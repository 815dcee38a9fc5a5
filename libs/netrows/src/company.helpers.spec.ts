import { companyDomainMatches, companyFirmographics, hostOf, registrableDomain } from './company.helpers';

describe('companyDomainMatches', () => {
  it.each([
    ['https://www.acme.com/', 'acme.com'],
    ['http://acme.com', 'ACME.com'],
    ['acme.com', 'https://www.acme.com/contact'],
    ['WWW.ACME.COM', 'acme.com'],
    ['https://acme.com/en-us?ref=li', 'acme.com.'],
    ['https://shop.acme.com', 'acme.com'],
    ['acme.com:8443', 'jane.doe@acme.com'],
    ['https://www.acme.co.uk', 'eu.acme.co.uk'],
    ['https://münchen-labs.de', 'xn--mnchen-labs-thb.de'],
  ])('matches %s for %s', (website, domain) => {
    expect(companyDomainMatches({ website }, domain)).toBe(true);
  });

  it.each([
    ['https://acme.co', 'acme.com'],
    ['https://acme-inc.com', 'acme.com'],
    ['https://acmecorp.com', 'acme.com'],
    ['https://acme.com.evil.io', 'acme.com'],
    ['https://www.acme.com', 'acme.com.evil.io'],
    ['https://other.co.uk', 'acme.co.uk'],
    ['https://acme.github.io', 'evil.github.io'],
    ['', 'acme.com'],
    ['not a website', 'acme.com'],
    ['https://acme.com', ''],
  ])('rejects %s for %s', (website, domain) => {
    expect(companyDomainMatches({ website }, domain)).toBe(false);
  });

  it('rejects a company without a website', () => {
    expect(companyDomainMatches({}, 'acme.com')).toBe(false);
  });
});

describe('hostOf / registrableDomain', () => {
  it('normalises what people type', () => {
    expect(hostOf(' HTTPS://WWW.Acme.com:443/path ')).toBe('acme.com');
    expect(hostOf('localhost')).toBeNull();
    expect(registrableDomain('a.b.acme.com.au')).toBe('acme.com.au');
    expect(registrableDomain('team.acme.herokuapp.com')).toBe('acme.herokuapp.com');
  });
});

describe('companyFirmographics', () => {
  it('reads the documented names', () => {
    expect(
      companyFirmographics({ staffCount: 180, staffCountRange: '51-200', industries: ['Software Development', 'software development '], specialities: ['SaaS', 'saas', 'B2B'], founded: { year: 2009 } }),
    ).toEqual({ employeeCount: 180, employeeRange: '51-200', industries: ['Software Development'], specialities: ['SaaS', 'B2B'], foundedYear: 2009 });
  });

  it('falls back to employeeCount, industry and a numeric founded', () => {
    expect(companyFirmographics({ employeeCount: 42, industry: 'Retail', founded: 1999 })).toEqual({
      employeeCount: 42,
      industries: ['Retail'],
      specialities: [],
      foundedYear: 1999,
    });
  });

  it('reads companySize as a count or a band, and ranges as objects', () => {
    expect(companyFirmographics({ companySize: '1,001-5,000 employees' })).toMatchObject({ employeeRange: '1001-5000' });
    expect(companyFirmographics({ companySize: 12 })).toMatchObject({ employeeCount: 12 });
    expect(companyFirmographics({ staffCountRange: { start: 10001 } })).toMatchObject({ employeeRange: '10001+' });
    expect(companyFirmographics({ staffCountRange: { start: 11, end: 50 } })).toMatchObject({ employeeRange: '11-50' });
  });

  it('ignores zero and missing values', () => {
    expect(companyFirmographics({ staffCount: 0, founded: { year: 0 } })).toEqual({ industries: [], specialities: [] });
    expect(companyFirmographics({ founded: null })).toEqual({ industries: [], specialities: [] });
  });
});
