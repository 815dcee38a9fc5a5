import { SlidingWindowRateLimiter } from './rate-limiter';

describe('SlidingWindowRateLimiter', () => {
  it('admits at most N per window per key and says when the next slot frees', () => {
    let now = 0;
    const limiter = new SlidingWindowRateLimiter(2, 60_000, () => now);
    expect(limiter.tryAcquire('a')).toEqual({ allowed: true });
    now = 20_000;
    expect(limiter.tryAcquire('a')).toEqual({ allowed: true });
    expect(limiter.tryAcquire('a')).toEqual({ allowed: false, retryAfterMs: 40_000 });
    expect(limiter.tryAcquire('b')).toEqual({ allowed: true });
    now = 60_000;
    expect(limiter.tryAcquire('a')).toEqual({ allowed: true });
    expect(limiter.tryAcquire('a')).toEqual({ allowed: false, retryAfterMs: 20_000 });
    limiter.reset();
    expect(limiter.tryAcquire('a')).toEqual({ allowed: true });
  });

  it('does not limit with a limit of 0', () => {
    const limiter = new SlidingWindowRateLimiter(0, 60_000, () => 0);
    for (let i = 0; i < 50; i++) expect(limiter.tryAcquire('a').allowed).toBe(true);
  });
});
