import type { NetrowsCompany, NetrowsPerson, NetrowsPosition } from '@leadpipe/netrows';
import { invalidReasons, normaliseCompany, normalisePerson } from './lead-normaliser';

const CURRENT = { year: 0, month: 0, day: 0 };

const position = (overrides: Partial<NetrowsPosition> = {}): NetrowsPosition => ({
  companyId: 1035,
  companyName: 'Acme GmbH',
  companyUsername: 'acme',
  title: 'vp of SALES',
  start: { year: 2021, month: 4, day: 0 },
  end: CURRENT,
  ...overrides,
});

/** A Netrows person with a current job at Acme; tests override what they are about. */
const person = (overrides: Partial<NetrowsPerson> = {}): NetrowsPerson => ({
  id: 48213,
  username: 'Jane-Doe',
  firstName: 'jane',
  lastName: 'DOE',
  headline: 'Sales leader  at Acme',
  geo: { country: 'Germany', city: 'Munich, Bavaria', countryCode: 'de' },
  position: [position()],
  skills: [{ name: 'Negotiation' }, { name: 'B2B Sales' }],
  ...overrides,
});

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

describe('normalisePerson', () => {
  it('cleans a typical profile', () => {
    expect(normalisePerson(person())).toEqual({
      fullName: 'Jane Doe',
      firstName: 'Jane',
      lastName: 'Doe',
      headline: 'Sales leader at Acme',
      title: 'VP of Sales',
      seniority: 'vp',
      jobFunction: 'sales',
      companyName: 'Acme GmbH',
      city: 'Munich',
      region: 'Bavaria',
      countryCode: 'DE',
      linkedinUrl: 'https://www.linkedin.com/in/jane-doe/',
      skills: ['Negotiation', 'B2B Sales'],
    });
  });

  it('is null for a null profile', () => {
    expect(normalisePerson(null)).toBeNull();
  });

  it('takes title and company from the current position, not a past one', () => {
    const past = position({ title: 'Chief Executive Officer', companyName: 'Old Co', start: { year: 2024, month: 1, day: 0 }, end: { year: 2024, month: 9, day: 0 } });
    const current = position({ title: 'software engineer', companyName: 'Acme GmbH', start: { year: 2023, month: 2, day: 0 }, end: CURRENT });
    const result = normalisePerson(person({ position: [past, current] }));
    expect(result).toMatchObject({ title: 'Software Engineer', seniority: 'individual', jobFunction: 'engineering', companyName: 'Acme GmbH' });
  });

  it('has no title, seniority or company without a current position', () => {
    const result = normalisePerson(person({ position: [position({ end: { year: 2020, month: 1, day: 0 } })] }));
    expect(result).toMatchObject({ title: null, seniority: null, jobFunction: null, companyName: null });
  });

  it.each([
    ['Munich, Bavaria', 'Munich'],
    ['São Paulo, São Paulo, Brazil', 'São Paulo'],
    ['Berlin', 'Berlin'],
    ['  Greater  London  ', 'London'], // was 'Greater London': metro areas are read as their city
    ['Greater Seattle Area', 'Seattle'],
    ['', null],
    ['   ', null],
    [', Bavaria', null], // regression: the empty part before the comma came back as ''
    ['MÜNCHEN, BAYERN', 'München'],
    [undefined, null],
  ])('reads city %j as %j', (city, expected) => {
    expect(normalisePerson(person({ geo: { city, countryCode: 'de' } }))?.city).toBe(expected);
  });

  it.each([
    ['de', 'DE'],
    ['GB', 'GB'],
    [' us ', 'US'],
    ['deu', 'DE'], // was null: an alpha-3 code is read as its alpha-2
    ['xx', null],
    ['', null],
    [undefined, null],
  ])('reads countryCode %j as %j', (countryCode, expected) => {
    expect(normalisePerson(person({ geo: { countryCode } }))?.countryCode).toBe(expected);
  });

  it('reads a profile whose geo is an empty object', () => {
    expect(normalisePerson(person({ geo: {} }))).toMatchObject({ city: null, countryCode: null });
  });

  it('removes duplicate and empty skills case-insensitively, keeping the first spelling', () => {
    const skills = [{ name: 'TypeScript' }, { name: 'typescript ' }, { name: '' }, { name: 'Node.js' }, {}, { name: 'NODE.JS' }, { name: '  Kafka  ' }];
    expect(normalisePerson(person({ skills }))?.skills).toEqual(['TypeScript', 'Node.js', 'Kafka']);
  });

  it('turns empty strings into null', () => {
    const result = normalisePerson(
      person({ username: '', firstName: '', lastName: '  ', headline: '', geo: { city: '', countryCode: '' }, position: [position({ title: '', companyName: '' })], skills: [] }),
    );
    expect(result).toEqual({
      fullName: null,
      firstName: null,
      lastName: null,
      headline: null,
      title: null,
      seniority: null,
      jobFunction: null,
      companyName: null,
      city: null,
      region: null,
      countryCode: null,
      linkedinUrl: null,
      skills: [],
    });
  });

  it('builds the full name from whichever part is present', () => {
    expect(normalisePerson(person({ firstName: 'JOSÉ', lastName: '' }))?.fullName).toBe('José');
    expect(normalisePerson(person({ firstName: undefined, lastName: "o'brien" }))?.fullName).toBe("O'Brien");
  });

  it('reads a profile with nothing but a username', () => {
    expect(normalisePerson({ username: 'Łukasz-Nowak' })).toEqual({
      fullName: null,
      firstName: null,
      lastName: null,
      headline: null,
      title: null,
      seniority: null,
      jobFunction: null,
      companyName: null,
      city: null,
      region: null,
      countryCode: null,
      linkedinUrl: 'https://www.linkedin.com/in/%C5%82ukasz-nowak/',
      skills: [],
    });
  });
});

