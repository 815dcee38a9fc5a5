import fc from 'fast-check';
import type { NetrowsCompany } from '@leadpipe/netrows';
import { messyString, PROPERTY_RUNS } from '../../../../test/support/messy-strings';
import { normaliseCompany, normaliseIndustry, normaliseSizeBand, SIZE_BANDS, sizeBandOf } from './company';

describe('sizeBandOf', () => {
  it.each([
    [null, null],
    [0, null],
    [-3, null],
    [Number.NaN, null],
    [1, '1-10'],
    [10, '1-10'],
    [11, '11-50'],
    [50, '11-50'],
    [51, '51-200'],
    [200, '51-200'],
    [201, '201-500'],
    [501, '501-1000'],
    [1000, '501-1000'],
    [1001, '1001-5000'],
    [5000, '1001-5000'],
    [10000, '5001-10000'],
    [10001, '10001+'],
    [250000, '10001+'],
  ])('%j → %j', (staff, band) => {
    expect(sizeBandOf(staff)).toBe(band);
  });
});

describe('normaliseSizeBand', () => {
  it.each([
    ['51-200', '51-200'],
    ['51-200 employees', '51-200'],
    [' 2 - 10 ', '1-10'],
    ['1', '1-10'],
    ['0-1 employees', '1-10'],
    ['10,001+', '10001+'],
    ['10001+ employees', '10001+'],
    ['1,001–5,000', '1001-5000'],
    ['5001 to 10000', '5001-10000'],
    ['50-100', '51-200'],
    ['5000+', '1001-5000'],
    ['Self-employed', '1-10'],
    ['Myself Only', '1-10'],
    ['lots', null],
    ['', null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(normaliseSizeBand(input)).toBe(expected);
  });

  it('keeps every standard band', () => {
    for (const band of SIZE_BANDS) expect(normaliseSizeBand(band)).toBe(band);
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(messyString, (s) => {
        const once = normaliseSizeBand(s);
        expect(once === null ? null : normaliseSizeBand(once)).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('normaliseIndustry', () => {
  it.each([
    ['Software Development', 'Software Development'],
    ['Computer Software', 'Software Development'],
    ['computer software', 'Software Development'],
    ['Information Technology & Services', 'IT Services and IT Consulting'],
    ['INFORMATION TECHNOLOGY AND SERVICES', 'IT Services and IT Consulting'],
    ['Internet', 'Technology, Information and Internet'],
    ['Technology, Information and Internet', 'Technology, Information and Internet'],
    ['Marketing & Advertising', 'Advertising Services'],
    ['Hospital & Health Care', 'Hospitals and Health Care'],
    ['Staffing & Recruiting', 'Staffing and Recruiting'],
    ['  financial   services ', 'Financial Services'],
    ['E-Learning', 'E-Learning Providers'],
    ['RENEWABLE ENERGY', 'Renewable Energy'],
    ['b2b saas', 'B2B SaaS'],
    ['Wine & Spirits', 'Wine and Spirits'],
    ['', null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(normaliseIndustry(input)).toBe(expected);
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(messyString, (s) => {
        const once = normaliseIndustry(s);
        expect(once === null ? null : normaliseIndustry(once)).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('normaliseCompany', () => {
  const company = (overrides: Partial<NetrowsCompany> = {}): NetrowsCompany => ({
    id: '1035',
    name: 'Acme GmbH',
    linkedinUrl: 'https://www.linkedin.com/company/acme/',
    website: 'https://www.Acme.com/',
    staffCount: 180,
    industries: ['Software Development'],
    headquarter: { country: 'DE', city: 'Munich' },
    ...overrides,
  });

  it.each([
    ['a LinkedIn company URL with a sub-page', { linkedinUrl: 'linkedin.com/company/Acme/about' }, { linkedinUrl: 'https://www.linkedin.com/company/acme/' }],
    ['a headquarters country by name', { headquarter: { country: 'Germany' } }, { country: 'DE' }],
    ['a headquarters country it cannot read', { headquarter: { country: 'Atlantis' } }, { country: 'Atlantis' }],
    ['an old industry name', { industries: ['  Computer Software '] }, { industry: 'Software Development' }],
    ['an empty first industry', { industries: ['', 'Retail'] }, { industry: 'Retail' }],
    ['a range with words', { staffCount: undefined, companySize: '51-200 employees' }, { staffCount: null, sizeBand: '51-200' }],
    ['a range object', { staffCount: undefined, staffCountRange: { start: 1001, end: 5000 } }, { sizeBand: '1001-5000' }],
    ['a private-suffix website', { website: 'acme.github.io' }, { domain: 'acme.github.io' }],
  ])('reads %s', (_case, overrides: Partial<NetrowsCompany>, expected) => {
    expect(normaliseCompany(company(overrides))).toMatchObject(expected);
  });

  it('never throws on any shape', () => {
    fc.assert(fc.property(fc.anything(), (raw) => void normaliseCompany(raw as NetrowsCompany)), PROPERTY_RUNS);
    const messy = fc.record(
      { name: messyString, website: messyString, linkedinUrl: messyString, companySize: messyString, industries: fc.array(messyString), headquarter: fc.record({ country: messyString }) },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(messy, (raw) => void normaliseCompany(raw)), PROPERTY_RUNS);
  });
});
