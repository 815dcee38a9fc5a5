import Redis from 'ioredis';

const DAY_SECONDS = 86_400;

/** A cached provider answer: a hit or a remembered miss. */
export type Cached<T> = { found: true; data: T } | { found: false };

/**
 * Provider answers in Redis, keyed by normalised identity (person) or company, so one
 * identity is bought once per TTL. Misses are kept for a shorter time. Concurrent loads of
 * one key inside this process share a single call.
 */
export class EnrichmentCache {
  private readonly inFlight = new Map<string, Promise<{ value: Cached<unknown>; calls: number }>>();

  constructor(
    private readonly redis: Redis,
    private readonly ttlDays: number,
    private readonly notFoundTtlDays: number,
  ) {}

  /**
   * Returns the cached answer or loads it. `calls` is the number of paid calls this caller's
   * load made (0 on a hit or when it joined another caller's load).
   */
  async getOrLoad<T>(key: string, load: () => Promise<{ value: Cached<T>; calls: number }>): Promise<{ value: Cached<T>; calls: number }> {
    const cached = await this.redis.get(key);
    if (cached !== null) return { value: JSON.parse(cached) as Cached<T>, calls: 0 };
    const running = this.inFlight.get(key);
    if (running) return { value: (await running).value as Cached<T>, calls: 0 };
    const loading = (async () => {
      const result = await load();
      const ttl = (result.value.found ? this.ttlDays : this.notFoundTtlDays) * DAY_SECONDS;
      await this.redis.set(key, JSON.stringify(result.value), 'EX', ttl);
      return result;
    })();
    this.inFlight.set(key, loading);
    try {
      return (await loading) as { value: Cached<T>; calls: number };
    } finally {
      this.inFlight.delete(key);
    }
  }
}
