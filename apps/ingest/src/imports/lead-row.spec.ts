import { mapLeadColumns } from '@leadpipe/contracts';
import { checkLeadRow, ROW_FIELD } from './lead-row';

const mapping = mapLeadColumns(['E-Mail', 'First Name', 'LAST_NAME', 'Website', 'LinkedIn URL', 'Notes']);

describe('checkLeadRow', () => {
  it('maps cells through the header, trims them and validates like POST /api/leads', () => {
    expect(checkLeadRow(mapping, [' ada@acme-corp.com ', 'Ada', 'Lovelace', 'https://www.Acme-Corp.com/about', '', 'met at expo'])).toEqual({
      kind: 'lead',
      body: { email: 'ada@acme-corp.com', first_name: 'Ada', last_name: 'Lovelace', company_domain: 'acme-corp.com' },
    });
  });

  it('accepts a LinkedIn-only row', () => {
    expect(checkLeadRow(mapping, ['', '', '', '', 'linkedin.com/in/ada'])).toEqual({ kind: 'lead', body: { linkedin_url: 'linkedin.com/in/ada' } });
  });

  it('reads missing trailing cells as empty', () => {
    expect(checkLeadRow(mapping, ['ada@acme-corp.com'])).toEqual({ kind: 'lead', body: { email: 'ada@acme-corp.com' } });
  });

  it('ignores empty cells past the header (trailing commas)', () => {
    expect(checkLeadRow(mapping, ['ada@acme-corp.com', '', '', '', '', '', '', ' '])).toEqual({ kind: 'lead', body: { email: 'ada@acme-corp.com' } });
  });

  it('refuses a row with values past the header: its cells are probably shifted', () => {
    expect(checkLeadRow(mapping, ['ada@acme-corp.com', 'Ada', 'Lovelace', ' Jr.', 'acme-corp.com', '', 'notes'])).toEqual({
      kind: 'invalid',
      errors: [{ field: ROW_FIELD, reason: 'has 7 cells but the header has 6 columns (an unquoted comma?)' }],
    });
  });

  it('calls a row without lead values blank, whatever its other cells hold', () => {
    expect(checkLeadRow(mapping, ['', ' ', '', '', '', 'only notes'])).toEqual({ kind: 'blank' });
    expect(checkLeadRow(mapping, [''])).toEqual({ kind: 'blank' });
  });

  it('names every invalid field', () => {
    expect(checkLeadRow(mapping, ['ada@', 'Ada', '', 'acme', ''])).toEqual({
      kind: 'invalid',
      errors: [
        { field: 'email', reason: 'must be a valid e-mail address' },
        { field: 'company_domain', reason: 'must be a domain name such as example.com' },
      ],
    });
  });

  it('refuses a row with names but neither e-mail nor LinkedIn URL', () => {
    expect(checkLeadRow(mapping, ['', 'Ada', 'Lovelace'])).toEqual({
      kind: 'invalid',
      errors: [{ field: 'email', reason: 'at least one of email or linkedin_url is required' }],
    });
  });
});
