import isEmail from 'validator/lib/isEmail';
import { canonicalLinkedinUrl, LeadEnriched, linkedinSlug } from '@leadpipe/contracts';
import { companyFirmographics, currentPosition, hostOf, NetrowsCompany, NetrowsPerson, registrableDomain } from '@leadpipe/netrows';

export type Seniority = 'c_level' | 'vp' | 'director' | 'manager' | 'individual';

export interface NormalisedPerson {
  fullName: string | null;
  firstName: string | null;
  lastName: string | null;
  headline: string | null;
  title: string | null;
  seniority: Seniority | null;
  companyName: string | null;
  city: string | null;
  countryCode: string | null;
  linkedinUrl: string | null;
  skills: string[];
}

export interface NormalisedCompany {
  name: string | null;
  domain: string | null;
  industry: string | null;
  staffCount: number | null;
  sizeBand: string | null;
  linkedinUrl: string | null;
  country: string | null;
}

const ACRONYMS = new Set(['ceo', 'cto', 'cfo', 'coo', 'cmo', 'cio', 'ciso', 'cro', 'cpo', 'vp', 'svp', 'evp', 'avp', 'hr', 'it', 'ai', 'ml', 'qa', 'ux', 'ui', 'seo', 'b2b', 'saas', 'emea', 'apac', 'us', 'uk']);
const SMALL_WORDS = new Set(['of', 'and', 'the', 'for', 'in', 'at', 'to', '&']);

const text = (value: unknown): string | null => {
  if (typeof value !== 'string') return null;
  const trimmed = value.replace(/\s+/g, ' ').trim();
  return trimmed === '' ? null : trimmed;
};

/** "vp of SALES" → "VP of Sales"; acronyms stay upper-case, short joining words lower-case. */
export function caseTitle(title: string): string {
  return title
    .replace(/\s+/g, ' ')
    .trim()
    .split(' ')
    .map((word, i) => {
      const bare = word.toLowerCase().replace(/[.,]/g, '');
      if (ACRONYMS.has(bare)) return word.replace(/[a-z]+/gi, (m) => m.toUpperCase());
      if (i > 0 && SMALL_WORDS.has(bare)) return word.toLowerCase();
      return word.toLowerCase().replace(/(^|[-/(])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
    })
    .join(' ');
}

/** Names keep their own casing unless typed all upper or all lower ("JOSÉ" → "José"). */
export function caseName(name: string): string {
  const trimmed = name.replace(/\s+/g, ' ').trim();
  if (trimmed !== trimmed.toUpperCase() && trimmed !== trimmed.toLowerCase()) return trimmed;
  return trimmed.toLowerCase().replace(/(^|[\s'-])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
}

export function seniorityOf(title: string | null): Seniority | null {
  if (!title) return null;
  const t = title.toLowerCase();
  const vicePresident = /\bvice[\s-]+president\b/.test(t);
  // "Owner" is the business owner, not a Product Owner or a process owner.
  const owner = /\bowner\b/.test(t) && !/\b(product|process|account|data|service)\s+owner\b/.test(t);
  if (!vicePresident && (owner || /\b(chief|ceo|cto|cfo|coo|cmo|cio|ciso|cro|cpo|(co-?)?founder|president)\b/.test(t))) return 'c_level';
  if (vicePresident || /\b(vp|svp|evp|avp|head of)\b/.test(t)) return 'vp';
  if (/\bdirector\b/.test(t)) return 'director';
  if (/\b(manager|lead|leader|supervisor)\b/.test(t)) return 'manager';
  return 'individual';
}

export function sizeBandOf(staff: number | null): string | null {
  if (staff === null) return null;
  const bands: Array<[number, string]> = [[10, '1-10'], [50, '11-50'], [200, '51-200'], [500, '201-500'], [1000, '501-1000'], [5000, '1001-5000'], [10000, '5001-10000']];
  for (const [max, band] of bands) if (staff <= max) return band;
  return '10001+';
}

export function normalisePerson(raw: NetrowsPerson | null): NormalisedPerson | null {
  if (!raw) return null;
  const position = currentPosition(raw);
  const firstName = text(raw.firstName) ? caseName(raw.firstName!) : null;
  const lastName = text(raw.lastName) ? caseName(raw.lastName!) : null;
  const title = text(position?.title) ? caseTitle(position!.title!) : null;
  const city = text(text(raw.geo?.city)?.split(',')[0]);
  const countryCode = text(raw.geo?.countryCode)?.toUpperCase() ?? null;
  const seen = new Map<string, string>();
  for (const skill of raw.skills ?? []) {
    const name = text(skill.name);
    if (name && !seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  }
  const slug = text(raw.username)?.toLowerCase();
  return {
    fullName: [firstName, lastName].filter(Boolean).join(' ') || null,
    firstName,
    lastName,
    headline: text(raw.headline),
    title,
    seniority: seniorityOf(title),
    companyName: text(position?.companyName),
    city,
    countryCode: countryCode && /^[A-Z]{2}$/.test(countryCode) ? countryCode : null,
    linkedinUrl: slug ? canonicalLinkedinUrl(slug) : null,
    skills: [...seen.values()],
  };
}

export function normaliseCompany(raw: NetrowsCompany | null): NormalisedCompany | null {
  if (!raw) return null;
  const firmographics = companyFirmographics(raw);
  const host = typeof raw.website === 'string' ? hostOf(raw.website) : null;
  const staffCount = firmographics.employeeCount ?? null;
  return {
    name: text(raw.name),
    domain: host ? registrableDomain(host) : null,
    industry: firmographics.industries[0] ?? null,
    staffCount,
    sizeBand: sizeBandOf(staffCount) ?? firmographics.employeeRange ?? null,
    linkedinUrl: text(raw.linkedinUrl),
    country: text(raw.headquarter?.country),
  };
}

/** Reasons that make a lead `invalid`: it cannot be identified or contacted. */
export function invalidReasons(lead: LeadEnriched['lead']): string[] {
  const reasons: string[] = [];
  const hasEmail = Boolean(lead.email);
  const emailValid = hasEmail && isEmail(lead.email!);
  const slugValid = Boolean(lead.linkedinUrl && linkedinSlug(lead.linkedinUrl));
  if (hasEmail && !emailValid) reasons.push('email: not a valid e-mail address');
  if (lead.linkedinUrl && !slugValid) reasons.push('linkedinUrl: not a LinkedIn profile URL');
  if (!emailValid && !slugValid) reasons.push('no usable identity: a valid email or LinkedIn profile URL is required');
  return reasons;
}
