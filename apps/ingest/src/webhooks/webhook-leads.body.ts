import { CreateLeadBody, FieldError, parseCreateLeadBody } from '../create-lead.dto';

/** Leads one delivery may carry: one transaction, and an answer well inside a sender's timeout. */
export const MAX_LEADS_PER_DELIVERY = 500;

/**
 * The body of `POST /api/webhooks/leads`: one lead, or an array of leads, each in the shape of
 * `POST /api/leads`. Every invalid field of every lead is reported, prefixed with the lead's
 * index in an array (`[2].email`), so the sender can fix them all at once.
 */
export function parseWebhookLeadsBody(body: unknown): { ok: true; value: CreateLeadBody[] } | { ok: false; errors: FieldError[] } {
  if (!Array.isArray(body)) {
    const parsed = parseCreateLeadBody(body);
    if (!parsed.ok) {
      const errors = parsed.errors.map((e) => (e.field === '(body)' ? { field: '(body)', reason: 'must be a lead object or an array of them' } : e));
      return { ok: false, errors };
    }
    return { ok: true, value: [parsed.value] };
  }
  if (body.length === 0) return { ok: false, errors: [{ field: '(body)', reason: 'must hold at least one lead' }] };
  if (body.length > MAX_LEADS_PER_DELIVERY) {
    return { ok: false, errors: [{ field: '(body)', reason: `must hold at most ${MAX_LEADS_PER_DELIVERY} leads` }] };
  }
  const leads: CreateLeadBody[] = [];
  const errors: FieldError[] = [];
  body.forEach((item, index) => {
    const parsed = parseCreateLeadBody(item);
    if (parsed.ok) leads.push(parsed.value);
    else for (const e of parsed.errors) errors.push({ field: e.field === '(body)' ? `[${index}]` : `[${index}].${e.field}`, reason: e.reason });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: leads };
}
