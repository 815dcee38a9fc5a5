import { readFileSync } from 'node:fs';
import countries from 'i18n-iso-countries';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { NotifierEnv } from '@leadpipe/config';

/** The channels a rule can name. */
export const CHANNELS = ['slack', 'webhook'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** The seniority levels the validator derives from a title (its `seniorityOf`). */
export const SENIORITIES = ['c_level', 'vp', 'director', 'manager', 'individual'] as const;
export type Seniority = (typeof SENIORITIES)[number];

/** The built-in rule's name; rows and webhook ids made before rules files existed carry it. */
export const DEFAULT_RULE = 'score-threshold';

/** A score band: a lead is in the highest tier whose `minScore` it reaches. */
export interface Tier {
  name: string;
  minScore: number;
}

/** One rule, ready to match: every condition given must hold (a list holds when any entry does). */
export interface Rule {
  name: string;
  minScore?: number;
  tiers?: ReadonlySet<string>;
  /** Lower-cased. */
  industries?: ReadonlySet<string>;
  /** ISO 3166-1 alpha-2, upper-cased. */
  countries?: ReadonlySet<string>;
  seniorities?: ReadonlySet<Seniority>;
  channels: readonly ChannelName[];
}

export interface NotificationRules {
  /** Highest first. */
  tiers: readonly Tier[];
  rules: readonly Rule[];
}

/** What the rules look at: the validated lead, with its industry and seniority from the stored enrichment. */
export interface LeadFacts {
  leadId: string;
  score: number;
  tier: string | null;
  fullName: string | null;
  email: string | null;
  title: string | null;
  companyName: string | null;
  companyDomain: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
  industry: string | null;
  seniority: string | null;
  linkedinUrl: string | null;
}

/** A 80–100, B 60–79, C below: used when a rules file defines no tiers of its own. */
export const DEFAULT_TIERS: readonly Tier[] = [
  { name: 'A', minScore: 80 },
  { name: 'B', minScore: 60 },
  { name: 'C', minScore: 0 },
];

const score = z.number().int().min(0).max(100);
const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1, 'must list at least one entry (or leave the key out)');

const countryCode = z
  .string()
  .transform((code) => code.trim().toUpperCase())
  .refine((code) => /^[A-Z]{2}$/.test(code) && countries.isValid(code), {
    message: 'must be an ISO 3166-1 alpha-2 country code (e.g. DE, GB, US)',
  });

const tierSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, "_" or "-"'),
  min_score: score,
});

const conditionsSchema = z.strictObject({
  min_score: score.optional(),
  tiers: nonEmptyList(z.string().min(1)).optional(),
  industries: nonEmptyList(z.string().trim().min(1)).optional(),
  countries: nonEmptyList(countryCode).optional(),
  seniorities: nonEmptyList(z.enum(SENIORITIES)).optional(),
});

const ruleSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be 1–63 lower-case letters, digits, ".", "_" or "-" (it is part of the delivery key)'),
  when: conditionsSchema.default({}),
  channels: nonEmptyList(z.enum(CHANNELS)).refine((list) => new Set(list).size === list.length, { message: 'names a channel twice' }),
});

/** The file as written (snake_case keys). */
export const rulesFileSchema = z
  .strictObject({
    tiers: nonEmptyList(tierSchema).optional(),
    rules: nonEmptyList(ruleSchema),
  })
  .superRefine((file, ctx) => {
    const tiers = file.tiers ?? DEFAULT_TIERS.map((t) => ({ name: t.name, min_score: t.minScore }));
    duplicates(tiers.map((t) => t.name)).forEach((i) => ctx.addIssue({ code: 'custom', path: ['tiers', i, 'name'], message: 'is used twice' }));
    duplicates(tiers.map((t) => t.min_score)).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['tiers', i, 'min_score'], message: 'is used by another tier too' }),
    );
    duplicates(file.rules.map((r) => r.name)).forEach((i) => ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: 'is used twice' }));
    const tierNames = new Set(tiers.map((t) => t.name));
    file.rules.forEach((rule, i) =>
      (rule.when.tiers ?? []).forEach((tier, j) => {
        if (!tierNames.has(tier)) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'when', 'tiers', j],
            message: `"${tier}" is not a defined tier (${[...tierNames].join(', ')})`,
          });
        }
      }),
    );
  });

export type RulesFile = z.input<typeof rulesFileSchema>;

/** An invalid rules file: every issue names the file and where in it, and says why. */
export class RulesFileError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`Invalid notification rules in ${source}:\n  ${issues.join('\n  ')}`);
    this.name = 'RulesFileError';
  }
}

