import type { LeadInput } from '@leadpipe/contracts';

/** Where a stored field came from: what the lead's sender entered, or a provider's name. */
export interface FieldProvenance {
  source: 'input' | (string & {});
  /** When the value was given (the lead's `received_at`) or bought (the enrichment's fetch time). */
  fetched_at: string;
}

/** The lead's input as `leads` stores it (snake_case columns). */
export interface StoredInput {
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  company_domain: string | null;
  linkedin_url: string | null;
  received_at: Date;
}

const INPUT_FIELDS = ['email', 'first_name', 'last_name', 'company_domain', 'linkedin_url'] as const;

/**
 * The write policy for the lead's own fields: what a person (or the producing system) entered
 * is stored once, when the lead is first seen, and is never overwritten by a later event:
 * neither by provider data nor by a re-enrichment whose event carries other input. So the lead
 * is judged (identity, flags, work e-mail) on the stored input when there is one.
 */
export function effectiveInput(stored: StoredInput | undefined, incoming: LeadInput): LeadInput {
  if (!stored) return incoming;
  return {
    email: stored.email ?? undefined,
    firstName: stored.first_name ?? undefined,
    lastName: stored.last_name ?? undefined,
    companyDomain: stored.company_domain ?? undefined,
    linkedinUrl: stored.linkedin_url ?? undefined,
  };
}

/**
 * Field → where its value came from and when, for every stored non-empty field: the input
 * fields from `input` as given at `receivedAt`, the person and company fields (as `person.<field>`
 * and `company.<field>`) from `provider` at `fetchedAt`. A re-enrichment replaces every provider
 * field (the whole person and company are the new answer's); the input entries stay as they were.
 */
export function provenanceOf(args: {
  input: LeadInput;
  receivedAt: Date | string;
  provider: string;
  fetchedAt: Date | string;
  person: Record<string, unknown> | null;
  company: Record<string, unknown> | null;
}): Record<string, FieldProvenance> {
  const provenance: Record<string, FieldProvenance> = {};
  const given = new Date(args.receivedAt).toISOString();
  const inputValues: Record<(typeof INPUT_FIELDS)[number], string | undefined> = {
    email: args.input.email,
    first_name: args.input.firstName,
    last_name: args.input.lastName,
    company_domain: args.input.companyDomain,
    linkedin_url: args.input.linkedinUrl,
  };
  for (const field of INPUT_FIELDS) {
    if (isPresent(inputValues[field])) provenance[field] = { source: 'input', fetched_at: given };
  }
  const fetched = new Date(args.fetchedAt).toISOString();
  for (const [prefix, values] of [['person', args.person], ['company', args.company]] as const) {
    for (const [field, value] of Object.entries(values ?? {})) {
      if (isPresent(value)) provenance[`${prefix}.${field}`] = { source: args.provider, fetched_at: fetched };
    }
  }
  return provenance;
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}

