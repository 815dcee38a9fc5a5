import { NormalisedCompany, NormalisedPerson, Seniority } from './lead-normaliser';

const SENIORITY_POINTS: Record<Seniority, number> = { c_level: 45, vp: 38, director: 30, manager: 18, individual: 6 };

export interface ScoreBreakdown {
  total: number;
  parts: Record<string, number>;
}

/** Ideal-customer fit from 0 to 100: seniority, company size, reachability. */
export function scoreLead(person: NormalisedPerson | null, company: NormalisedCompany | null, hasWorkEmail: boolean): ScoreBreakdown {
  const parts: Record<string, number> = {};
  if (person?.seniority) parts.seniority = SENIORITY_POINTS[person.seniority];
  const staff = company?.staffCount ?? null;
  if (staff !== null) parts.companySize = staff > 1000 ? 30 : staff > 200 ? 24 : staff > 50 ? 16 : staff > 10 ? 8 : 3;
  if (hasWorkEmail) parts.workEmail = 10;
  if (person?.countryCode) parts.location = 5;
  if (company?.industry) parts.industry = 5;
  if (person?.title && company?.name) parts.currentPosition = 5;
  const total = Math.min(100, Object.values(parts).reduce((a, b) => a + b, 0));
  return { total, parts };
}
