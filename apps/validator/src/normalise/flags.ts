import { currentPosition, hostOf, NetrowsDate, NetrowsPerson } from '@leadpipe/netrows';
import { domainLabelOf, EmailInfo, registrableDomainOf } from './email';
import { cleanText, foldAccents } from './text';

export const FLAG_CODES = ['free_mail', 'disposable_email', 'domain_mismatch', 'name_mismatch', 'no_current_position', 'stale_data'] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

/** Something suspicious about a lead: stored and passed on as the reason `<code>: <detail>`. */
export interface Flag {
  code: FlagCode;
  detail: string;
}

export const reasonOf = (flag: Flag): string => `${flag.code}: ${flag.detail}`;

export interface FlagInput {
  /** The lead as it was given. */
  lead: { firstName?: string | null; lastName?: string | null; companyDomain?: string | null };
  email: EmailInfo | null;
  /** The provider's person, raw: its dates and names are read here. */
  person: NetrowsPerson | null;
  /** The registrable domain of the provider's company website. */
  companyDomain: string | null;
  /** When the provider's data was fetched (the enrichment time). */
  fetchedAt: string | Date | null;
  now: Date;
  /** Provider data older than this is stale. */
  staleAfterDays: number;
}

const DAY_MS = 86_400_000;

/** Latin letters only, accents folded, in words: "Łukasz" → ["lukasz"], "O'Brien" → ["obrien"]. */
function nameWords(name: string): string[] {
  return foldAccents(name)
    .split(/\s+/)
    .map((word) => word.replace(/[^\p{L}]/gu, ''))
    .filter((word) => word !== '');
}

const isLatin = (words: string[]): boolean => words.every((word) => /^\p{Script=Latin}+$/u.test(word));

/**
 * Whether two spellings can name the same person: equal without accents, case, spaces and
 * apostrophes; an initial ("J." for Jane); a short form ("Alex" for Alexander); one word of a
 * double name ("García" in "García Fernández"). Names in different scripts cannot be compared
 * here and count as matching.
 */
export function namesMatch(a: string, b: string): boolean {
  const wa = nameWords(a);
  const wb = nameWords(b);
  if (wa.length === 0 || wb.length === 0 || isLatin(wa) !== isLatin(wb)) return true;
  const [ca, cb] = [wa.join(''), wb.join('')];
  const [short, long] = ca.length <= cb.length ? [ca, cb] : [cb, ca];
  if (short === long) return true;
  if ((short.length === 1 || short.length >= 3) && long.startsWith(short)) return true;
  return wa.some((word) => word.length >= 2 && wb.includes(word));
}

function nameMismatch(input: FlagInput): Flag | null {
  const person = input.person;
  if (!person) return null;
  const given = [cleanText(input.lead.firstName), cleanText(input.lead.lastName)];
  const profile = [cleanText(person.firstName), cleanText(person.lastName)];
  const compare = (a: string | null, b: string | null): boolean => a === null || b === null || namesMatch(a, b);
  if (compare(given[0], profile[0]) && compare(given[1], profile[1])) return null;
  // First and last name swapped on the form.
  if (compare(given[0], profile[1]) && compare(given[1], profile[0])) return null;
  const parts = [!compare(given[0], profile[0]) && 'first', !compare(given[1], profile[1]) && 'last'].filter(Boolean);
  return { code: 'name_mismatch', detail: `the profile's ${parts.join(' and ')} name differs from the lead's` };
}

function domainMismatch(input: FlagInput): Flag | null {
  const sources: Array<[string, string]> = [];
  const email = input.email;
  if (email && !email.freeMail && !email.disposable) sources.push(['e-mail', email.registrableDomain]);
  const leadDomain = cleanText(input.lead.companyDomain);
  const leadHost = leadDomain === null ? null : hostOf(leadDomain);
  if (leadHost !== null) sources.push(['lead company', registrableDomainOf(leadHost)]);
  if (input.companyDomain !== null) sources.push(['company website', input.companyDomain]);
  // acme.com and acme.de are one company's country domains: only the name before the suffix counts.
  const names = new Set(sources.map(([, domain]) => domainLabelOf(domain) ?? domain));
  if (names.size <= 1) return null;
  return { code: 'domain_mismatch', detail: sources.map(([what, domain]) => `${what} ${domain}`).join(', ') };
}

/** The last day a Netrows date can mean (month or day 0 are unknown): a year alone is its 31 December. */
function latestDayOf(date: NetrowsDate | undefined): Date | null {
  const year = date?.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year <= 0) return null;
  const month = typeof date?.month === 'number' && date.month >= 1 && date.month <= 12 ? date.month : 12;
  const day = typeof date?.day === 'number' && date.day >= 1 && date.day <= 31 ? date.day : 0;
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, day === 0 ? month : month - 1, day === 0 ? 0 : day));
}

const monthOf = (date: Date): string => date.toISOString().slice(0, 7);

function staleness(input: FlagInput): Flag | null {
  const limit = input.staleAfterDays * DAY_MS;
  const details: string[] = [];
  const fetchedAt = input.fetchedAt === null ? NaN : new Date(input.fetchedAt).getTime();
  if (Number.isFinite(fetchedAt) && input.now.getTime() - fetchedAt > limit) {
    details.push(`provider data fetched ${Math.floor((input.now.getTime() - fetchedAt) / DAY_MS)} days ago`);
  }
  // Netrows sends no "last updated" date: a profile whose every position ended long ago is the sign.
  const person = input.person;
  if (person && currentPosition(person) === undefined) {
    const ends = (person.position ?? []).map((p) => latestDayOf(p.end)).filter((d): d is Date => d !== null);
    const lastEnd = ends.length > 0 ? new Date(Math.max(...ends.map((d) => d.getTime()))) : null;
    if (lastEnd !== null && input.now.getTime() - lastEnd.getTime() > limit) details.push(`the last position ended ${monthOf(lastEnd)}`);
  }
  return details.length > 0 ? { code: 'stale_data', detail: details.join('; ') } : null;
}

/**
 * Everything suspicious about a lead, in a fixed order. Flags never make a lead invalid: they
 * travel with it so that a person (or an alert rule) can judge.
 */
export function flagsOf(input: FlagInput): Flag[] {
  const flags: Array<Flag | null> = [];
  if (input.email?.freeMail) flags.push({ code: 'free_mail', detail: `${input.email.domain} is a free-mail provider` });
  if (input.email?.disposable) flags.push({ code: 'disposable_email', detail: `${input.email.domain} hands out throw-away addresses` });
  flags.push(domainMismatch(input), nameMismatch(input));
  if (input.person && currentPosition(input.person) === undefined) {
    flags.push({ code: 'no_current_position', detail: 'the profile lists no current position' });
  }
  flags.push(staleness(input));
  return flags.filter((flag): flag is Flag => flag !== null);
}
