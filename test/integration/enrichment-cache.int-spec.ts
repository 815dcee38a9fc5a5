import { EnrichmentCache, Cached } from '../../apps/enricher/src/enrichment-cache';
import { IdentitySuppressedError } from '../../apps/enricher/src/suppression-list';
import { Gate } from './support/batch-consumer.harness';
import { RedisScope } from './support/redis-scope';

const DAY = 86_400;
const TTL_DAYS = 30;
const NOT_FOUND_TTL_DAYS = 7;

interface Person {
  username: string;
  headline: string;
}

/** A loader that counts its calls and, when given a gate, waits for it before answering. */
function countingLoader(value: Cached<Person>, gate?: Gate) {
  let calls = 0;
  const load = async (): Promise<{ value: Cached<Person>; calls: number }> => {
    calls += 1;
    await gate?.promise;
    return { value, calls: 1 };
  };
  return { load, calls: () => calls };
}

/** Provider answers cached in Redis: one paid call per identity per TTL. */
describe('EnrichmentCache on Redis', () => {
  const scope = new RedisScope();
  const redis = scope.client();
  const cache = new EnrichmentCache(redis, { ttlDays: TTL_DAYS, notFoundTtlDays: NOT_FOUND_TTL_DAYS });
  const ada: Cached<Person> = { found: true, data: { username: 'ada-lovelace', headline: 'Analyst' } };

  afterAll(async () => {
    await scope.dispose();
  });

  /**
   * Replies on one connection come in order: once a PING sent after the callers' GETs is
   * answered, every caller has seen its miss and either started the load or joined it.
   */
  async function everyLookupAnswered(): Promise<void> {
    await redis.ping();
  }

  it('buys a cached key again on refresh and replaces the answer; the next lookup is a hit again', async () => {
    const key = 'person:linkedin:refresh-me';
    const old: Cached<Person> = { found: true, data: { username: 'refresh-me', headline: 'Old' } };
    const fresh: Cached<Person> = { found: true, data: { username: 'refresh-me', headline: 'New' } };
    await cache.getOrLoad(key, countingLoader(old).load);

    const reload = countingLoader(fresh);
    expect(await cache.getOrLoad(key, reload.load, true)).toEqual({ value: fresh, calls: 1 });
    expect(reload.calls()).toBe(1);
    expect(JSON.parse((await redis.get(key))!)).toEqual(fresh);

    const after = countingLoader(old);
    expect(await cache.getOrLoad(key, after.load)).toEqual({ value: fresh, calls: 0 });
    expect(after.calls()).toBe(0);
  });

  it('loads a miss and stores a found answer for the TTL in days', async () => {
    const loader = countingLoader(ada);
    const result = await cache.getOrLoad('person:linkedin:ada-lovelace', loader.load);

    expect(result).toEqual({ value: ada, calls: 1 });
    expect(loader.calls()).toBe(1);
    expect(JSON.parse((await redis.get('person:linkedin:ada-lovelace'))!)).toEqual(ada);
    const ttl = await redis.ttl('person:linkedin:ada-lovelace');
    expect(ttl).toBeLessThanOrEqual(TTL_DAYS * DAY);
    expect(ttl).toBeGreaterThan(TTL_DAYS * DAY - 10);
  });

  it('stores a not-found answer for the shorter not-found TTL', async () => {
    const loader = countingLoader({ found: false });
    const result = await cache.getOrLoad('person:email:nobody@acme.example', loader.load);

    expect(result).toEqual({ value: { found: false }, calls: 1 });
    const ttl = await redis.ttl('person:email:nobody@acme.example');
    expect(ttl).toBeLessThanOrEqual(NOT_FOUND_TTL_DAYS * DAY);
    expect(ttl).toBeGreaterThan(NOT_FOUND_TTL_DAYS * DAY - 10);
  });

  it('answers a hit from Redis with calls 0, without calling the loader', async () => {
    await cache.getOrLoad('person:linkedin:grace-hopper', countingLoader(ada).load);
    const second = countingLoader({ found: false });

    const result = await cache.getOrLoad('person:linkedin:grace-hopper', second.load);

    expect(result).toEqual({ value: ada, calls: 0 });
    expect(second.calls()).toBe(0);
  });

  it('shares one load among 10 concurrent callers of one key: one loader call, one caller reports calls 1', async () => {
    const gate = new Gate();
    const loader = countingLoader(ada, gate);
    const results = Array.from({ length: 10 }, () => cache.getOrLoad('company:acme', loader.load));
    await everyLookupAnswered();
    gate.open();
    const settled = await Promise.all(results);

    expect(loader.calls()).toBe(1);
    expect(settled.map((r) => r.calls).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(settled.every((r) => JSON.stringify(r.value) === JSON.stringify(ada))).toBe(true);
  });

  it('propagates a loader error and caches nothing, so the next call loads again', async () => {
    const failing = async (): Promise<{ value: Cached<Person>; calls: number }> => {
      throw new Error('provider timed out');
    };

    await expect(cache.getOrLoad('person:linkedin:flaky', failing)).rejects.toThrow('provider timed out');
    expect(await redis.exists('person:linkedin:flaky')).toBe(0);

    const retryLoad = countingLoader(ada);
    expect(await cache.getOrLoad('person:linkedin:flaky', retryLoad.load)).toEqual({ value: ada, calls: 1 });
    expect(retryLoad.calls()).toBe(1);
  });

  it('hands a loader error to every caller that joined the load, and caches nothing', async () => {
    const gate = new Gate();
    let calls = 0;
    const failing = async (): Promise<{ value: Cached<Person>; calls: number }> => {
      calls += 1;
      await gate.promise;
      throw new Error('provider returned 503');
    };
    const results = Array.from({ length: 5 }, () => cache.getOrLoad('person:linkedin:down', failing));
    await everyLookupAnswered();
    gate.open();
    const settled = await Promise.allSettled(results);

    expect(calls).toBe(1);
    expect(settled.map((s) => s.status)).toEqual(Array(5).fill('rejected'));
    expect(await redis.exists('person:linkedin:down')).toBe(0);
  });
});

/**
 * DESIGN.md, "The paid API": one identity is never bought twice within the cache TTL, not even
 * when two replicas see it at the same moment (and ten leads from one company cost one company
 * call). Company and LinkedIn-profile keys are not tied to one partition, so two enricher
 * replicas can miss the same key together.
 */
describe('EnrichmentCache shared by two replicas', () => {
  const scope = new RedisScope();

  afterAll(async () => {
    await scope.dispose();
  });

  it('buys a key that two replicas miss at the same moment once', async () => {
    const replicaA = scope.client();
    const replicaB = scope.client();
    const caches = [replicaA, replicaB].map((redis) => new EnrichmentCache(redis, { ttlDays: TTL_DAYS, notFoundTtlDays: NOT_FOUND_TTL_DAYS }));
    const gate = new Gate();
    const loader = countingLoader({ found: true, data: { username: 'acme', headline: 'Widgets' } }, gate);

    const results = caches.map((cache) => cache.getOrLoad('company:acme-widgets', loader.load));
    // Both replicas have looked the key up (and missed) before the first purchase completes.
    await Promise.all([replicaA.ping(), replicaB.ping()]);
    gate.open();
    const settled = await Promise.all(results);

    expect(loader.calls()).toBe(1);
    expect(settled.map((r) => r.calls).sort()).toEqual([0, 1]);
  });
});

/**
 * The answers a replica bought lately, kept in its memory too: a Redis that restarts empty (or
 * fails between a purchase and its write) must not make a slice's retry buy them again. Found by
 * the chaos benchmark: a Redis restart under load failed the slices waiting for rate-limit
 * tokens, and their retries bought 346 people a second time.
 */
describe('EnrichmentCache with recent answers kept in memory', () => {
  const scope = new RedisScope();
  const redis = scope.client();
  const lookups: string[] = [];
  const options = { ttlDays: TTL_DAYS, notFoundTtlDays: NOT_FOUND_TTL_DAYS, suppressionSetKey: 'suppressed', onLookup: (_key: string, result: string) => lookups.push(result) };
  const cache = new EnrichmentCache(redis, { ...options, recentAnswers: { maxBytes: 1024 * 1024, ttlMs: 60_000 } });
  const ada: Cached<Person> = { found: true, data: { username: 'ada', headline: 'Analyst' } };

  afterAll(async () => {
    await scope.dispose();
  });

  beforeEach(() => {
    lookups.length = 0;
  });

  it('answers from memory an answer Redis lost, without buying it again, and writes it back for the TTL', async () => {
    await cache.getOrLoad('person:linkedin:restored', countingLoader(ada).load);
    await redis.del('person:linkedin:restored');

    const again = countingLoader({ found: false });
    expect(await cache.getOrLoad('person:linkedin:restored', again.load)).toEqual({ value: ada, calls: 0 });
    expect(again.calls()).toBe(0);
    expect(lookups).toEqual(['miss', 'restored']);
    expect(JSON.parse((await redis.get('person:linkedin:restored'))!)).toEqual(ada);
    expect(await redis.ttl('person:linkedin:restored')).toBeGreaterThan(TTL_DAYS * DAY - 10);
    // Without the memory (the default), the same loss costs a second purchase.
    const forgetful = new EnrichmentCache(redis, options);
    await forgetful.getOrLoad('person:linkedin:forgotten', countingLoader(ada).load);
    await redis.del('person:linkedin:forgotten');
    expect(await forgetful.getOrLoad('person:linkedin:forgotten', countingLoader(ada).load)).toEqual({ value: ada, calls: 1 });
  });

  it('keeps an answer whose write to Redis failed, so the retry does not buy it again', async () => {
    const original = redis.set.bind(redis) as (...args: unknown[]) => Promise<unknown>;
    const set = jest.spyOn(redis, 'set');
    // The lock's SET (PX, NX) goes through; the answer's (EX) fails, as when Redis goes away.
    set.mockImplementation(((...args: unknown[]) => (args[2] === 'EX' ? Promise.reject(new Error('Connection is closed.')) : original(...args))) as never);
    const plain = new EnrichmentCache(redis, { ...options, suppressionSetKey: undefined, recentAnswers: { maxBytes: 1024 * 1024, ttlMs: 60_000 } });
    const first = countingLoader(ada);
    try {
      await expect(plain.getOrLoad('person:linkedin:unwritten', first.load)).rejects.toThrow('Connection is closed.');
    } finally {
      set.mockRestore();
    }
    expect(first.calls()).toBe(1);
    expect(await redis.exists('person:linkedin:unwritten')).toBe(0);

    const retry = countingLoader({ found: false });
    expect(await plain.getOrLoad('person:linkedin:unwritten', retry.load)).toEqual({ value: ada, calls: 0 });
    expect(retry.calls()).toBe(0);
    expect(JSON.parse((await redis.get('person:linkedin:unwritten'))!)).toEqual(ada);
  });

  it('buys again on refresh, and drops an answer whose person was erased before it was written back', async () => {
    await cache.getOrLoad('person:linkedin:erased', countingLoader(ada).load, false, ['hash-erased']);
    await redis.del('person:linkedin:erased');

    const refreshed = countingLoader(ada);
    expect(await cache.getOrLoad('person:linkedin:erased', refreshed.load, true, ['hash-erased'])).toEqual({ value: ada, calls: 1 });
    expect(refreshed.calls()).toBe(1);

    await redis.del('person:linkedin:erased');
    await redis.sadd('suppressed', 'hash-erased');
    await expect(cache.getOrLoad('person:linkedin:erased', countingLoader(ada).load, false, ['hash-erased'])).rejects.toBeInstanceOf(IdentitySuppressedError);
    expect(await redis.exists('person:linkedin:erased')).toBe(0);
    // Dropped from memory too: once the person may be looked up again, the answer is bought afresh.
    await redis.srem('suppressed', 'hash-erased');
    const afresh = countingLoader(ada);
    expect(await cache.getOrLoad('person:linkedin:erased', afresh.load, false, ['hash-erased'])).toEqual({ value: ada, calls: 1 });
    expect(afresh.calls()).toBe(1);
  });
});
