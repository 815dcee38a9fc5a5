import { z } from 'zod';
import { deadLetterSchema } from '@leadpipe/contracts';
import type { FieldError } from '../create-lead.dto';
import { isPostgresTimestampText } from '../postgres-timestamp';

export const DEAD_LETTER_CODES = deadLetterSchema.shape.errorCode.options;
export type DeadLetterCode = (typeof DEAD_LETTER_CODES)[number];

/** What `GET /api/dead-letters` and `POST /api/dead-letters/replay` select by. */
export interface DeadLetterFilter {
  stages: string[];
  codes: DeadLetterCode[];
  leadId?: string;
}

/**
 * `GET /api/dead-letters`: filters and keyset pagination, newest first. The cursor is opaque
 * to clients: the (failed_at, id) of the last dead letter of the previous page.
 */
export interface DeadLetterListQuery extends DeadLetterFilter {
  replayed?: boolean;
  limit: number;
  after?: DeadLetterCursor;
}

export interface DeadLetterCursor {
  /** PostgreSQL's own text for the timestamp (microseconds kept). */
  failedAt: string;
  id: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STAGE = /^[a-z][a-z0-9_-]{0,49}$/;

/** A comma-separated list (a query parameter, or a string in a body), or an array of strings in a body. */
const list = <T extends string>(item: z.ZodType<T, string>, message: string) =>
  z
    .union([z.string(), z.array(z.string())], { error: message })
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()))
    .pipe(z.array(item).min(1, message));

const STAGES_MESSAGE = 'must be one or more stage names (e.g. enricher), comma-separated';
const CODES_MESSAGE = `must be one or more of ${DEAD_LETTER_CODES.join(', ')}, comma-separated`;

const filterShape = {
  stage: list(z.string().regex(STAGE, STAGES_MESSAGE), STAGES_MESSAGE).optional(),
  code: list(z.enum(DEAD_LETTER_CODES, { error: CODES_MESSAGE }), CODES_MESSAGE).optional(),
  lead_id: z.string({ error: 'must be a UUID' }).regex(UUID, 'must be a UUID').optional(),
};

const listQuerySchema = z
  .object({
    ...filterShape,
    replayed: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
    limit: z.coerce.number().int('must be an integer').min(1, 'must be between 1 and 500').max(500, 'must be between 1 and 500').default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

const replayAllBodySchema = z.object(filterShape).strict();

const replayQuerySchema = z.object({ force: z.enum(['true', 'false'], { error: 'must be true or false' }).optional() }).strict();

export function encodeDeadLetterCursor(cursor: DeadLetterCursor): string {
  return Buffer.from(JSON.stringify([cursor.failedAt, cursor.id])).toString('base64url');
}

function decodeCursor(text: string): DeadLetterCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [failedAt, id] = value as unknown[];
    if (typeof failedAt !== 'string' || !isPostgresTimestampText(failedAt) || typeof id !== 'string' || !UUID.test(id)) return null;
    return { failedAt, id };
  } catch {
    return null;
  }
}

function fieldErrors(error: z.ZodError, fallback: string): FieldError[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, reason: fallback }))
      : [{ field: String(issue.path[0] ?? '(query)'), reason: issue.message }],
  );
}

/** A query parameter given twice arrives as an array: refused, like `GET /api/leads`. */
function repeated(query: Record<string, unknown>): FieldError[] {
  return Object.entries(query)
    .filter(([, value]) => Array.isArray(value))
    .map(([key]) => ({ field: key, reason: 'must be given once' }));
}

function filterOf(data: { stage?: string[]; code?: DeadLetterCode[]; lead_id?: string }): DeadLetterFilter {
  return { stages: data.stage ?? [], codes: data.code ?? [], leadId: data.lead_id?.toLowerCase() };
}

export function parseDeadLetterListQuery(query: Record<string, unknown>): Parsed<DeadLetterListQuery> {
  const twice = repeated(query);
  if (twice.length > 0) return { ok: false, errors: twice };
  const result = listQuerySchema.safeParse(query);
  if (!result.success) return { ok: false, errors: fieldErrors(result.error, 'unknown query parameter') };
  const { replayed, limit, cursor } = result.data;
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (after === null) return { ok: false, errors: [{ field: 'cursor', reason: 'is not a cursor this API gave out' }] };
  return { ok: true, value: { ...filterOf(result.data), replayed: replayed === undefined ? undefined : replayed === 'true', limit, after } };
}

/** The body of `POST /api/dead-letters/replay`: optional filters; none (or no body) means every dead letter not replayed yet. */
export function parseReplayAllBody(body: unknown): Parsed<DeadLetterFilter> {
  if (body === undefined || body === null) return { ok: true, value: filterOf({}) };
  if (typeof body !== 'object' || Array.isArray(body)) return { ok: false, errors: [{ field: '(body)', reason: 'must be a JSON object' }] };
  const result = replayAllBodySchema.safeParse(body);
  if (!result.success) return { ok: false, errors: fieldErrors(result.error, 'unknown field') };
  return { ok: true, value: filterOf(result.data) };
}

/** The query of `POST /api/dead-letters/:id/replay`: `force=true` replays a dead letter replayed before. */
export function parseReplayQuery(query: Record<string, unknown>): Parsed<{ force: boolean }> {
  const twice = repeated(query);
  if (twice.length > 0) return { ok: false, errors: twice };
  const result = replayQuerySchema.safeParse(query);
  if (!result.success) return { ok: false, errors: fieldErrors(result.error, 'unknown query parameter') };
  return { ok: true, value: { force: result.data.force === 'true' } };
}

/** The `:id` of a dead letter route. */
export function parseDeadLetterId(id: string): Parsed<string> {
  return UUID.test(id) ? { ok: true, value: id.toLowerCase() } : { ok: false, errors: [{ field: 'id', reason: 'must be a UUID' }] };
}
