import { z } from 'zod';
import { isStorableText, UNSTORABLE_TEXT } from './storable-text';
import { TopicKey } from './topics';

const isoDate = z.iso.datetime({ offset: true });
/** Text that is stored: NUL and unpaired surrogates would make every write of the lead fail (a message retried forever). */
const text = () => z.string().refine(isStorableText, UNSTORABLE_TEXT);
const optionalText = (max: number) => text().trim().min(1).max(max).optional();

/** Lead statuses; every accepted lead ends in exactly one terminal state. */
export const LEAD_STATUSES = ['received', 'enriched', 'not_found', 'invalid', 'dead_lettered'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
export const TERMINAL_STATUSES: readonly LeadStatus[] = ['enriched', 'not_found', 'invalid', 'dead_lettered'];

/** What a person or a system gave us about a lead, as it was given (camelCase). */
export const leadInputSchema = z
  .object({
    email: text().trim().max(320).optional(),
    firstName: optionalText(200),
    lastName: optionalText(200),
    companyDomain: optionalText(253),
    linkedinUrl: text().trim().max(2048).optional(),
  })
  .refine((l) => Boolean(l.email || l.linkedinUrl), {
    message: 'at least one of email or linkedinUrl is required',
    path: ['email'],
  });
export type LeadInput = z.infer<typeof leadInputSchema>;

const envelope = {
  schemaVersion: z.literal(1),
  eventId: z.uuid(),
  leadId: z.uuid(),
  /** Normalised e-mail, else normalised LinkedIn URL: the Kafka key of every event of the lead. */
  identityKey: text().min(1).max(2048),
};

export const leadReceivedSchema = z.object({
  ...envelope,
  receivedAt: isoDate,
  source: z.enum(['api', 'csv', 'webhook', 'kafka']),
  priority: z.enum(['normal', 'high']).default('normal'),
  /** Enrich again even if the answers are cached: this lead's cache entries are replaced. */
  refresh: z.boolean().default(false),
  lead: leadInputSchema,
});
export type LeadReceived = z.infer<typeof leadReceivedSchema>;

/** Raw provider payloads are kept as they came; the validator owns their interpretation. */
const rawObject = z.record(z.string(), z.unknown());

export const leadEnrichedSchema = z.object({
  ...envelope,
  receivedAt: isoDate,
  lead: leadInputSchema,
  /** `disqualified`: the lead failed the enricher's qualification rules and was not looked up. */
  outcome: z.enum(['enriched', 'not_found', 'disqualified']),
  /** Why, for `disqualified`. */
  reasons: z.array(z.string()).default([]),
  provider: z.string().min(1),
  /** Paid calls made for this lead (0 when everything came from the cache). */
  providerCalls: z.number().int().min(0),
  enrichedAt: isoDate,
  person: rawObject.nullable(),
  company: rawObject.nullable(),
});
export type LeadEnriched = z.infer<typeof leadEnrichedSchema>;

export const leadValidatedSchema = z.object({
  ...envelope,
  status: z.enum(['enriched', 'not_found', 'invalid']),
  score: z.number().int().min(0).max(100).nullable(),
  reasons: z.array(z.string()),
  summary: z.object({
    fullName: z.string().nullable(),
    email: z.string().nullable(),
    title: z.string().nullable(),
    companyName: z.string().nullable(),
    companyDomain: z.string().nullable(),
    country: z.string().nullable(),
    linkedinUrl: z.string().nullable(),
  }),
  validatedAt: isoDate,
});
export type LeadValidated = z.infer<typeof leadValidatedSchema>;

export const deadLetterSchema = z.object({
  schemaVersion: z.literal(1),
  eventId: z.uuid(),
  /** The lead, when the failed message was readable enough to tell. */
  leadId: z.uuid().nullable(),
  stage: z.string().min(1),
  reason: z.string().min(1),
  errorCode: z.enum(['schema_invalid', 'unparseable', 'provider_rejected', 'processing_failed', 'retries_exhausted']),
  originTopic: z.string(),
  originPartition: z.number().int(),
  originOffset: z.string(),
  attempts: z.number().int().min(1),
  firstFailureAt: isoDate,
  failedAt: isoDate,
  key: z.string().nullable(),
  /** The original message value, as UTF-8 text when it was text, else base64. */
  payload: z.string(),
  payloadEncoding: z.enum(['utf8', 'base64']),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

/** Something an operator must act on. Raised on state changes, not per lead. */
export const opsAlertSchema = z.object({
  schemaVersion: z.literal(1),
  eventId: z.uuid(),
  kind: z.enum(['provider_unauthorized', 'provider_out_of_credits', 'breaker_open', 'budget_exhausted', 'provider_recovered']),
  severity: z.enum(['critical', 'warning', 'info']),
  source: z.string().min(1),
  message: z.string().min(1).max(2000),
  raisedAt: isoDate,
});
export type OpsAlert = z.infer<typeof opsAlertSchema>;

/** One schema per topic: producers and consumers are typed from this map. */
export const EVENT_SCHEMAS = {
  leadReceived: leadReceivedSchema,
  leadReceivedPriority: leadReceivedSchema,
  leadEnriched: leadEnrichedSchema,
  leadValidated: leadValidatedSchema,
  deadLetter: deadLetterSchema,
  enrichRetry1: leadReceivedSchema,
  enrichRetry2: leadReceivedSchema,
  enrichRetry3: leadReceivedSchema,
  opsAlert: opsAlertSchema,
} as const satisfies Record<TopicKey, z.ZodType>;

export type EventOf<K extends TopicKey> = z.output<(typeof EVENT_SCHEMAS)[K]>;
export type EventInputOf<K extends TopicKey> = z.input<(typeof EVENT_SCHEMAS)[K]>;
