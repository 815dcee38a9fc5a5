import disposableDomains from 'disposable-email-domains';
import disposableWildcards from 'disposable-email-domains/wildcard.json';
import { getDomain, getDomainWithoutSuffix } from 'tldts';
import isEmail from 'validator/lib/isEmail';
import { isFreeMailDomain } from '@leadpipe/netrows';
import { cleanText } from './text';

const DISPOSABLE: ReadonlySet<string> = new Set(disposableDomains);
/** Services that hand out throw-away addresses on any subdomain of theirs. */
const DISPOSABLE_WILDCARDS: ReadonlySet<string> = new Set(disposableWildcards as string[]);

export interface EmailInfo {
  /** Lower-cased, as the lead's identity key uses it. */
  address: string;
  /** The host after the `@`. */
  domain: string;
  /** The part a company registers ("mail.eu.acme.co.uk" → "acme.co.uk"), by the Public Suffix List. */
  registrableDomain: string;
  freeMail: boolean;
  disposable: boolean;
}

/**
 * One e-mail address as people paste it ("  Jane.Doe@ACME.com ", "mailto:jane@acme.com",
 * "Jane Doe <jane@acme.com>", a trailing dot on the domain), lower-cased; null when what is
 * left is not an address by `validator`'s isEmail.
 */
export function normaliseEmailAddress(input: unknown): string | null {
  let text = cleanText(input);
  if (text === null) return null;
  const bracketed = /<([^<>]*)>$/.exec(text);
  if (bracketed) text = bracketed[1].trim();
  text = text.replace(/^mailto:/i, '').replace(/\.+$/, '').toLowerCase();
  return isEmail(text) ? text : null;
}

/**
 * The registrable domain of a host, by the Public Suffix List including its private section
 * (so acme.github.io and evil.github.io differ); the host itself when the list has no answer
 * (an IP address, a single label).
 */
export function registrableDomainOf(host: string): string {
  const lower = host.toLowerCase();
  return getDomain(lower, { allowPrivateDomains: true }) ?? lower;
}

/** "acme" for acme.com, acme.de and acme.co.uk alike: a company's name across its country domains. */
export function domainLabelOf(host: string): string | null {
  return getDomainWithoutSuffix(host.toLowerCase(), { allowPrivateDomains: true }) || null;
}

export function isDisposableDomain(domain: string): boolean {
  const lower = domain.toLowerCase();
  if (DISPOSABLE.has(lower) || DISPOSABLE.has(registrableDomainOf(lower))) return true;
  const labels = lower.split('.');
  return labels.some((_, i) => DISPOSABLE_WILDCARDS.has(labels.slice(i).join('.')));
}

/** The address with what the pipeline needs to know about its domain; null when not an address. */
export function analyseEmail(input: unknown): EmailInfo | null {
  const address = normaliseEmailAddress(input);
  if (address === null) return null;
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const registrableDomain = registrableDomainOf(domain);
  return {
    address,
    domain,
    registrableDomain,
    freeMail: isFreeMailDomain(domain) || isFreeMailDomain(registrableDomain),
    disposable: isDisposableDomain(domain),
  };
}
