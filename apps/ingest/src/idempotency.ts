import { BadRequestException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';

/**
 * `Idempotency-Key` support, after the IETF draft "The Idempotency-Key HTTP Header Field" and
 * Stripe's practice: a client that retries a request with the same key and the same body gets
 * the first answer again and no second lead; the same key with another body is refused (422).
 * Keys live `INGEST_IDEMPOTENCY_TTL_HOURS`, per scope: a route (and, once API keys exist, a
 * client), or a webhook source, whose delivery ids are idempotency keys too.
 *
 * The key is claimed inside the transaction that stores the leads, so two requests racing with
 * one key are serialised by PostgreSQL: the second waits for the first to commit, then replays
 * its answer (or, if the first rolled back, proceeds as the first).
 */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  requestHash: string;
}

export interface StoredAnswer<T> {
  statusCode: number;
  body: T;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The key was already used with another request body (the HTTP layer answers 422, or 409 for webhooks). */
export class IdempotencyKeyReusedError extends Error {
  constructor(scope: string) {
    super(`idempotency key already used with a different request body (${scope})`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** Validates the header; `undefined` when absent. */
export function idempotencyKeyFrom(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!KEY.test(header)) {
    throw new BadRequestException({
      statusCode: 400,
      message: 'Validation failed',
      errors: [{ field: 'Idempotency-Key', reason: 'must be 1 to 255 visible ASCII characters' }],
    });
  }
  return header;
}

/** SHA-256 of the body with object keys sorted: the same JSON in another key order is the same request. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Claims the key in `tx` together with `answer`, the answer the caller's work will give (it must
 * not depend on what the work finds). Returns the stored answer when the key was already used
 * with the same body (the caller must then write nothing), `null` when the claim is new: the
 * caller does its work in the same transaction, and a rollback takes the claim and its answer
 * back with it. An expired claim counts as new. One round trip when the key is new.
 */
export async function claimIdempotencyKey<T>(
  tx: EntityManager,
  claim: IdempotencyClaim,
  ttlHours: number,
  answer: StoredAnswer<T>,
): Promise<StoredAnswer<T> | null> {
  const inserted: unknown[] = await tx.query(
    `INSERT INTO idempotency_keys AS k (scope, key, request_hash, status_code, response)
          VALUES ($1, $2, $3, $5, $6::jsonb)
     ON CONFLICT (scope, key) DO UPDATE
          SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code, response = EXCLUDED.response, created_at = now()
        WHERE k.created_at < now() - make_interval(hours => $4)
     RETURNING key`,
    [claim.scope, claim.key, claim.requestHash, ttlHours, answer.statusCode, JSON.stringify(answer.body)],
  );
  if (inserted.length > 0) return null;
  const [stored] = (await tx.query(`SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2`, [
    claim.scope,
    claim.key,
  ])) as Array<{ request_hash: string; status_code: number; response: T }>;
  if (stored.request_hash !== claim.requestHash) throw new IdempotencyKeyReusedError(claim.scope);
  return { statusCode: stored.status_code, body: stored.response };
}

/** Deletes expired keys; returns how many. */
export async function purgeExpiredIdempotencyKeys(tx: EntityManager, ttlHours: number): Promise<number> {
  const [, count] = (await tx.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [ttlHours])) as [
    unknown,
    number,
  ];
  return count;
}

/** Hex SHA-256 of bytes or text (a webhook body's fingerprint). */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
