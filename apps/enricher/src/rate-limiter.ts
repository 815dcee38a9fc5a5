import Redis from 'ioredis';

/**
 * GCRA on Redis time: one token every `60 000 / perMinute` ms, shared by every replica and
 * every API key of the account. No burst allowance, so no sliding minute ever sees more than
 * `perMinute` calls, and under backlog the calls are spaced evenly (the quota is used fully).
 * Returns 0 when the caller may go, else the microseconds to wait.
 *
 * Priority: a high-priority waiter marks KEYS[2] while it waits; normal callers do not take a
 * token while the mark is there, so high-priority leads get the next tokens on every replica.
 */
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
if ARGV[2] == 'high' then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
elseif redis.call('EXISTS', KEYS[2]) == 1 then
  return interval
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat > now then return tat - now end
redis.call('SET', KEYS[1], string.format('%.0f', tat + interval), 'PX', math.ceil(interval / 1000) + 1000)
return 0
`;

export type CallPriority = 'normal' | 'high';

export class RedisRateLimiter {
  private readonly intervalMicros: number;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    perMinute: number,
    marginMs = 0,
  ) {
    this.intervalMicros = Math.ceil(60_000_000 / perMinute) + marginMs * 1000;
  }

  /**
   * Waits for a token and returns how long it waited (ms). Throws `LimiterUnavailableError`
   * if Redis cannot be asked: no token, no call (fail closed).
   */
  async acquire(priority: CallPriority = 'normal', signal?: AbortSignal): Promise<number> {
    const started = Date.now();
    // The mark outlives a high-priority waiter's longest sleep (one interval), but not by much.
    const markMs = String(Math.max(1_000, Math.ceil((2 * this.intervalMicros) / 1000)));
    for (;;) {
      if (signal?.aborted) throw new Error('rate limiter wait aborted');
      let waitMicros: number;
      try {
        waitMicros = Number(
          await this.redis.eval(GCRA, 2, this.key, `${this.key}:priority-waiting`, String(this.intervalMicros), priority, markMs),
        );
      } catch (error) {
        throw new LimiterUnavailableError(error);
      }
      if (waitMicros <= 0) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(waitMicros / 1000))));
    }
  }
}

/** The shared limiter could not be asked (Redis away): the call is not made. */
export class LimiterUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`rate limiter unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LimiterUnavailableError';
  }
}
