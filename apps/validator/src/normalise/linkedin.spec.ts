import fc from 'fast-check';
import { messyString, PROPERTY_RUNS } from '../../../../test/support/messy-strings';
import { linkedinUrlOfUsername, normaliseLinkedinCompanyUrl, normaliseLinkedinProfileUrl } from './linkedin';

describe('normaliseLinkedinProfileUrl', () => {
  it.each([
    ['https://www.linkedin.com/in/jane-doe/', 'https://www.linkedin.com/in/jane-doe/'],
    ['linkedin.com/in/Jane-Doe', 'https://www.linkedin.com/in/jane-doe/'],
    ['  https://de.linkedin.com/in/jane-doe?trk=public_profile#about ', 'https://www.linkedin.com/in/jane-doe/'],
    ['http://LINKEDIN.COM/IN/JANE-DOE/detail/skills/', 'https://www.linkedin.com/in/jane-doe/'],
    ['https://www.linkedin.com/pub/jane-doe/1/2/3', 'https://www.linkedin.com/in/jane-doe/'],
    ['https://www.linkedin.com/in/%C5%81ukasz-nowak', 'https://www.linkedin.com/in/%C5%82ukasz-nowak/'],
    ['https://www.linkedin.com/in/łukasz-nowak', 'https://www.linkedin.com/in/%C5%82ukasz-nowak/'],
    ['https://www.linkedin.com/company/acme/', null],
    ['https://linkedin.com.evil.io/in/jane', null],
    ['https://www.linkedin.com/in/', null],
    ['https://www.linkedin.com/in/%E0%A4%A', null],
    ['', null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(normaliseLinkedinProfileUrl(input)).toBe(expected);
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(messyString, fc.webUrl(), messyString.map((s) => `linkedin.com/in/${s}`)), (s) => {
        const once = normaliseLinkedinProfileUrl(s);
        expect(once === null ? null : normaliseLinkedinProfileUrl(once)).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('linkedinUrlOfUsername', () => {
  it.each([
    ['Jane-Doe', 'https://www.linkedin.com/in/jane-doe/'],
    [' jane-doe ', 'https://www.linkedin.com/in/jane-doe/'],
    ['Łukasz-Nowak', 'https://www.linkedin.com/in/%C5%82ukasz-nowak/'],
    ['', null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(linkedinUrlOfUsername(input)).toBe(expected);
  });

  it('gives canonical URLs and never throws', () => {
    fc.assert(
      fc.property(messyString, (s) => {
        const url = linkedinUrlOfUsername(s);
        if (url !== null) expect(normaliseLinkedinProfileUrl(url)).toBe(url);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('normaliseLinkedinCompanyUrl', () => {
  it.each([
    ['https://www.linkedin.com/company/acme/', 'https://www.linkedin.com/company/acme/'],
    ['linkedin.com/company/Acme-GmbH/about/?viewAsMember=true', 'https://www.linkedin.com/company/acme-gmbh/'],
    ['https://de.linkedin.com/company/acme', 'https://www.linkedin.com/company/acme/'],
    ['https://www.linkedin.com/school/tum/', 'https://www.linkedin.com/school/tum/'],
    ['https://www.linkedin.com/in/jane-doe/', null],
    ['https://acme.com/company/acme', null],
    ['', null],
  ])('%j → %j', (input, expected) => {
    expect(normaliseLinkedinCompanyUrl(input)).toBe(expected);
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(messyString, messyString.map((s) => `linkedin.com/company/${s}`)), (s) => {
        const once = normaliseLinkedinCompanyUrl(s);
        expect(once === null ? null : normaliseLinkedinCompanyUrl(once)).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });
});
