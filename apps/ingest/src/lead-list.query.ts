import { z } from 'zod';
import { LEAD_STATUSES, LeadStatus } from '@leadpipe/contracts';
import { FieldError } from './create-lead.dto';
import { isPostgresTimestampText } from './postgres-timestamp';

/**
 * `GET /api/leads` query: filters and keyset pagination, newest first. The cursor is opaque to
 * clients: the (received_at, id) of the last lead of the previous page, so pages stay stable
 * while new leads arrive.
 */
export interface LeadListQuery {
  statuses: LeadStatus[];
  minScore?: number;
  maxScore?: number;
  receivedSince?: Date;
  limit: number;
  after?: LeadCursor;
}

export interface LeadCursor {
  /** PostgreSQL's own text for the timestamp (microseconds kept). */
  receivedAt: string;
  id: string;
}

const score = z.coerce.number().int('must be an integer').min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100');

const querySchema = z
  .object({
    status: z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(z.array(z.enum(LEAD_STATUSES, { error: `must be one or more of ${LEAD_STATUSES.join(', ')}, comma-separated` })))
      .optional(),
    min_score: score.optional(),
    max_score: score.optional(),
    received_since: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-11-30T00:00:00Z' })
      .transform((v) => new Date(v))
      .optional(),
    limit: z.coerce.number().int('must be an integer').min(1, 'must be between 1 and 500').max(500, 'must be between 1 and 500').default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export function encodeCursor(cursor: LeadCursor): string {
  return Buffer.from(JSON.stringify([cursor.receivedAt, cursor.id])).toString('base64url');
}

function decodeCursor(text: string): LeadCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [receivedAt, id] = value as unknown[];
    if (typeof receivedAt !== 'string' || !isPostgresTimestampText(receivedAt) || typeof id !== 'string') return null;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    return { receivedAt, id };
  } catch {
    return null;
  }
}

export function parseLeadListQuery(query: Record<string, unknown>): { ok: true; value: LeadListQuery } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) errors.push({ field: key, reason: 'must be given once' });
  }
  if (errors.length > 0) return { ok: false, errors };
  const result = querySchema.safeParse(query);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') errors.push(...issue.keys.map((key) => ({ field: key, reason: 'unknown query parameter' })));
      else errors.push({ field: String(issue.path[0] ?? '(query)'), reason: issue.message });
    }
    return { ok: false, errors };
  }
  const { status, min_score, max_score, received_since, limit, cursor } = result.data;
  if (min_score !== undefined && max_score !== undefined && min_score > max_score) {
    errors.push({ field: 'min_score', reason: 'must not be greater than max_score' });
  }
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (after === null) errors.push({ field: 'cursor', reason: 'is not a cursor this API gave out' });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: { statuses: status ?? [], minScore: min_score, maxScore: max_score, receivedSince: received_since, limit, after: after ?? undefined },
  };
}
