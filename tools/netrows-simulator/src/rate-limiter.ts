export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Sliding-window log per key: at most `limit` admitted requests in any `windowMs`. A log
 * (not a fixed window) so a burst straddling a minute boundary is still refused, which is
 * the strictest reading of "N per minute" and the one a client must survive.
 */
export class SlidingWindowRateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #admitted = new Map<string, number[]>();

  /** `limit` 0 disables limiting. `now` is injectable so tests move time instead of sleeping. */
  constructor(limit: number, windowMs: number, now: () => number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  tryAcquire(key: string): RateDecision {
    if (this.#limit <= 0) return { allowed: true };
    const now = this.#now();
    const log = this.#admitted.get(key) ?? [];
    while (log.length > 0 && log[0] <= now - this.#windowMs) log.shift();
    if (log.length >= this.#limit) {
      this.#admitted.set(key, log);
      return { allowed: false, retryAfterMs: Math.max(1, log[0] + this.#windowMs - now) };
    }
    log.push(now);
    this.#admitted.set(key, log);
    return { allowed: true };
  }

  reset(): void {
    this.#admitted.clear();
  }
}
