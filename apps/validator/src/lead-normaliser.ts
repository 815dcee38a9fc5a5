import isEmail from 'validator/lib/isEmail';
import { LeadEnriched, linkedinSlug } from '@leadpipe/contracts';
import { currentPosition, NetrowsPerson } from '@leadpipe/netrows';
import { caseName, fullNameOf } from './normalise/names';
import { linkedinUrlOfUsername } from './normalise/linkedin';
import { parseLocation } from './normalise/location';
import { normaliseSkills } from './normalise/skills';
import { cleanText } from './normalise/text';
import { caseTitle, JobFunction, jobFunctionOf, Seniority, seniorityOf } from './normalise/titles';

export { normaliseCompany, type NormalisedCompany } from './normalise/company';

export interface NormalisedPerson {
  fullName: string | null;
  firstName: string | null;
  lastName: string | null;
  headline: string | null;
  /** Of the current position, cased with acronyms kept. */
  title: string | null;
  seniority: Seniority | null;
  jobFunction: JobFunction | null;
  companyName: string | null;
  city: string | null;
  region: string | null;
  /** ISO 3166-1 alpha-2, upper-case. */
  countryCode: string | null;
  linkedinUrl: string | null;
  skills: string[];
}

/** The person as the pipeline stores it; the raw answer is kept beside it. */
export function normalisePerson(raw: NetrowsPerson | null): NormalisedPerson | null {
  if (!raw) return null;
  const position = currentPosition(raw);
  const firstName = caseName(raw.firstName);
  const lastName = caseName(raw.lastName);
  const title = caseTitle(position?.title);
  const location = parseLocation({ city: raw.geo?.city, country: raw.geo?.country, countryCode: raw.geo?.countryCode });
  return {
    fullName: fullNameOf(firstName, lastName),
    firstName,
    lastName,
    headline: cleanText(raw.headline),
    title,
    seniority: seniorityOf(title),
    jobFunction: jobFunctionOf(title),
    companyName: cleanText(position?.companyName),
    city: location.city,
    region: location.region,
    countryCode: location.countryCode,
    linkedinUrl: linkedinUrlOfUsername(raw.username),
    skills: normaliseSkills(raw.skills),
  };
}

/**
 * Reasons that make a lead `invalid`: it cannot be identified or contacted. The e-mail is
 * judged as given (trimmed), as the enricher looks it up and the identity key is built.
 */
export function invalidReasons(lead: LeadEnriched['lead']): string[] {
  const reasons: string[] = [];
  const email = lead.email?.trim() ?? '';
  const emailValid = email !== '' && isEmail(email);
  const slugValid = Boolean(lead.linkedinUrl && linkedinSlug(lead.linkedinUrl));
  if (email !== '' && !emailValid) reasons.push('email: not a valid e-mail address');
  if (lead.linkedinUrl && !slugValid) reasons.push('linkedinUrl: not a LinkedIn profile URL');
  if (!emailValid && !slugValid) reasons.push('no usable identity: a valid email or LinkedIn profile URL is required');
  return reasons;
}
