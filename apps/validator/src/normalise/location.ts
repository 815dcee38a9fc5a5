import countries from 'i18n-iso-countries';
import de from 'i18n-iso-countries/langs/de.json';
import en from 'i18n-iso-countries/langs/en.json';
import es from 'i18n-iso-countries/langs/es.json';
import fr from 'i18n-iso-countries/langs/fr.json';
import it from 'i18n-iso-countries/langs/it.json';
import nl from 'i18n-iso-countries/langs/nl.json';
import pl from 'i18n-iso-countries/langs/pl.json';
import pt from 'i18n-iso-countries/langs/pt.json';
import sv from 'i18n-iso-countries/langs/sv.json';
import { caseName, NAME_PARTICLES } from './names';
import { cleanText } from './text';

// English first; the others read the names people type in their own language (Deutschland, España).
const LOCALES = [en, de, fr, es, it, pt, nl, pl, sv];
for (const locale of LOCALES) countries.registerLocale(locale);
/** Every name of every country in those languages, lower-cased, to its code (the first language wins). */
const COUNTRY_NAMES: ReadonlyMap<string, string> = new Map(
  LOCALES.flatMap(({ locale }) =>
    Object.entries(countries.getNames(locale, { select: 'all' })).flatMap(([code, names]) => names.map((name): [string, string] => [name.toLowerCase(), code])),
  ).reverse(),
);

/** Names the ISO lists do not carry, as people and providers write them. Keys lower-case, without dots. */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = {
  america: 'US', 'united states of america': 'US', us: 'US', usa: 'US', 'u s': 'US', 'u s a': 'US',
  england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB', britain: 'GB', 'great britain': 'GB', uk: 'GB',
  holland: 'NL', korea: 'KR', 'republic of korea': 'KR', syria: 'SY', laos: 'LA', moldova: 'MD', macedonia: 'MK', 'north macedonia': 'MK',
  burma: 'MM', czech: 'CZ', vatican: 'VA', palestine: 'PS', 'cape verde': 'CV', swaziland: 'SZ', 'east timor': 'TL', 'hong kong sar': 'HK',
  macau: 'MO', macao: 'MO', 'republic of ireland': 'IE', emirates: 'AE', uae: 'AE', kosovo: 'XK', 'ivory coast': 'CI', russia: 'RU',
};

/** Regions that a "City, Region" string names without its country; the key is the region in lower case. */
const US_STATES: Readonly<Record<string, string>> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut', DE: 'Delaware',
  DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas',
  KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi',
  MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York',
  NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island',
  SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont', VA: 'Virginia', WA: 'Washington',
  WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
};
interface Subdivision {
  name: string;
  country: string;
}
const subdivisions = (country: string, names: readonly string[]): Array<[string, Subdivision]> =>
  names.map((name) => [name.toLowerCase(), { name, country }]);
const SUBDIVISIONS: ReadonlyMap<string, Subdivision> = new Map([
  ...Object.entries(US_STATES).map(([code, name]): [string, Subdivision] => [code.toLowerCase(), { name, country: 'US' }]),
  ...subdivisions('US', Object.values(US_STATES)),
  ...subdivisions('CA', ['Alberta', 'British Columbia', 'Manitoba', 'New Brunswick', 'Newfoundland and Labrador', 'Nova Scotia', 'Ontario', 'Prince Edward Island', 'Quebec', 'Québec', 'Saskatchewan']),
  ...subdivisions('GB', ['England', 'Scotland', 'Wales', 'Northern Ireland']),
]);

/** Lower-case words inside place names: Rio de Janeiro, Frankfurt am Main, Stratford-upon-Avon. */
const PLACE_PARTICLES: ReadonlySet<string> = new Set([...NAME_PARTICLES, 'am', 'an', 'im', 'on', 'upon', 'sur', 'sous', 'en', 'les', 'des', 'of', 'and']);

export interface Location {
  city: string | null;
  /** State, province or region, as named (US state codes spelt out: "CA" → "California"). */
  region: string | null;
  /** ISO 3166-1 alpha-2, upper-case. */
  countryCode: string | null;
}

export interface LocationInput {
  /** Netrows `geo.city`: "Munich", "Munich, Bavaria", "Paris, Île-de-France, France", "Greater Seattle Area". */
  city?: unknown;
  region?: unknown;
  /** A country name in English or a few other languages, an alias (UK, USA) or a code. */
  country?: unknown;
  /** Netrows `geo.countryCode`: lower-case alpha-2; alpha-3 is read too. */
  countryCode?: unknown;
}

