import { companyFirmographics, hostOf, NetrowsCompany } from '@leadpipe/netrows';
import { registrableDomainOf } from './email';
import { normaliseLinkedinCompanyUrl } from './linkedin';
import { resolveCountryCode } from './location';
import { cleanText } from './text';
import { caseTitle } from './titles';

/** LinkedIn's head-count bands (its "1" and "2-10" merged into 1-10). */
export const SIZE_BANDS = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001-10000', '10001+'] as const;
export type SizeBand = (typeof SIZE_BANDS)[number];
const BAND_MAX: ReadonlyArray<[number, SizeBand]> = [[10, '1-10'], [50, '11-50'], [200, '51-200'], [500, '201-500'], [1000, '501-1000'], [5000, '1001-5000'], [10000, '5001-10000']];

export function sizeBandOf(staff: number | null | undefined): SizeBand | null {
  if (typeof staff !== 'number' || !Number.isFinite(staff) || staff < 1) return null;
  for (const [max, band] of BAND_MAX) if (staff <= max) return band;
  return '10001+';
}

/**
 * A head-count range as providers write it ("51-200", "51-200 employees", "10,001+",
 * "2 - 10", "1001-5000", "Self-employed") in the standard band that holds its middle (its
 * lower bound when open-ended). Null when there is no number to read.
 */
export function normaliseSizeBand(input: unknown): SizeBand | null {
  const text = cleanText(input);
  if (text === null) return null;
  if (/\b(self[\s-]?employed|myself only|freelance)\b/i.test(text)) return '1-10';
  const match = /(\d[\d,.' ]*)\s*(?:(?:-|–|—|to)\s*(\d[\d,.' ]*)|(\+))?/i.exec(text);
  if (!match) return null;
  const number = (digits: string): number => Number(digits.replace(/[,.' ]/g, ''));
  const low = Math.max(1, number(match[1]));
  const high = match[2] !== undefined ? number(match[2]) : null;
  if (high !== null && high >= low) return sizeBandOf(Math.floor((low + high) / 2));
  return sizeBandOf(low);
}

/**
 * LinkedIn's industry names (version 2 of its taxonomy), and the older or looser names
 * providers still send for them. Keys are `industryKey()` forms.
 */
const INDUSTRY_ALIASES: Readonly<Record<string, string>> = {
  'computer software': 'Software Development',
  software: 'Software Development',
  'software development': 'Software Development',
  'information technology and services': 'IT Services and IT Consulting',
  'information technology': 'IT Services and IT Consulting',
  'it services': 'IT Services and IT Consulting',
  'it services and it consulting': 'IT Services and IT Consulting',
  internet: 'Technology, Information and Internet',
  'technology information and internet': 'Technology, Information and Internet',
  'marketing and advertising': 'Advertising Services',
  'advertising services': 'Advertising Services',
  'marketing services': 'Marketing Services',
  'hospital and health care': 'Hospitals and Health Care',
  'hospitals and health care': 'Hospitals and Health Care',
  'health care': 'Hospitals and Health Care',
  healthcare: 'Hospitals and Health Care',
  'management consulting': 'Business Consulting and Services',
  'business consulting and services': 'Business Consulting and Services',
  'staffing and recruiting': 'Staffing and Recruiting',
  'computer and network security': 'Computer and Network Security',
  'network security': 'Computer and Network Security',
  cybersecurity: 'Computer and Network Security',
  'financial services': 'Financial Services',
  fintech: 'Financial Services',
  banking: 'Banking',
  insurance: 'Insurance',
  retail: 'Retail',
  'real estate': 'Real Estate',
  telecommunications: 'Telecommunications',
  'higher education': 'Higher Education',
  'e learning': 'E-Learning Providers',
  elearning: 'E-Learning Providers',
  'e learning providers': 'E-Learning Providers',
  automotive: 'Motor Vehicle Manufacturing',
  'motor vehicle manufacturing': 'Motor Vehicle Manufacturing',
  pharmaceuticals: 'Pharmaceutical Manufacturing',
  'pharmaceutical manufacturing': 'Pharmaceutical Manufacturing',
  biotechnology: 'Biotechnology Research',
  'biotechnology research': 'Biotechnology Research',
  'food and beverages': 'Food and Beverage Services',
  'food and beverage services': 'Food and Beverage Services',
  'oil and energy': 'Oil and Gas',
  'oil and gas': 'Oil and Gas',
  'computer hardware': 'Computer Hardware Manufacturing',
  'computer hardware manufacturing': 'Computer Hardware Manufacturing',
  'mechanical or industrial engineering': 'Industrial Machinery Manufacturing',
  'industrial machinery manufacturing': 'Industrial Machinery Manufacturing',
  'logistics and supply chain': 'Transportation, Logistics, Supply Chain and Storage',
  'transportation logistics supply chain and storage': 'Transportation, Logistics, Supply Chain and Storage',
  'accounting': 'Accounting',
  'legal services': 'Legal Services',
  'law practice': 'Law Practice',
  construction: 'Construction',
  'consumer goods': 'Manufacturing',
  manufacturing: 'Manufacturing',
  'venture capital and private equity': 'Venture Capital and Private Equity Principals',
  'venture capital and private equity principals': 'Venture Capital and Private Equity Principals',
  'human resources': 'Human Resources Services',
  'human resources services': 'Human Resources Services',
  'online media': 'Online Audio and Video Media',
  'online audio and video media': 'Online Audio and Video Media',
  'computer games': 'Computer Games',
  'non profit organization management': 'Non-profit Organizations',
  'non profit organizations': 'Non-profit Organizations',
  nonprofit: 'Non-profit Organizations',
};

/** Case, "&" and punctuation do not tell two industry names apart. */
function industryKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * An industry in LinkedIn's current names ("Computer Software" → "Software Development",
 * "Information Technology & Services" → "IT Services and IT Consulting"); a name the table
 * does not know is kept, cased like a title ("RENEWABLE ENERGY" → "Renewable Energy").
 */
export function normaliseIndustry(input: unknown): string | null {
  const text = cleanText(input);
  if (text === null) return null;
  return INDUSTRY_ALIASES[industryKey(text)] ?? caseTitle(text.replace(/\s*&\s*/g, ' and '));
}

export interface NormalisedCompany {
  name: string | null;
  domain: string | null;
  industry: string | null;
  staffCount: number | null;
  sizeBand: SizeBand | null;
  linkedinUrl: string | null;
  /** Headquarters country: ISO 3166-1 alpha-2 when the provider's value can be read as one, else as given. */
  country: string | null;
}

/** The company as the pipeline stores it. */
export function normaliseCompany(raw: NetrowsCompany | null | undefined): NormalisedCompany | null {
  if (!raw) return null;
  const firmographics = companyFirmographics(raw);
  const host = typeof raw.website === 'string' ? hostOf(raw.website) : null;
  const staffCount = firmographics.employeeCount ?? null;
  const country = cleanText(raw.headquarter?.country);
  return {
    name: cleanText(raw.name),
    domain: host ? registrableDomainOf(host) : null,
    industry: firmographics.industries.map(normaliseIndustry).find((name) => name !== null) ?? null,
    staffCount,
    sizeBand: sizeBandOf(staffCount) ?? normaliseSizeBand(firmographics.employeeRange),
    linkedinUrl: normaliseLinkedinCompanyUrl(raw.linkedinUrl) ?? cleanText(raw.linkedinUrl),
    country: country === null ? null : (resolveCountryCode(country) ?? country),
  };
}
