import fc from 'fast-check';
import { messyString, PROPERTY_RUNS } from '../../../../test/support/messy-strings';
import { LocationInput, parseLocation, resolveCountryCode } from './location';

describe('resolveCountryCode', () => {
  it.each([
    ['Germany', 'DE'],
    ['germany', 'DE'],
    ['Deutschland', 'DE'],
    ['España', 'ES'],
    ['The Netherlands', 'NL'],
    ['Holland', 'NL'],
    ['United States', 'US'],
    ['United States of America', 'US'],
    ['USA', 'US'],
    ['U.S.A.', 'US'],
    ['UK', 'GB'],
    ['United Kingdom', 'GB'],
    ['England', 'GB'],
    ['South Korea', 'KR'],
    ['Türkiye', 'TR'],
    ['Czechia', 'CZ'],
    ['de', 'DE'],
    ['DEU', 'DE'],
    ['gb', 'GB'],
    ['Atlantis', null],
    ['xx', null],
    ['', null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(resolveCountryCode(input)).toBe(expected);
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(messyString, (s) => {
        const once = resolveCountryCode(s);
        expect(once === null ? null : resolveCountryCode(once)).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('parseLocation', () => {
  it.each<[LocationInput, ReturnType<typeof parseLocation>]>([
    [{ city: 'Munich, Bavaria', countryCode: 'de' }, { city: 'Munich', region: 'Bavaria', countryCode: 'DE' }],
    [{ city: 'Berlin, Berlin', country: 'Germany', countryCode: 'de' }, { city: 'Berlin', region: 'Berlin', countryCode: 'DE' }],
    [{ city: 'São Paulo, São Paulo, Brazil' }, { city: 'São Paulo', region: 'São Paulo', countryCode: 'BR' }],
    [{ city: 'Paris, Île-de-France, France' }, { city: 'Paris', region: 'Île-de-France', countryCode: 'FR' }],
    [{ city: 'San Francisco, California', countryCode: 'us' }, { city: 'San Francisco', region: 'California', countryCode: 'US' }],
    [{ city: 'Austin, TX' }, { city: 'Austin', region: 'Texas', countryCode: 'US' }],
    [{ city: 'Atlanta, Georgia' }, { city: 'Atlanta', region: 'Georgia', countryCode: 'US' }],
    [{ city: 'Tbilisi, Georgia' , countryCode: 'ge' }, { city: 'Tbilisi', region: null, countryCode: 'GE' }],
    [{ city: 'London, England', countryCode: 'gb' }, { city: 'London', region: 'England', countryCode: 'GB' }],
    [{ city: 'Toronto, Ontario' }, { city: 'Toronto', region: 'Ontario', countryCode: 'CA' }],
    [{ city: 'Greater Seattle Area', countryCode: 'us' }, { city: 'Seattle', region: null, countryCode: 'US' }],
    [{ city: '  Greater  London  ' }, { city: 'London', region: null, countryCode: null }],
    [{ city: 'Frankfurt Rhine-Main Metropolitan Area', countryCode: 'de' }, { city: 'Frankfurt Rhine-Main', region: null, countryCode: 'DE' }],
    [{ city: 'San Francisco Bay Area' }, { city: 'San Francisco', region: null, countryCode: null }],
    [{ city: 'Greater Munich Metropolitan Area, Germany' }, { city: 'Munich', region: null, countryCode: 'DE' }],
    [{ city: 'MÜNCHEN, BAYERN', countryCode: 'de' }, { city: 'München', region: 'Bayern', countryCode: 'DE' }],
    [{ city: 'rio de janeiro, rio de janeiro', country: 'Brasil' }, { city: 'Rio de Janeiro', region: 'Rio de Janeiro', countryCode: 'BR' }],
    [{ city: 'LA PAZ', countryCode: 'bo' }, { city: 'La Paz', region: null, countryCode: 'BO' }],
    [{ city: 'Germany' }, { city: null, region: null, countryCode: 'DE' }],
    [{ city: 'Texas' }, { city: null, region: 'Texas', countryCode: 'US' }],
    [{ city: ', Bavaria', countryCode: 'de' }, { city: null, region: 'Bavaria', countryCode: 'DE' }],
    [{ city: 'Munich, , Germany' }, { city: 'Munich', region: null, countryCode: 'DE' }],
    [{ city: 'Munich, ' }, { city: 'Munich', region: null, countryCode: null }],
    [{ city: ', , Germany' }, { city: null, region: null, countryCode: 'DE' }],
    [{ city: 'Hamburg', countryCode: 'deu' }, { city: 'Hamburg', region: null, countryCode: 'DE' }],
    [{ city: 'Munich', country: 'DE' }, { city: 'Munich', region: null, countryCode: 'DE' }],
    [{ city: 'Lagos, Lagos State', countryCode: 'xx' }, { city: 'Lagos', region: 'Lagos State', countryCode: null }],
    [{ city: '', country: '', countryCode: '' }, { city: null, region: null, countryCode: null }],
    [{ city: '   ' }, { city: null, region: null, countryCode: null }],
    [{}, { city: null, region: null, countryCode: null }],
  ])('%j → %j', (input, expected) => {
    expect(parseLocation(input)).toEqual(expected);
  });

  it('is idempotent and never throws', () => {
    const input = fc.record({ city: messyString, country: messyString, countryCode: messyString }, { requiredKeys: [] });
    fc.assert(
      fc.property(input, (raw) => {
        const once = parseLocation(raw);
        expect(parseLocation(once)).toEqual(once);
      }),
      PROPERTY_RUNS,
    );
  });
});
