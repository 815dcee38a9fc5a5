import { FieldError, parseCreateLeadBatch, parseCreateLeadBody } from './create-lead.dto';

const PROFILE = 'https://www.linkedin.com/in/jane-doe/';

/** A complete, valid body; tests override or remove what they are about. */
const body = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  email: 'jane@acme.com',
  first_name: 'Jane',
  last_name: 'Doe',
  company_domain: 'acme.com',
  linkedin_url: PROFILE,
  ...overrides,
});

function errorsOf(input: unknown): FieldError[] {
  const result = parseCreateLeadBody(input);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

describe('parseCreateLeadBody', () => {
  describe('accepts', () => {
    it.each([
      ['every field', body(), body()],
      ['an e-mail alone', { email: 'jane@acme.com' }, { email: 'jane@acme.com' }],
      ['a LinkedIn URL alone', { linkedin_url: PROFILE }, { linkedin_url: PROFILE }],
      ['a LinkedIn URL without scheme', { linkedin_url: 'linkedin.com/in/jane-doe' }, { linkedin_url: 'linkedin.com/in/jane-doe' }],
      ['an e-mail with names but no domain', { email: 'jane@acme.com', first_name: 'Jane' }, { email: 'jane@acme.com', first_name: 'Jane' }],
      ['unicode names', { email: 'jose@acme.es', first_name: 'José', last_name: 'García' }, { email: 'jose@acme.es', first_name: 'José', last_name: 'García' }],
    ])('%s', (_case, input, expected) => {
      expect(parseCreateLeadBody(input)).toEqual({ ok: true, value: expected });
    });
  });

  it('trims every text field', () => {
    const result = parseCreateLeadBody({
      email: '  jane@acme.com ',
      first_name: '\tJane ',
      last_name: ' Doe\n',
      company_domain: ' acme.com ',
      linkedin_url: `  ${PROFILE}  `,
    });
    expect(result).toEqual({ ok: true, value: body() });
  });

  it.each([
    ['https://www.Acme.com/about', 'acme.com'],
    ['http://acme.com', 'acme.com'],
    ['WWW.ACME.COM', 'acme.com'],
    ['acme.com/', 'acme.com'],
    ['shop.acme.co.uk', 'shop.acme.co.uk'],
    ['my-company.io', 'my-company.io'],
  ])('normalises company_domain %j to %j', (input, domain) => {
    const result = parseCreateLeadBody(body({ company_domain: input }));
    expect(result.ok && result.value.company_domain).toBe(domain);
  });

  describe('refuses, naming the field and the reason', () => {
    it.each([
      ['a bad e-mail', body({ email: 'jane@' }), [{ field: 'email', reason: 'must be a valid e-mail address' }]],
      ['an e-mail without domain dot', body({ email: 'jane@localhost' }), [{ field: 'email', reason: 'must be a valid e-mail address' }]],
      ['an empty e-mail', body({ email: '' }), [{ field: 'email', reason: 'must be a valid e-mail address' }]],
      [
        'a company page as LinkedIn URL',
        body({ linkedin_url: 'https://www.linkedin.com/company/acme/' }),
        [{ field: 'linkedin_url', reason: 'must be a LinkedIn profile URL (https://www.linkedin.com/in/<name>/)' }],
      ],
      [
        'a look-alike LinkedIn host',
        body({ linkedin_url: 'https://linkedin.com.evil.io/in/jane' }),
        [{ field: 'linkedin_url', reason: 'must be a LinkedIn profile URL (https://www.linkedin.com/in/<name>/)' }],
      ],
      ['a domain without a dot', body({ company_domain: 'acme' }), [{ field: 'company_domain', reason: 'must be a domain name such as example.com' }]],
      ['a domain with a space', body({ company_domain: 'acme corp.com' }), [{ field: 'company_domain', reason: 'must be a domain name such as example.com' }]],
      ['a number as e-mail', body({ email: 42 }), [{ field: 'email', reason: 'must be a string' }]],
      ['null as first name', body({ first_name: null }), [{ field: 'first_name', reason: 'must be a string' }]],
      ['an array as LinkedIn URL', body({ linkedin_url: [PROFILE] }), [{ field: 'linkedin_url', reason: 'must be a string' }]],
      ['an empty first name', body({ first_name: '' }), [{ field: 'first_name', reason: 'must not be empty' }]],
      ['a blank last name', body({ last_name: '   ' }), [{ field: 'last_name', reason: 'must not be empty' }]],
      ['neither e-mail nor LinkedIn URL', { first_name: 'Jane', company_domain: 'acme.com' }, [{ field: 'email', reason: 'at least one of email or linkedin_url is required' }]],
      ['an empty object', {}, [{ field: 'email', reason: 'at least one of email or linkedin_url is required' }]],
      ['an unknown field', body({ phone: '+49 30 1234' }), [{ field: 'phone', reason: 'unknown field' }]],
      [
        'the camelCase spelling of known fields',
        { email: 'jane@acme.com', firstName: 'Jane', linkedinUrl: PROFILE },
        [
          { field: 'firstName', reason: 'unknown field' },
          { field: 'linkedinUrl', reason: 'unknown field' },
        ],
      ],
    ])('%s', (_case, input, expected) => {
      expect(errorsOf(input)).toEqual(expected);
    });

    // Regression (fuzz suite): PostgreSQL cannot store these, and they used to end in a 500.
    it.each([
      ['a NUL in a first name', body({ first_name: 'Ja\u0000ne' }), 'first_name'],
      ['a NUL in a last name', body({ last_name: '\u0000' }), 'last_name'],
      ['a lone surrogate in a first name', body({ first_name: 'Jane \uD800' }), 'first_name'],
      ['a lone surrogate in a company domain', body({ company_domain: 'acme\uDC00.com' }), 'company_domain'],
      ['a NUL in a LinkedIn URL', body({ linkedin_url: `${PROFILE}\u0000` }), 'linkedin_url'],
    ])('%s, as text it cannot store', (_case, input, field) => {
      expect(errorsOf(input)).toContainEqual({ field, reason: 'must not contain NUL characters or unpaired surrogates' });
    });

    it.each([
      ['null', null],
      ['an array', [body()]],
      ['a string', JSON.stringify(body())],
      ['a number', 42],
      ['undefined', undefined],
    ])('a body that is %s, as (body)', (_case, input) => {
      expect(errorsOf(input)).toEqual([{ field: '(body)', reason: 'must be a JSON object' }]);
    });

    it('reports several invalid fields together', () => {
      const errors = errorsOf({ email: 'nope', first_name: '', company_domain: 'acme', linkedin_url: 7, mobile: '123', fax: '456' });
      expect(errors).toHaveLength(6);
      expect(errors).toEqual(
        expect.arrayContaining([
          { field: 'email', reason: 'must be a valid e-mail address' },
          { field: 'first_name', reason: 'must not be empty' },
          { field: 'company_domain', reason: 'must be a domain name such as example.com' },
          { field: 'linkedin_url', reason: 'must be a string' },
          { field: 'mobile', reason: 'unknown field' },
          { field: 'fax', reason: 'unknown field' },
        ]),
      );
    });
  });
});

describe('parseCreateLeadBatch', () => {
  const errorsOf = (body: unknown, max = 3): FieldError[] => {
    const parsed = parseCreateLeadBatch(body, max);
    return parsed.ok ? [] : parsed.errors;
  };

  it('parses every lead as the single route does', () => {
    const parsed = parseCreateLeadBatch({ leads: [{ email: ' A@b.io ' }, { linkedin_url: 'linkedin.com/in/x', company_domain: 'WWW.X.IO' }] }, 3);
    expect(parsed).toEqual({ ok: true, value: [{ email: 'A@b.io' }, { linkedin_url: 'linkedin.com/in/x', company_domain: 'x.io' }] });
  });

  it('names each invalid lead by its index, every one of them', () => {
    expect(errorsOf({ leads: [{ email: 'x' }, { email: 'ok@b.io' }, 7] })).toEqual([
      { field: 'leads[0].email', reason: 'must be a valid e-mail address' },
      { field: 'leads[2]', reason: 'must be a JSON object' },
    ]);
  });

  it.each([
    ['an array body', [{ email: 'a@b.io' }], [{ field: '(body)', reason: 'must be a JSON object with a "leads" array' }]],
    ['no leads', {}, [{ field: 'leads', reason: 'must be an array of leads' }]],
    ['an empty batch', { leads: [] }, [{ field: 'leads', reason: 'must hold at least one lead' }]],
    ['too many', { leads: [{}, {}, {}, {}] }, [{ field: 'leads', reason: 'must hold at most 3 leads' }]],
    ['an unknown field', { leads: [{ email: 'a@b.io' }], dry_run: true }, [{ field: 'dry_run', reason: 'unknown field' }]],
  ])('refuses %s', (_case, body, errors) => {
    expect(errorsOf(body)).toEqual(errors);
  });
});
