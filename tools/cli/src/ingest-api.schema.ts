import { z } from 'zod';

/**
 * The ingest HTTP API as this tool reads it. Kept here rather than in libs/contracts because
 * the CLI is an external HTTP client: it must keep working against any ingest that honours
 * the HTTP contract, whatever the internal Kafka payloads look like. Parsing is lenient on
 * nullable and extra fields and strict on what the tool acts on (id, status).
 */
export const TERMINAL_STATUSES = ['enriched', 'not_found', 'invalid', 'dead_lettered'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** The status of a lead ingest holds but the pipeline has not finished. */
export const PENDING_STATUS = 'received';

export function isTerminalStatus(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

const text = z.string().nullish();

export const acceptedLeadSchema = z.object({ id: z.string().min(1), status: z.string().optional() });

/** 202 of `POST /api/leads/batch`: the ids in the order the leads were sent. */
export const acceptedBatchSchema = z.object({ accepted: z.number().int().nonnegative().optional(), leads: z.array(acceptedLeadSchema) });

/** 409 of a lead (or batch) naming a person who asked to be erased; `indexes` are positions in the batch. */
export const suppressedAnswerSchema = z.object({ reason: z.literal('suppressed'), indexes: z.array(z.number().int().nonnegative()).optional() });

export const validationFailureSchema = z.object({
  message: z.union([z.string(), z.array(z.string())]).optional(),
  errors: z.array(z.object({ field: z.string().nullish(), reason: z.string().nullish() })).optional(),
});
export type ValidationFailure = z.infer<typeof validationFailureSchema>;

export const enrichedPersonSchema = z.object({
  full_name: text,
  first_name: text,
  last_name: text,
  headline: text,
  title: text,
  seniority: text,
  company_name: text,
  city: text,
  country_code: text,
  linkedin_url: text,
  skills: z.array(z.string()).nullish(),
});

export const enrichedCompanySchema = z.object({
  name: text,
  domain: text,
  industry: text,
  staff_count: z.number().nullish(),
  linkedin_url: text,
  country: text,
});

export const leadViewSchema = z.object({
  id: z.string().min(1),
  // A plain string: a status added later by ingest reads as "not terminal yet", not as a broken response.
  status: z.string().min(1),
  status_reason: text,
  reasons: z.array(z.string()).nullish(),
  score: z.number().nullish(),
  received_at: text,
  updated_at: text,
  enrichment: z
    .object({
      provider: z.string(),
      provider_calls: z.number().int().nonnegative(),
      fetched_at: text,
      person: enrichedPersonSchema.nullish(),
      company: enrichedCompanySchema.nullish(),
    })
    .nullish(),
});
export type LeadView = z.infer<typeof leadViewSchema>;

/** A page of `GET /api/leads` (newest first); only the ids are read. */
export const leadPageSchema = z.object({
  data: z.array(z.object({ id: z.string().min(1) })),
  next_cursor: z.string().min(1).nullable(),
});