/**
 * Parses a rules file's text (YAML, or JSON, which is YAML too) and checks which channels it may
 * use: a rule naming a channel that has no URL is an error, not a silent no-op.
 */
export function parseRules(text: string, source: string, configured: ReadonlySet<ChannelName>): NotificationRules {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RulesFileError(
      source,
      doc.errors.map((e) => e.message.split('\n')[0]),
    );
  }
  const parsed = rulesFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new RulesFileError(
      source,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const file = parsed.data;
  const unconfigured: string[] = [];
  file.rules.forEach((rule, i) =>
    rule.channels.forEach((channel, j) => {
      if (!configured.has(channel)) unconfigured.push(`rules.${i}.channels.${j}: "${channel}" is not configured (${CHANNEL_VARIABLES[channel]} is empty)`);
    }),
  );
  if (unconfigured.length > 0) throw new RulesFileError(source, unconfigured);
  return {
    tiers: [...(file.tiers?.map((t) => ({ name: t.name, minScore: t.min_score })) ?? DEFAULT_TIERS)].sort((a, b) => b.minScore - a.minScore),
    rules: file.rules.map((rule) => ({
      name: rule.name,
      minScore: rule.when.min_score,
      tiers: setOf(rule.when.tiers),
      industries: setOf(rule.when.industries?.map((s) => s.toLowerCase())),
      countries: setOf(rule.when.countries),
      seniorities: setOf(rule.when.seniorities),
      channels: rule.channels,
    })),
  };
}

const CHANNEL_VARIABLES: Record<ChannelName, string> = {
  slack: 'NOTIFIER_SLACK_WEBHOOK_URL',
  webhook: 'NOTIFIER_WEBHOOK_URL',
};

/** The channels that have somewhere to send to. */
export function configuredChannels(config: Pick<NotifierEnv, 'NOTIFIER_WEBHOOK_URL' | 'NOTIFIER_SLACK_WEBHOOK_URL'>): Set<ChannelName> {
  const channels = new Set<ChannelName>();
  if (config.NOTIFIER_SLACK_WEBHOOK_URL) channels.add('slack');
  if (config.NOTIFIER_WEBHOOK_URL) channels.add('webhook');
  return channels;
}

/**
 * The rules in force: NOTIFIER_RULES_FILE's, or else the built-in one (today's behaviour): a
 * lead scoring at least NOTIFIER_SCORE_THRESHOLD is announced on every configured channel.
 */
export function loadRules(
  config: Pick<NotifierEnv, 'NOTIFIER_RULES_FILE' | 'NOTIFIER_SCORE_THRESHOLD' | 'NOTIFIER_WEBHOOK_URL' | 'NOTIFIER_SLACK_WEBHOOK_URL'>,
): NotificationRules {
  const configured = configuredChannels(config);
  if (!config.NOTIFIER_RULES_FILE) {
    return {
      tiers: DEFAULT_TIERS,
      rules: [{ name: DEFAULT_RULE, minScore: config.NOTIFIER_SCORE_THRESHOLD, channels: CHANNELS.filter((c) => configured.has(c)) }],
    };
  }
  let text: string;
  try {
    text = readFileSync(config.NOTIFIER_RULES_FILE, 'utf8');
  } catch (error) {
    throw new RulesFileError(config.NOTIFIER_RULES_FILE, [`cannot be read: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseRules(text, config.NOTIFIER_RULES_FILE, configured);
}

/** The highest tier the score reaches, or null below them all. */
export function tierOf(tiers: readonly Tier[], score: number): string | null {
  return tiers.find((tier) => score >= tier.minScore)?.name ?? null;
}

/** Every rule the lead satisfies, in file order. */
export function matchRules(rules: readonly Rule[], lead: LeadFacts): Rule[] {
  return rules.filter(
    (rule) =>
      (rule.minScore === undefined || lead.score >= rule.minScore) &&
      (!rule.tiers || (lead.tier !== null && rule.tiers.has(lead.tier))) &&
      (!rule.industries || (lead.industry !== null && rule.industries.has(lead.industry.toLowerCase()))) &&
      (!rule.countries || (lead.country !== null && rule.countries.has(lead.country.toUpperCase()))) &&
      (!rule.seniorities || (lead.seniority !== null && (rule.seniorities as ReadonlySet<string>).has(lead.seniority))),
  );
}

function setOf<T>(list: readonly T[] | undefined): ReadonlySet<T> | undefined {
  return list ? new Set(list) : undefined;
}

/** Indexes of entries that repeat an earlier one. */
function duplicates<T>(values: readonly T[]): number[] {
  return values.flatMap((value, i) => (values.indexOf(value) < i ? [i] : []));
}