function countryFromCode(text: string): string | null {
  const upper = text.toUpperCase();
  if (upper === 'UK') return 'GB';
  if (/^[A-Z]{2}$/.test(upper)) return countries.isValid(upper) ? upper : null;
  if (/^[A-Z]{3}$/.test(upper)) return countries.alpha3ToAlpha2(upper) ?? null;
  return null;
}

function countryFromName(text: string): string | null {
  const name = text.replace(/\./g, ' ').replace(/\s+/g, ' ').trim().replace(/^the /i, '');
  if (name.length < 2) return null;
  const alias = COUNTRY_ALIASES[name.toLowerCase()];
  if (alias !== undefined) return alias;
  if (name.length < 4) return null; // two- and three-letter tokens are codes or regions (CA, IN, NSW), not names
  return COUNTRY_NAMES.get(name.toLowerCase()) ?? null;
}

/**
 * ISO 3166-1 alpha-2 for a country as written: a name ("Germany", "Deutschland", "The
 * Netherlands"), an alias ("UK", "U.S.A.", "England") or a code ("de", "DEU"). Null when unknown.
 */
export function resolveCountryCode(input: unknown): string | null {
  const text = cleanText(input);
  if (text === null) return null;
  return countryFromName(text) ?? countryFromCode(text);
}

/** "Greater Seattle Area", "Frankfurt Rhine-Main Metropolitan Area", "San Francisco Bay Area" → the city. */
function cityOfMetroArea(text: string): string {
  let city = text;
  for (;;) {
    const next = city
      .replace(/^greater\s+/i, '')
      .replace(/\s+(?:(?:metropolitan|metro|bay|capital)\s+)?(?:area|region)$/i, '')
      .trim();
    if (next === city || next === '') return city;
    city = next;
  }
}

const casePlace = (text: string): string | null => caseName(text, { particles: PLACE_PARTICLES, leadingParticles: false });

/**
 * Splits a provider's location into city, region and ISO country code. The explicit code wins,
 * then the explicit country, then a country named last in the city string; a US state (or
 * Canadian province, UK nation) in the region gives its country when nothing else does.
 * Metro areas are read as their city; shouted or all-lower parts are cased.
 */
export function parseLocation(input: LocationInput): Location {
  const given = cleanText(input.countryCode);
  let countryCode = (given === null ? null : countryFromCode(given)) ?? resolveCountryCode(input.country);
  // Empty parts keep their place (", Bavaria" has no city) except at the end ("Munich, ").
  const parts = (cleanText(input.city) ?? '').split(',').map(cleanText);
  while (parts.length > 0 && parts.at(-1) === null) parts.pop();
  const explicitRegion = cleanText(input.region);

  // A state code counts only in capitals ("Austin, TX"), not as a lower-case word.
  const subdivisionOf = (part: string): Subdivision | null => {
    if (part.length === 2 && part !== part.toUpperCase()) return null;
    const subdivision = SUBDIVISIONS.get(part.toLowerCase());
    return subdivision !== undefined && (countryCode === null || countryCode === subdivision.country) ? subdivision : null;
  };
  let region = explicitRegion;
  const last = parts.at(-1);
  if (last !== undefined && last !== null && (parts.length >= 2 || explicitRegion === null)) {
    const named = subdivisionOf(last) === null ? countryFromName(last) : null;
    if (named !== null && (countryCode === null || countryCode === named)) {
      countryCode = named;
      parts.pop();
    } else if (parts.length === 1 && subdivisionOf(last) !== null) {
      // "Texas", "England": a region on its own, not a city.
      region = parts.pop() ?? null;
    }
  }

  while (parts.length > 0 && parts.at(-1) === null) parts.pop();
  const cityText = parts[0] ? cityOfMetroArea(parts[0]) : null;
  const regionParts = parts.slice(1).filter((part): part is string => part !== null);
  if (regionParts.length > 0) region = regionParts.join(', ');
  const subdivision = region === null ? null : subdivisionOf(region);
  if (subdivision !== null) {
    region = subdivision.name;
    countryCode ??= subdivision.country;
  }
  return {
    city: cityText === null ? null : casePlace(cityText),
    region: region === null ? null : casePlace(region),
    countryCode,
  };
}
