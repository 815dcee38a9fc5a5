import { MAX_LEADS_PER_DELIVERY, parseWebhookLeadsBody } from './webhook-leads.body';

describe('parseWebhookLeadsBody', () => {
  it('takes one lead', () => {
    expect(parseWebhookLeadsBody({ email: ' jane@acme.com ', company_domain: 'www.acme.com' })).toEqual({
      ok: true,
      value: [{ email: 'jane@acme.com', company_domain: 'acme.com' }],
    });
  });

  it('takes an array of leads, in order', () => {
    expect(parseWebhookLeadsBody([{ email: 'a@acme.com' }, { linkedin_url: 'linkedin.com/in/b' }])).toEqual({
      ok: true,
      value: [{ email: 'a@acme.com' }, { linkedin_url: 'linkedin.com/in/b' }],
    });
  });

  it('reports every invalid field of every lead, with its index', () => {
    expect(parseWebhookLeadsBody([{ email: 'a@acme.com' }, { email: 'nope' }, 'x', { first_name: 'B', phone: '1' }])).toEqual({
      ok: false,
      errors: [
        { field: '[1].email', reason: 'must be a valid e-mail address' },
        { field: '[2]', reason: 'must be a JSON object' },
        { field: '[3].phone', reason: 'unknown field' },
        { field: '[3].email', reason: 'at least one of email or linkedin_url is required' },
      ],
    });
  });

  it('reports the fields of a single lead without an index', () => {
    expect(parseWebhookLeadsBody({ email: 'nope', last_name: '' })).toEqual({
      ok: false,
      errors: [
        { field: 'email', reason: 'must be a valid e-mail address' },
        { field: 'last_name', reason: 'must not be empty' },
      ],
    });
  });

  it.each([
    ['an empty array', [], 'must hold at least one lead'],
    ['too many leads', Array.from({ length: MAX_LEADS_PER_DELIVERY + 1 }, (_, i) => ({ email: `l${i}@acme.com` })), `must hold at most ${MAX_LEADS_PER_DELIVERY} leads`],
    ['a string', 'jane@acme.com', 'must be a lead object or an array of them'],
    ['null', null, 'must be a lead object or an array of them'],
  ])('refuses %s as (body)', (_case, body, reason) => {
    expect(parseWebhookLeadsBody(body)).toEqual({ ok: false, errors: [{ field: '(body)', reason }] });
  });
});
