import { NormalisedCompany, NormalisedPerson } from './lead-normaliser';
import { ANY, DEFAULT_SCORING_RULES, ScoringRules } from './scoring-rules';

export type ScoreCriterion = 'seniority' | 'job_function' | 'company_size' | 'industry' | 'country' | 'work_email' | 'current_position';

/** One line of a score's breakdown, as stored in `leads.score_breakdown`. */
export interface ScorePart {
  criterion: ScoreCriterion;
  /** The lead's value the points were given for (`true` for a signal). */
  value: string | boolean;
  points: number;
}

export interface LeadScore {
  /** The sum of the parts, kept between 0 and 100. */
  total: number;
  /** The criteria that gave points (non-zero), in the order of the rules file's sections. */
  breakdown: ScorePart[];
}

/** Points of `value` in a criterion's table: its own entry, else the `'*'` entry. */
function pointsOf(table: Record<string, number>, value: string): number {
  return table[value] ?? table[ANY] ?? 0;
}

/** Ideal-customer fit from 0 to 100 by the rules: who the person is, the company, reachability. */
export function scoreLead(
  person: NormalisedPerson | null,
  company: NormalisedCompany | null,
  hasWorkEmail: boolean,
  rules: ScoringRules = DEFAULT_SCORING_RULES,
): LeadScore {
  const breakdown: ScorePart[] = [];
  const add = (criterion: ScoreCriterion, value: string | boolean, points: number) => {
    if (points !== 0) breakdown.push({ criterion, value, points });
  };
  if (person?.seniority) add('seniority', person.seniority, pointsOf(rules.seniority, person.seniority));
  if (person?.jobFunction) add('job_function', person.jobFunction, pointsOf(rules.job_function, person.jobFunction));
  if (company?.sizeBand) add('company_size', company.sizeBand, pointsOf(rules.company_size, company.sizeBand));
  if (company?.industry) add('industry', company.industry, pointsOf(rules.industry, company.industry));
  if (person?.countryCode) add('country', person.countryCode, pointsOf(rules.country, person.countryCode));
  if (hasWorkEmail) add('work_email', true, rules.signals.work_email);
  if (person?.title && company?.name) add('current_position', true, rules.signals.current_position);
  const sum = breakdown.reduce((total, part) => total + part.points, 0);
  return { total: Math.max(0, Math.min(100, sum)), breakdown };
}