describe('normaliseCompany', () => {
  it('cleans a typical company', () => {
    expect(normaliseCompany(company())).toEqual({
      name: 'Acme GmbH',
      domain: 'acme.com',
      industry: 'Software Development',
      staffCount: 180,
      sizeBand: '51-200',
      linkedinUrl: 'https://www.linkedin.com/company/acme/',
      country: 'DE',
    });
  });

  it('is null for a null company', () => {
    expect(normaliseCompany(null)).toBeNull();
  });

  it.each([
    ['https://www.Acme.com/', 'acme.com'],
    ['acme.com', 'acme.com'],
    ['HTTP://WWW.ACME.COM/en-us/about?ref=li', 'acme.com'],
    ['https://shop.acme.co.uk', 'acme.co.uk'],
    ['', null],
    [undefined, null],
  ])('reads website %j as domain %j', (website, domain) => {
    expect(normaliseCompany(company({ website }))?.domain).toBe(domain);
  });

  it.each([
    ['staffCount', { staffCount: 42 }, 42, '11-50'],
    ['employeeCount when staffCount is missing', { staffCount: undefined, employeeCount: 1200 }, 1200, '1001-5000'],
    ['staffCount before employeeCount', { staffCount: 8, employeeCount: 1200 }, 8, '1-10'],
    ['a numeric companySize last', { staffCount: undefined, companySize: 600 }, 600, '501-1000'],
    ['the range when there is no head count', { staffCount: undefined, staffCountRange: '51-200' }, null, '51-200'],
    ['nothing at all', { staffCount: undefined }, null, null],
  ])('sizes the company from %s', (_case, overrides: Partial<NetrowsCompany>, staffCount, sizeBand) => {
    expect(normaliseCompany(company(overrides))).toMatchObject({ staffCount, sizeBand });
  });

  it.each([
    ['the first of industries', { industries: ['Retail', 'E-Commerce'] }, 'Retail'],
    ['industry when industries is empty', { industries: [], industry: 'Retail' }, 'Retail'],
    ['industry when industries is missing', { industries: undefined, industry: ' Retail ' }, 'Retail'],
    ['nothing', { industries: undefined }, null],
  ])('takes the industry from %s', (_case, overrides: Partial<NetrowsCompany>, industry) => {
    expect(normaliseCompany(company(overrides))?.industry).toBe(industry);
  });

  it('turns empty strings into null', () => {
    expect(normaliseCompany(company({ name: ' ', linkedinUrl: '', headquarter: { country: '' } }))).toMatchObject({
      name: null,
      linkedinUrl: null,
      country: null,
    });
  });
});

describe('invalidReasons', () => {
  const NO_IDENTITY = 'no usable identity: a valid email or LinkedIn profile URL is required';
  const BAD_EMAIL = 'email: not a valid e-mail address';
  const BAD_URL = 'linkedinUrl: not a LinkedIn profile URL';

  it.each([
    ['a valid e-mail', { email: 'jane@acme.com' }, []],
    ['a valid LinkedIn URL', { linkedinUrl: 'https://www.linkedin.com/in/jane-doe/' }, []],
    ['both valid', { email: 'jane@acme.com', linkedinUrl: 'linkedin.com/in/jane-doe' }, []],
    ['a bad e-mail alone', { email: 'jane-at-acme' }, [BAD_EMAIL, NO_IDENTITY]],
    ['a bad e-mail with a good URL', { email: 'jane@', linkedinUrl: 'https://www.linkedin.com/in/jane-doe/' }, [BAD_EMAIL]],
    ['a company URL alone', { linkedinUrl: 'https://www.linkedin.com/company/acme/' }, [BAD_URL, NO_IDENTITY]],
    ['a company URL with a good e-mail', { email: 'jane@acme.com', linkedinUrl: 'https://www.linkedin.com/company/acme/' }, [BAD_URL]],
    ['both bad', { email: 'nope', linkedinUrl: 'https://linkedin.com.evil.io/in/jane' }, [BAD_EMAIL, BAD_URL, NO_IDENTITY]],
    ['nothing', {}, [NO_IDENTITY]],
  ])('%s → %j', (_case, lead, reasons) => {
    expect(invalidReasons(lead)).toEqual(reasons);
  });
});
