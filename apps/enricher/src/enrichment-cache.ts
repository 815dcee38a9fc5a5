import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { cacheLockKey } from '@leadpipe/persistence';
import { IdentitySuppressedError } from './suppression-list';

const DAY_SECONDS = 86_400;

/** A cached provider answer: a hit or a remembered miss. */
export type Cached<T> = { found: true; data: T } | { found: false };

export interface Loaded<T> {
  value: Cached<T>;
  /** Paid calls this caller's load made: 0 on a hit or when another caller did the work. */
  calls: number;
}

/** A load's result, and whether it came from this process's memory after Redis had lost it. */
type Restorable<T> = Loaded<T> & { restored?: boolean };

export interface EnrichmentCacheOptions {
  ttlDays: number;
  notFoundTtlDays: number;
  /** How long a replica's claim on a key lives without renewal (it is renewed while loading). */
  lockTtlMs?: number;
  /** How often a replica waiting for another's answer looks again. */
  pollMs?: number;
  /**
   * Told of every lookup: `hit`, `miss` (this caller bought it), `joined` (someone else did) or
   * `restored` (Redis had lost it; this process still held it and wrote it back).
   */
  onLookup?: (key: string, result: LookupResult) => void;
  /** The Redis set of suppressed identity hashes that guarded writes check (see `getOrLoad`). */
  suppressionSetKey?: string;
  /**
   * The answers this process bought lately, kept in memory too (about `maxBytes` of JSON, each
   * for `ttlMs`): a Redis that restarts empty, or fails between the purchase and the write, does
   * not make a slice's retry buy them again. Off when absent or `maxBytes` is 0.
   */
  recentAnswers?: { maxBytes: number; ttlMs: number };
}

export type LookupResult = 'hit' | 'miss' | 'joined' | 'restored';

/** An answer as written to Redis, with its expiry there. */
interface KeptAnswer {
  json: string;
  ttlSeconds: number;
}

/** Deletes (or extends) the lock only if it still holds our token. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Stores the answer (KEYS[1]) unless one of the identity hashes (ARGV[3..]) is in the suppression set (KEYS[2]). */
const SET_UNLESS_SUPPRESSED = `
for i = 3, #ARGV do
  if redis.call('SISMEMBER', KEYS[2], ARGV[i]) == 1 then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`;

/**
 * Provider answers in Redis, keyed by normalised identity (person) or company, so one
 * identity is bought once per TTL. Misses are kept for a shorter time.
 *
 * A key is bought once even when several callers miss it together: callers in this process
 * share one load, and replicas claim the key with a lock in Redis; the others wait for the
 * answer to appear. A claim is renewed while its load runs (which may include a long wait for
 * a rate-limit token) and lapses if its replica dies, so a waiter then takes over.
 */
