import type { NetrowsCompany } from './netrows.types';

/**
 * Two-label public suffixes under country TLDs (acme.co.uk, acme.com.au): the registrable
 * domain then has three labels. Not the full Public Suffix List, which would be a dependency
 * for a check that only has to tell a company's own domain from a look-alike.
 */
const SECOND_LEVEL_LABELS = new Set(['ac', 'co', 'com', 'edu', 'gob', 'gov', 'ltd', 'ne', 'net', 'or', 'org', 'plc']);

/** Shared hosts where every customer gets a subdomain: acme.github.io and evil.github.io differ. */
const SHARED_HOST_SUFFIXES = [
  'azurewebsites.net',
  'blogspot.com',
  'cloudfront.net',
  'github.io',
  'gitlab.io',
  'herokuapp.com',
  'myshopify.com',
  'netlify.app',
  'pages.dev',
  'squarespace.com',
  'vercel.app',
  'webflow.io',
  'wixsite.com',
  'wordpress.com',
];

/**
 * Host of a website or domain as people type it: "https://WWW.Acme.com/en", "acme.com:443",
 * "jane@acme.com". Lower-cased, without `www.`, port, path or trailing dot; null when unusable.
 */
export function hostOf(input: string): string | null {
  let text = input.trim();
  if (text === '') return null;
  const at = text.indexOf('@');
  if (at >= 0 && !text.includes('/')) text = text.slice(at + 1);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let host: string;
  try {
    host = new URL(text).hostname;
  } catch {
    return null;
  }
  host = host.replace(/\.$/, '').replace(/^www\d*\./, '');
  if (!host.includes('.') || host.startsWith('[')) return null;
  return host;
}

/** The registrable part of a host ("eu.shop.acme.co.uk" → "acme.co.uk"), approximated as above. */
export function registrableDomain(host: string): string {
  const shared = SHARED_HOST_SUFFIXES.find((suffix) => host === suffix || host.endsWith(`.${suffix}`));
  const labels = host.split('.');
  let keep = 2;
  if (shared !== undefined) keep = shared.split('.').length + 1;
  else if (labels.length >= 3 && labels[labels.length - 1].length === 2 && SECOND_LEVEL_LABELS.has(labels[labels.length - 2])) keep = 3;
  return labels.slice(-keep).join('.');
}

/**
 * Whether the company's `website` is on the asked domain. `companies/by-domain` sometimes
 * answers with a look-alike company (acme.co for acme.com, acme-inc.com, acme.com.evil.io);
 * those must not match. Subdomains of the same registrable domain do (shop.acme.com).
 */
export function companyDomainMatches(company: Pick<NetrowsCompany, 'website'>, domain: string): boolean {
  if (typeof company.website !== 'string') return false;
  const websiteHost = hostOf(company.website);
  const askedHost = hostOf(domain);
  if (websiteHost === null || askedHost === null) return false;
  return registrableDomain(websiteHost) === registrableDomain(askedHost);
}

export interface CompanyFirmographics {
  /** Head count from `staffCount`, `employeeCount` or a numeric `companySize`, in that order. */
  employeeCount?: number;
  /** Size band such as "51-200", from `staffCountRange` or a textual `companySize`. */
  employeeRange?: string;
  /** `industries[]`, else `[industry]`; trimmed, de-duplicated case-insensitively. */
  industries: string[];
  specialities: string[];
  /** Founding year from `founded` as `{ year }` or a bare number; undefined when 0 or absent. */
  foundedYear?: number;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}

function distinctTexts(values: readonly unknown[]): string[] {
  const seen = new Map<string, string>();
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const text = value.trim();
    if (text !== '' && !seen.has(text.toLowerCase())) seen.set(text.toLowerCase(), text);
  }
  return [...seen.values()];
}

function rangeText(company: NetrowsCompany): string | undefined {
  const range = company.staffCountRange;
  if (typeof range === 'string' && range.trim() !== '') return range.trim();
  if (typeof range === 'object' && range !== null && positiveInteger(range.start) !== undefined) {
    const end = positiveInteger(range.end);
    return end === undefined ? `${range.start}+` : `${range.start}-${end}`;
  }
  if (typeof company.companySize === 'string') {
    const match = /\d[\d,]*\s*(?:-\s*\d[\d,]*|\+)?/.exec(company.companySize);
    if (match) return match[0].replace(/[\s,]/g, '');
  }
  return undefined;
}

/** Reads the firmographics under whichever names this answer used. */
export function companyFirmographics(company: NetrowsCompany): CompanyFirmographics {
  const employeeCount =
    positiveInteger(company.staffCount) ?? positiveInteger(company.employeeCount) ?? positiveInteger(company.companySize);
  const industries = distinctTexts(Array.isArray(company.industries) && company.industries.length > 0 ? company.industries : [company.industry]);
  const founded = company.founded;
  const foundedYear = typeof founded === 'number' ? positiveInteger(founded) : positiveInteger(founded?.year);
  const result: CompanyFirmographics = {
    industries,
    specialities: distinctTexts(Array.isArray(company.specialities) ? company.specialities : []),
  };
  const employeeRange = rangeText(company);
  if (employeeCount !== undefined) result.employeeCount = employeeCount;
  if (employeeRange !== undefined) result.employeeRange = employeeRange;
  if (foundedYear !== undefined) result.foundedYear = foundedYear;
  return result;
}
