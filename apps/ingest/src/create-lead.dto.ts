import { z } from 'zod';
import isEmail from 'validator/lib/isEmail';
import { linkedinSlug } from '@leadpipe/contracts';

/**
 * The body of `POST /api/leads`, in the field names the popular tutorial (and most
 * forms) use. Unknown fields are refused so that a typo does not silently lose data.
 */
export const createLeadBodySchema = z
  .object({
    email: z
      .string()
      .trim()
      .max(320)
      .refine((v) => isEmail(v), 'must be a valid e-mail address')
      .optional(),
    first_name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
    last_name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
    company_domain: z
      .string()
      .trim()
      .toLowerCase()
      .max(253)
      .transform((v) => v.replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/.*$/, ''))
      .refine((v) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(v), 'must be a domain name such as example.com')
      .optional(),
    linkedin_url: z
      .string()
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
