import { hasIdentityColumn, mapHeaders, normaliseHeader, toLeadInput } from './lead-header.mapper';

describe('mapHeaders', () => {
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
    expect(mapHeaders([header]).columns).toEqual([field]);
  });

  it('ignores columns it does not know, including a bare company name', () => {
    const mapping = mapHeaders(['Email', 'Company', 'Phone', '']);
    expect(mapping.columns).toEqual(['email', null, null, null]);
    expect(mapping.ignored).toEqual(['Company', 'Phone']);
  });

  it('reports a field fed by several columns', () => {
    expect(mapHeaders(['email', 'E-mail', 'linkedin']).duplicated).toEqual(['email']);
  });

  it('requires an e-mail or a LinkedIn column', () => {
    expect(hasIdentityColumn(mapHeaders(['first name', 'last name']))).toBe(false);
    expect(hasIdentityColumn(mapHeaders(['LinkedIn URL']))).toBe(true);
  });

  it('normalises case, spaces, dashes, underscores and dots', () => {
    expect(normaliseHeader(' Company-Domain_. ')).toBe('companydomain');
  });
});

describe('toLeadInput', () => {
  it('trims values, drops empty cells and keeps the first non-empty duplicate', () => {
    const mapping = mapHeaders(['email', 'E-mail', 'First Name', 'notes', 'linkedin']);
    expect(toLeadInput(mapping, ['', ' ada@acme-corp.com ', '\u00a0Ada\t', 'vip', '   '])).toEqual({
      email: 'ada@acme-corp.com',
      first_name: 'Ada',
    });
  });

  it('tolerates rows shorter than the header', () => {
    expect(toLeadInput(mapHeaders(['email', 'first_name', 'last_name']), ['a@b.co'])).toEqual({ email: 'a@b.co' });
  });
});
