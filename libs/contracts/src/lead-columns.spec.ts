import { hasIdentityColumn, mapLeadColumns, normaliseColumnName, toLeadFieldValues } from './lead-columns';

describe('mapLeadColumns', () => {
  it.each([
    ['email', 'email'],
    ['Email', 'email'],
    ['E-mail', 'email'],
    [' E-Mail Address ', 'email'],
    ['work_email', 'email'],
    ['first name', 'first_name'],
    ['FirstName', 'first_name'],
    ['first_name', 'first_name'],
    ['Given Name', 'first_name'],
    ['Last-Name', 'last_name'],
    ['surname', 'last_name'],
    ['company_domain', 'company_domain'],
    ['Company Domain', 'company_domain'],
    ['website', 'company_domain'],
    ['Domain', 'company_domain'],
    ['linkedin', 'linkedin_url'],
    ['LinkedIn URL', 'linkedin_url'],
    ['linkedin_profile_url', 'linkedin_url'],
    ['LINKEDIN-URL', 'linkedin_url'],
  ])('maps %j to %s', (header, field) => {
    expect(mapLeadColumns([header]).columns).toEqual([field]);
  });

  it('ignores columns it does not know, including a bare company name', () => {
    const mapping = mapLeadColumns(['Email', 'Company', 'Phone', '']);
    expect(mapping.columns).toEqual(['email', null, null, null]);
    expect(mapping.ignored).toEqual(['Company', 'Phone']);
  });

  it('reports a field fed by several columns', () => {
    expect(mapLeadColumns(['email', 'E-mail', 'linkedin']).duplicated).toEqual(['email']);
  });

  it('requires an e-mail or a LinkedIn column', () => {
    expect(hasIdentityColumn(mapLeadColumns(['first name', 'last name']))).toBe(false);
    expect(hasIdentityColumn(mapLeadColumns(['LinkedIn URL']))).toBe(true);
  });

  it('normalises case, spaces, dashes, underscores and dots', () => {
    expect(normaliseColumnName(' Company-Domain_. ')).toBe('companydomain');
  });
});

describe('toLeadFieldValues', () => {
  it('trims values, drops empty cells and keeps the first non-empty duplicate', () => {
    const mapping = mapLeadColumns(['email', 'E-mail', 'First Name', 'notes', 'linkedin']);
    expect(toLeadFieldValues(mapping, ['', ' ada@acme-corp.com ', '\u00a0Ada\t', 'vip', '   '])).toEqual({
      email: 'ada@acme-corp.com',
      first_name: 'Ada',
    });
  });

  it('tolerates rows shorter than the header', () => {
    expect(toLeadFieldValues(mapLeadColumns(['email', 'first_name', 'last_name']), ['a@b.co'])).toEqual({ email: 'a@b.co' });
  });
});
