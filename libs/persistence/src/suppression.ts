import { createHash, createHmac } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * The suppression list: identities (see `identityKeysOf` in `@leadpipe/contracts`) of people
 * who asked to be erased, stored only as a hash so the list itself names nobody.
 *
 * PostgreSQL (`suppressions`) is the record; a Redis set under this key (behind the service's
 * key prefix) mirrors it for the enricher, which has no database. Ingest keeps the mirror
 * complete.
 */
export const SUPPRESSED_IDENTITIES_KEY = 'suppressed:identities';

/** The reason stored with suppressions that an erasure request created. */
export const SUPPRESSION_REASON_ERASURE = 'erasure_request';

/**
 * The stored form of an identity key: HMAC-SHA-256 keyed with the pepper when one is set
 * (`SUPPRESSION_PEPPER`), else SHA-256; hex. Without a secret pepper anyone who can read the
 * list can test guessed e-mail addresses against it; with one they cannot. Every service must
 * use the same pepper, and changing it orphans every stored suppression.
 */
export function suppressionHash(identityKey: string, pepper?: string): string {
  return pepper ? createHmac('sha256', pepper).update(identityKey).digest('hex') : createHash('sha256').update(identityKey).digest('hex');
}

/**
 * The PostgreSQL advisory lock that orders erasures against writes that could re-create an
 * erased person's rows (ingest accepting a lead, the validator storing one). Writers hold it
 * shared for their transaction and check the list under it; an erasure holds it exclusively,
 * so a writer either commits before the erasure looks for rows, or sees its suppressions.
 */
const ERASURE_LOCK_KEY = '28554735522247269';

type Queryable = Pick<EntityManager, 'query'>;

/**
 * Runs `work` in a transaction that holds the erasure lock shared from its start, as a writer
 * must. `START TRANSACTION` and the lock travel as one simple-protocol query: one round trip
 * less than `DataSource.transaction` and a locking statement. The work's statements
 * (each with its own snapshot) see every erasure that committed before, and an erasure waits
 * for the transaction to end. Commits when `work` resolves, rolls back when it throws.
 */
export async function transactionAgainstErasure<T>(db: DataSource, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  const runner = db.createQueryRunner();
  try {
    try {
      // No parameters, so node-postgres sends it as a simple query, which may hold two statements.
      await runner.query(`START TRANSACTION; SELECT pg_advisory_xact_lock_shared(${ERASURE_LOCK_KEY}::bigint)`);
      const result = await work(runner.manager);
      await runner.query('COMMIT');
      return result;
    } catch (error) {
      // The original error is what the caller needs, whatever the rollback meets.
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await runner.release();
  }
}

/** Takes the erasure lock exclusively, until the transaction ends: no writer runs meanwhile. */
export async function lockForErasure(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [ERASURE_LOCK_KEY]);
}

/** Which of `hashes` are on the suppression list. */
export async function suppressedAmong(db: Queryable, hashes: readonly string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows: Array<{ identity_hash: string }> = await db.query(`SELECT identity_hash FROM suppressions WHERE identity_hash = ANY($1::text[])`, [
    [...new Set(hashes)],
  ]);
  return new Set(rows.map((row) => row.identity_hash));
}
