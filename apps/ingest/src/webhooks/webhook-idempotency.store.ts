import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { REDIS } from '@leadpipe/persistence';
import { AcceptedLead } from '../leads.service';

/**
 * How long a claimed delivery may take to be stored before another replica may take it over.
 * Far above a transaction's time, and above every sender's timeout (HubSpot 5 to 30 s,
 * Standard Webhooks senders 15 to 30 s), so a claim outlives the request that made it.
 */
export const CLAIM_TTL_MS = 60_000;

/** What a claim found. */
export type Claim =
  /** Nobody had it: the caller stores the delivery, then calls `complete` (or `release` on failure). */
  | { state: 'claimed'; token: string }
  /** Already accepted: the caller answers with these leads and stores nothing. */
  | { state: 'done'; leads: AcceptedLead[] }
  /** Being stored by another request right now. */
  | { state: 'in_flight' }
  /** The same delivery key with another body. */
  | { state: 'mismatch' };

type Stored = { state: 'pending'; token: string; fingerprint: string } | { state: 'done'; fingerprint: string; leads: AcceptedLead[] };

// Deletes the claim only if it is still ours (a slow request must not free a newer claim).
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Remembers webhook deliveries in Redis, so that every ingest replica sees the same ones: a
 * delivery is claimed with `SET NX` before its leads are stored, and the claim is replaced by
 * the accepted lead ids once they are durable. A retry or replay then gets those ids back
 * instead of making new leads, for `INGEST_WEBHOOK_IDEMPOTENCY_TTL_SECONDS`.
 *
 * Keys are `webhook:<source>:<sha256 of the delivery key>` under REDIS_KEY_PREFIX (the
 * connection adds it); the key text is the sender's, so it is hashed to a fixed length.
 */
@Injectable()
export class WebhookIdempotencyStore {
  private readonly retentionMs: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: IngestEnv,
  ) {
    this.retentionMs = config.INGEST_WEBHOOK_IDEMPOTENCY_TTL_SECONDS * 1000;
  }

  /** `fingerprint` identifies the content (a hash of the body): the same key with another one is a mismatch. */
  async claim(source: string, deliveryKey: string, fingerprint: string): Promise<Claim> {
    const key = this.key(source, deliveryKey);
    const token = randomUUID();
    const pending: Stored = { state: 'pending', token, fingerprint };
    if ((await this.redis.set(key, JSON.stringify(pending), 'PX', CLAIM_TTL_MS, 'NX')) === 'OK') return { state: 'claimed', token };
    const existing = await this.redis.get(key);
    // Gone between the two calls (a claim expired or was released): report it busy, the sender retries.
    if (existing === null) return { state: 'in_flight' };
    const stored = JSON.parse(existing) as Stored;
    if (stored.fingerprint !== fingerprint) return { state: 'mismatch' };
    return stored.state === 'done' ? { state: 'done', leads: stored.leads } : { state: 'in_flight' };
  }

  /** Records the accepted leads under the claim, for the retention period. */
  async complete(source: string, deliveryKey: string, fingerprint: string, leads: AcceptedLead[]): Promise<void> {
    const done: Stored = { state: 'done', fingerprint, leads };
    await this.redis.set(this.key(source, deliveryKey), JSON.stringify(done), 'PX', this.retentionMs);
  }

  /** Gives a claim up (nothing was stored), so the sender's retry can be processed. */
  async release(source: string, deliveryKey: string, token: string, fingerprint: string): Promise<void> {
    const pending: Stored = { state: 'pending', token, fingerprint };
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key(source, deliveryKey), JSON.stringify(pending));
  }

  private key(source: string, deliveryKey: string): string {
    return `webhook:${source}:${sha256(deliveryKey)}`;
  }
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
