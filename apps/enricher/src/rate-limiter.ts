import Redis from 'ioredis';

/**
 * GCRA on Redis time: one token every `(60 000 + headroom) / perMinute` ms, shared by every
 * replica and every API key of the account. No burst allowance, so no sliding minute ever sees
 * more than `perMinute` calls; `headroom` (ms per minute) is the slack that absorbs jitter
 * between our clock and the provider's arrival times.
 *
 * Reservation: a caller whose slot is at most one interval away reserves it (TAT moves on) and
 * sleeps until it; later callers ask again when their slot comes within reach. So a caller that
 * wakes a little late delays its own call but not the schedule: under backlog the calls keep
 * the exact spacing, and the quota is used fully. Returns `[reserved, micros]`: reserved → go
 * after `micros`; not reserved → ask again after `micros`.
 *
 * Priority: a high-priority waiter marks KEYS[2] while it waits; normal callers do not reserve
 * while the mark is there, so high-priority leads get the next free slot on every replica.
 */
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
if ARGV[2] == 'high' then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
elseif redis.call('EXISTS', KEYS[2]) == 1 then
  return {0, interval}
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - now
if wait > interval then return {0, wait - interval} end
redis.call('SET', KEYS[1], string.format('%.0f', tat + interval), 'PX', math.ceil(2 * interval / 1000) + 1000)
return {1, wait}
`;

export type CallPriority = 'normal' | 'high';

export class RedisRateLimiter {
  private readonly intervalMicros: number;

  /** `headroomMs`: milliseconds of each minute left unused (see the class comment). */
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    perMinute: number,
    headroomMs = 0,
  ) {
    this.intervalMicros = Math.ceil(((60_000 + headroomMs) * 1000) / perMinute);
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
      let reserved: number;
      let micros: number;
      try {
        const answer = (await this.redis.eval(GCRA, 2, this.key, `${this.key}:priority-waiting`, String(this.intervalMicros), priority, markMs)) as [number, number];
        [reserved, micros] = answer.map(Number);
      } catch (error) {
        throw new LimiterUnavailableError(error);
      }
      if (micros > 0) await sleep(Math.ceil(micros / 1000), signal);
      // Aborted while waiting: no call (a reserved slot then goes unused).
      if (signal?.aborted) throw new Error('rate limiter wait aborted');
      if (reserved) return Date.now() - started;
    }
  }
}

/** Sleeps `ms`; an abort ends the sleep early. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(1, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The shared limiter could not be asked (Redis away): the call is not made. */
export class LimiterUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`rate limiter unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LimiterUnavailableError';
  }
}
