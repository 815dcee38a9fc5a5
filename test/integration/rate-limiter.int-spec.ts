import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import { RedisRateLimiter } from '../../apps/enricher/src/rate-limiter';
import { freePort } from '../support/free-port';
import { RedisScope } from './support/redis-scope';

/** Largest number of grants inside any half-open window [t, t + windowMs). */
function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j] < sorted[i] + windowMs) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

/** The shared token bucket on real Redis: one budget for every replica, and no token without Redis. */
describe('RedisRateLimiter on Redis', () => {
  const scope = new RedisScope();

  afterAll(async () => {
    await scope.dispose();
  });

  it('spaces 30 grants to 3 replicas sharing one key at one per 100 ms: no second sees more than 10 (+1)', async () => {
    const perMinute = 600;
    const intervalMs = 60_000 / perMinute;
    const replicas = [1, 2, 3].map(() => new RedisRateLimiter(scope.client(), 'ratelimit:netrows', perMinute));
    const grants: number[] = [];

    const started = performance.now();
    // Each replica has ten calls waiting at once, as the enricher does with a batch of leads.
    await Promise.all(
      replicas.flatMap((limiter) =>
        Array.from({ length: 10 }, async () => {
          await limiter.acquire();
          grants.push(performance.now() - started);
        }),
      ),
    );

    const times = [...grants].sort((a, b) => a - b);
    expect(times).toHaveLength(30);
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(10 + 1);
    // 29 intervals between the first and the last grant; a few ms of measurement noise allowed.
    const span = times[times.length - 1] - times[0];
    expect(span).toBeGreaterThanOrEqual(29 * intervalMs - 50);
    // Under backlog the quota is used: not much slower than one grant per interval.
    expect(span).toBeLessThan(29 * intervalMs * 1.25);
  }, 20_000);

  it('throws instead of granting a token when Redis is unreachable (fail closed)', async () => {
    const closedPort = await freePort();
    const errors: Error[] = [];
    const unreachable = new Redis({
      host: '127.0.0.1',
      port: closedPort,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    unreachable.on('error', (error: Error) => errors.push(error));
    try {
      const limiter = new RedisRateLimiter(unreachable, 'ratelimit:netrows', 600);
      await expect(limiter.acquire()).rejects.toThrow();
    } finally {
      unreachable.disconnect();
    }
  });
});
