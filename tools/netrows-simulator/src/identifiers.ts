import { COMPANY_STEMS, COMPANY_SUFFIXES, COMPANY_TLDS } from './corpus';
import { hash32 } from './prng';

/**
 * How identifiers relate, so that every cross-reference the simulator hands out resolves
 * again in a later call, in this run or any other: a person's username names their
 * company's handle, a handle names a domain, a namespace company id names its domain.
 */

/** Prefixes that make any identifier a guaranteed miss (tests rely on them). */
const ALWAYS_MISSING = /^(unknown|notfound)/;

export function isAlwaysMissing(identifier: string): boolean {
  return ALWAYS_MISSING.test(identifier);
}

/** TLDs written as the trailing `-<tld>` part of a handle; `com` is implied when none is present. */
const HANDLE_TLDS = ['co-uk', 'com-au', 'co-jp', 'com-br', 'io', 'de', 'ai', 'net', 'org', 'co', 'fr', 'es', 'nl', 'se', 'pl', 'ie', 'in', 'jp', 'uk', 'us', 'app', 'dev', 'tech', 'com'];

/**
 * LinkedIn handle of the company on `domain`: "acme.com" → "acme", "acme.io" → "acme-io",
 * "acme.co.uk" → "acme-co-uk". A .com label that would read as another TLD keeps "-com".
 */
export function domainToHandle(domain: string): string {
  if (domain.endsWith('.com')) {
    const label = domain.slice(0, -4).replace(/\./g, '-');
    return HANDLE_TLDS.some((tld) => label.endsWith(`-${tld}`)) ? `${label}-com` : label;
  }
  return domain.replace(/\./g, '-');
}

/** Inverse of `domainToHandle` for registrable domains (a dot inside the label does not survive). */
export function handleToDomain(handle: string): string {
  for (const tld of HANDLE_TLDS) {
    if (handle.endsWith(`-${tld}`) && handle.length > tld.length + 1) {
      return `${handle.slice(0, -(tld.length + 1))}.${tld.replace('-', '.')}`;
    }
  }
  return `${handle}.com`;
}

export interface NamespaceCompany {
  index: number;
  stem: string;
  suffix: string;
  domain: string;
}

const NAMESPACE_ID_BASE = 1_000_003;
const NAMESPACE_ID_STEP = 97;

/**
 * The built-in companies people without an e-mail work for. Their numeric ids are computed
 * from their index, so `companies/details?companyId=<number>` resolves in any run.
 */
export const NAMESPACE: readonly NamespaceCompany[] = COMPANY_STEMS.flatMap((stem) =>
  COMPANY_SUFFIXES.flatMap((suffix) => COMPANY_TLDS.map((tld) => ({ stem, suffix, domain: `${stem}${suffix}.${tld}` }))),
).map((entry, index) => ({ ...entry, index }));

const NAMESPACE_BY_DOMAIN = new Map(NAMESPACE.map((entry) => [entry.domain, entry]));

export function namespaceCompany(domain: string): NamespaceCompany | undefined {
  return NAMESPACE_BY_DOMAIN.get(domain);
}

/** Numeric LinkedIn-style company id: computed for namespace companies, hashed for the rest. */
export function companyIdOf(domain: string): number {
  const entry = NAMESPACE_BY_DOMAIN.get(domain);
  if (entry !== undefined) return NAMESPACE_ID_BASE + entry.index * NAMESPACE_ID_STEP;
  return 20_000_000 + (hash32(`company-id:${domain}`) % 80_000_000);
}

export function namespaceDomainOfId(id: number): string | undefined {
  const offset = id - NAMESPACE_ID_BASE;
  if (offset < 0 || offset % NAMESPACE_ID_STEP !== 0) return undefined;
  return NAMESPACE[offset / NAMESPACE_ID_STEP]?.domain;
}

/** Lower-case ASCII token for slugs: "José" → "jose", "O'Brien" → "obrien". */
export function slugToken(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/ł/gi, 'l')
    .replace(/ı/g, 'i')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

function checksum(parts: string): string {
  return (hash32(`username:${parts}`) & 0xffff).toString(16).padStart(4, '0');
}

/**
 * Username handed out by the reverse lookup: "<first>-<last>-<company handle>-<checksum>".
 * It reads like a real vanity slug, and lets the profile endpoint recover the person's
 * employer (the e-mail's domain) without any server-side memory.
 */
export function emailUsername(first: string, last: string, domain: string): string {
  const base = `${slugToken(first) || 'x'}-${slugToken(last) || 'x'}-${domainToHandle(domain)}`;
  return `${base}-${checksum(base)}`;
}

export interface EmailUsername {
  firstToken: string;
  lastToken: string;
  domain: string;
}

export function parseEmailUsername(username: string): EmailUsername | null {
  const tokens = username.split('-');
  if (tokens.length < 4) return null;
  const check = tokens[tokens.length - 1];
  const base = tokens.slice(0, -1).join('-');
  if (!/^[0-9a-f]{4}$/.test(check) || checksum(base) !== check) return null;
  return { firstToken: tokens[0], lastToken: tokens[1], domain: handleToDomain(tokens.slice(2, -1).join('-')) };
}
