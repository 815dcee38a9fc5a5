import { z } from 'zod';
import isEmail from 'validator/lib/isEmail';
import { isStorableText, linkedinSlug, UNSTORABLE_TEXT } from '@leadpipe/contracts';

/** A string field; NUL and unpaired surrogates are refused here, as 400s, not as failed writes. */
const text = () => z.string().refine(isStorableText, UNSTORABLE_TEXT);

/**
 * The body of `POST /api/leads`, in the field names the popular tutorial (and most
 * forms) use. Unknown fields are refused so that a typo does not silently lose data.
 */
export const createLeadBodySchema = z
  .object({
    email: text()
      .trim()
      .max(320)
      .refine((v) => isEmail(v), 'must be a valid e-mail address')
      .optional(),
    first_name: text().trim().min(1, 'must not be empty').max(200).optional(),
    last_name: text().trim().min(1, 'must not be empty').max(200).optional(),
    company_domain: text()
      .trim()
      .toLowerCase()
      .max(253)
      .transform((v) => v.replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/.*$/, ''))
      .refine((v) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(v), 'must be a domain name such as example.com')
      .optional(),
    linkedin_url: text()
      .trim()
      .max(2048)
      .refine((v) => linkedinSlug(v) !== null, 'must be a LinkedIn profile URL (https://www.linkedin.com/in/<name>/)')
      .optional(),
    /** `high` puts the lead ahead of normal ones while both wait for the enricher. */
    priority: z.enum(['normal', 'high']).optional(),
  })
  .strict()
  .refine((b) => Boolean(b.email || b.linkedin_url), {
    message: 'at least one of email or linkedin_url is required',
    path: ['email'],
  });

export type CreateLeadBody = z.infer<typeof createLeadBodySchema>;

export interface FieldError {
  field: string;
  reason: string;
}

export function parseCreateLeadBody(body: unknown): { ok: true; value: CreateLeadBody } | { ok: false; errors: FieldError[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(body)', reason: 'must be a JSON object' }] };
  }
  const result = createLeadBodySchema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ field: key, reason: 'unknown field' });
    } else {
      const field = issue.path.join('.') || '(body)';
      const reason = issue.code === 'invalid_type' ? `must be a ${issue.expected}` : issue.message;
      errors.push({ field, reason });
    }
  }
  return { ok: false, errors };
}

/**
 * The body of `POST /api/leads/batch`: `{ "leads": [ ... ] }`, each lead as for one. The batch
 * is accepted whole or not at all; errors name the lead by index (`leads[3].email`).
 */
export function parseCreateLeadBatch(
  body: unknown,
  maxLeads: number,
): { ok: true; value: CreateLeadBody[] } | { ok: false; errors: FieldError[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(body)', reason: 'must be a JSON object with a "leads" array' }] };
  }
  const { leads, ...rest } = body as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(rest).map((key) => ({ field: key, reason: 'unknown field' }));
  if (!Array.isArray(leads)) return { ok: false, errors: [...errors, { field: 'leads', reason: 'must be an array of leads' }] };
  if (leads.length === 0) return { ok: false, errors: [...errors, { field: 'leads', reason: 'must hold at least one lead' }] };
  if (leads.length > maxLeads) return { ok: false, errors: [...errors, { field: 'leads', reason: `must hold at most ${maxLeads} leads` }] };
  const value: CreateLeadBody[] = [];
  leads.forEach((lead, index) => {
    const parsed = parseCreateLeadBody(lead);
    if (parsed.ok) value.push(parsed.value);
    else errors.push(...parsed.errors.map((e) => ({ field: e.field === '(body)' ? `leads[${index}]` : `leads[${index}].${e.field}`, reason: e.reason })));
  });
  return errors.length === 0 ? { ok: true, value } : { ok: false, errors };
}
