import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { normaliseIndustry, SIZE_BANDS } from './normalise/company';
import { JOB_FUNCTIONS, SENIORITIES } from './normalise/titles';

/** Injection token of the rules the validator scores with (loaded once, at boot). */
export const SCORING_RULES = Symbol('SCORING_RULES');

/** `'*'` in a criterion's table: the points of any value the table does not name. */
export const ANY = '*';

const points = z.number().int('must be a whole number').min(-100, 'must be between -100 and 100').max(100, 'must be between -100 and 100');

/** A table of points per value, keyed by the values of `keys` (and `'*'`); typos are refused. */
function tableOf<const K extends readonly string[]>(keys: K) {
  return z
    .record(z.string(), points)
    .superRefine((table, ctx) => {
      for (const key of Object.keys(table)) {
        if (key !== ANY && !keys.includes(key)) {
          ctx.addIssue({ code: 'custom', path: [key], message: `unknown value; expected one of ${[...keys, ANY].join(', ')}` });
        }
      }
    })
    .default({});
}

/** Industries are matched by their LinkedIn name: a key is normalised like the provider's value. */
const industryTable = z
  .record(z.string().min(1), points)
  .transform((table) => Object.fromEntries(Object.entries(table).map(([name, p]) => [name === ANY ? ANY : (normaliseIndustry(name) ?? name), p])))
  .default({});

/** Countries by ISO 3166-1 alpha-2 code, any case in the file. */
const countryTable = z
  .record(z.string(), points)
  .superRefine((table, ctx) => {
    for (const code of Object.keys(table)) {
      if (!/^([A-Za-z]{2}|\*)$/.test(code)) ctx.addIssue({ code: 'custom', path: [code], message: 'must be an ISO 3166-1 alpha-2 code (e.g. DE) or *' });
    }
  })
  .transform((table) => Object.fromEntries(Object.entries(table).map(([code, p]) => [code.toUpperCase(), p])))
  .default({});

export const scoringRulesSchema = z
  .object({
    version: z.literal(1).default(1),
    seniority: tableOf(SENIORITIES),
    job_function: tableOf(JOB_FUNCTIONS),
    /** By LinkedIn's size band (from the head count, else from the provider's range). */
    company_size: tableOf(SIZE_BANDS),
    industry: industryTable,
    /** The person's country. */
    country: countryTable,
    signals: z
      .object({
        /** An e-mail at the lead's own company: not free-mail, not disposable. */
        work_email: points.default(0),
        /** The profile names a current title and the provider knows the company. */
        current_position: points.default(0),
      })
      .strict()
      .default({ work_email: 0, current_position: 0 }),
  })
  .strict();

export type ScoringRules = z.output<typeof scoringRulesSchema>;

/**
 * The rules used when `VALIDATOR_SCORING_FILE` is unset: seniority and company size carry the
 * score, a work e-mail adds 10, and knowing the country, industry and current position 5 each.
 */
export const DEFAULT_SCORING_RULES: ScoringRules = scoringRulesSchema.parse({
  seniority: { c_level: 45, vp: 38, director: 30, manager: 18, individual: 6 },
  company_size: { '1-10': 3, '11-50': 8, '51-200': 16, '201-500': 24, '501-1000': 24, '1001-5000': 30, '5001-10000': 30, '10001+': 30 },
  industry: { [ANY]: 5 },
  country: { [ANY]: 5 },
  signals: { work_email: 10, current_position: 5 },
});

/** Thrown at boot when the scoring file cannot be read or does not hold valid rules. */
export class ScoringRulesError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`Invalid scoring rules in VALIDATOR_SCORING_FILE ${file}:\n  ${issues.join('\n  ')}`);
    this.name = 'ScoringRulesError';
  }
}

/** Parses the text of a scoring file (YAML, so JSON too); `file` only names it in errors. */
export function parseScoringRules(text: string, file: string): ScoringRules {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ScoringRulesError(file, [`(file): not YAML or JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`]);
  }
  const result = scoringRulesSchema.safeParse(document ?? {});
  if (!result.success) {
    throw new ScoringRulesError(
      file,
      result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** The rules of `file`, or the defaults when no file is configured. Reads the file once, at boot. */
export function loadScoringRules(file: string | undefined): ScoringRules {
  if (file === undefined) return DEFAULT_SCORING_RULES;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ScoringRulesError(file, [`(file): cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  return parseScoringRules(text, file);
}