export class EnrichmentCache {
  private readonly inFlight = new Map<string, Promise<Loaded<unknown>>>();
  private readonly recent: LRUCache<string, KeptAnswer> | null;
  private readonly lockTtlMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: EnrichmentCacheOptions,
  ) {
    this.lockTtlMs = options.lockTtlMs ?? 30_000;
    this.pollMs = options.pollMs ?? 100;
    const kept = options.recentAnswers;
    this.recent =
      kept && kept.maxBytes > 0
        ? new LRUCache<string, KeptAnswer>({ maxSize: kept.maxBytes, sizeCalculation: (answer, key) => answer.json.length + key.length, ttl: kept.ttlMs })
        : null;
  }

  /**
   * With `refresh`, a cached answer is not used: it is bought again and replaced (unless
   * another caller is buying the same key right now, whose fresh answer is then shared).
   *
   * With `unlessSuppressed` (identity hashes), the answer is stored only if none of them is
   * suppressed at that moment, checked atomically with the write: a person erased while their
   * answer was being bought is not cached again (IdentitySuppressedError is thrown instead).
   */
  async getOrLoad<T>(key: string, load: () => Promise<Loaded<T>>, refresh = false, unlessSuppressed: readonly string[] = []): Promise<Loaded<T>> {
    const running = this.inFlight.get(key);
    if (running) {
      const joined = await running;
      this.options.onLookup?.(key, 'joined');
      return { value: joined.value as Cached<T>, calls: 0 };
    }
    const loading = this.loadOnce(key, load, refresh, unlessSuppressed);
    this.inFlight.set(key, loading);
    try {
      const result = await loading;
      this.options.onLookup?.(key, result.restored ? 'restored' : result.calls > 0 ? 'miss' : 'hit');
      return { value: result.value, calls: result.calls };
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async loadOnce<T>(key: string, load: () => Promise<Loaded<T>>, refresh: boolean, unlessSuppressed: readonly string[]): Promise<Restorable<T>> {
    const lockKey = cacheLockKey(key);
    for (let first = true; ; first = false) {
      if (!(refresh && first)) {
        const cached = await this.redis.get(key);
        if (cached !== null) return { value: JSON.parse(cached) as Cached<T>, calls: 0 };
      }
      const token = randomUUID();
      if ((await this.redis.set(lockKey, token, 'PX', this.lockTtlMs, 'NX')) === 'OK') {
        return this.loadClaimed(key, lockKey, token, load, refresh && first, unlessSuppressed);
      }
      // Another replica is buying this key: wait for its answer, or for its claim to lapse.
      while ((await this.redis.exists(lockKey)) === 1 && (await this.redis.exists(key)) === 0) {
        await new Promise((resolve) => setTimeout(resolve, this.pollMs));
      }
    }
  }

  private async loadClaimed<T>(
    key: string,
    lockKey: string,
    token: string,
    load: () => Promise<Loaded<T>>,
    refresh: boolean,
    unlessSuppressed: readonly string[],
  ): Promise<Restorable<T>> {
    const renew = setInterval(() => {
      this.redis.eval(RENEW, 1, lockKey, token, String(this.lockTtlMs)).catch(() => undefined);
    }, Math.max(100, Math.floor(this.lockTtlMs / 3)));
    try {
      // Another replica may have stored the answer between our read and our claim.
      const cached = refresh ? null : await this.redis.get(key);
      if (cached !== null) return { value: JSON.parse(cached) as Cached<T>, calls: 0 };
      const kept = refresh ? undefined : this.recent?.get(key);
      if (kept) {
        await this.keep(key, kept, unlessSuppressed);
        return { value: JSON.parse(kept.json) as Cached<T>, calls: 0, restored: true };
      }
      const result = await load();
      const ttlDays = result.value.found ? this.options.ttlDays : this.options.notFoundTtlDays;
      await this.keep(key, { json: JSON.stringify(result.value), ttlSeconds: ttlDays * DAY_SECONDS }, unlessSuppressed);
      return result;
    } finally {
      clearInterval(renew);
      // If the release fails the claim simply lapses after lockTtlMs.
      await this.redis.eval(RELEASE, 1, lockKey, token).catch(() => undefined);
    }
  }

  /**
   * Writes an answer to Redis, kept in memory first: if the write fails (Redis is down), the
   * retry finds it there. An answer refused because its person was erased meanwhile is dropped.
   */
  private async keep(key: string, answer: KeptAnswer, unlessSuppressed: readonly string[]): Promise<void> {
    this.recent?.set(key, answer);
    try {
      await this.store(key, answer.json, answer.ttlSeconds, unlessSuppressed);
    } catch (error) {
      if (error instanceof IdentitySuppressedError) this.recent?.delete(key);
      throw error;
    }
  }

  private async store(key: string, value: string, ttlSeconds: number, unlessSuppressed: readonly string[]): Promise<void> {
    const setKey = this.options.suppressionSetKey;
    if (!setKey || unlessSuppressed.length === 0) {
      await this.redis.set(key, value, 'EX', ttlSeconds);
      return;
    }
    const stored = await this.redis.eval(SET_UNLESS_SUPPRESSED, 2, key, setKey, value, String(ttlSeconds), ...unlessSuppressed);
    if (stored !== 1) throw new IdentitySuppressedError();
  }
}
