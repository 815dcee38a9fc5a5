import { Pipeline } from '../support/pipeline';
import { waitFor } from '../support/wait-for';

/** The plan's limit: the simulator's and the enricher's (default headroom). */
const LIMIT = 120;
const WINDOW_MS = 60_000;
/** Each lead costs a profile call and usually a company call: ~230 calls, ~2 minutes of work at LIMIT. */
const LEADS = 120;
/** Long enough to see one full provider minute at full backlog, plus a little. */
const OBSERVE_MS = 65_000;

/** The most calls any window [t, t + windowMs) holds, as the simulator's sliding log counts them. */
function busiestWindow(stamps: readonly number[], windowMs: number, from = -Infinity, to = Infinity): number {
  const inRange = stamps.filter((t) => t >= from && t < to);
  let best = 0;
  let end = 0;
  for (let start = 0; start < inRange.length; start++) {
    while (end < inRange.length && inRange[end] < inRange[start] + windowMs) end++;
    best = Math.max(best, end - start);
  }
  return best;
}

describe('the provider quota, shared by three enricher replicas', () => {
  /** Every request that reached the simulator's limiter, on the simulator's clock. */
  const calls: number[] = [];
  const pipeline = new Pipeline({
    rateLimitPerMinute: LIMIT,
    enricherReplicas: 3,
    simulator: {
      now: () => {
        const now = Date.now();
        calls.push(now);
        return now;
      },
    },
    // The backlog is still there when the suite ends: do not spend the default 25 s draining it.
    extraEnv: { enricher: { SHUTDOWN_TIMEOUT_MS: '5000' } },
  });

  beforeAll(async () => {
    await pipeline.start();
    // Post only once the group has settled, so a late join does not pause the minute we measure.
    await pipeline.waitForStableGroup('enricher', 3);
  }, 240_000);

  afterAll(async () => {
    await pipeline.stop();
  }, 120_000);

  it(`never exceeds ${LIMIT} calls in any minute, answers no 429 and uses the quota under backlog`, async () => {
    const slugs = Array.from({ length: LEADS }, (_, i) => `quota-${pipeline.env.id}-${i}`);
    for (let i = 0; i < slugs.length; i += 20) {
      const posted = await Promise.all(slugs.slice(i, i + 20).map((slug) => pipeline.postLead({ linkedin_url: `https://www.linkedin.com/in/${slug}/` })));
      for (const { status } of posted) expect(status).toBe(202);
    }

    const firstCall = await waitFor(() => calls[0], { timeoutMs: 30_000, what: 'the first provider call' });
    await waitFor(() => Date.now() >= firstCall + OBSERVE_MS, { timeoutMs: OBSERVE_MS + 5_000, intervalMs: 500, what: 'the observed minute' });

    const stats = pipeline.simulator.stats();
    const observed = calls.slice();
    const firstMinute = observed.filter((t) => t < firstCall + WINDOW_MS).length;
    const busiest = busiestWindow(observed, WINDOW_MS);
    const minGapMs = observed.slice(1).reduce((min, t, i) => Math.min(min, t - observed[i]), Infinity);
    console.info(
      `quota: ${observed.length} calls in ${((observed[observed.length - 1] - firstCall) / 1000).toFixed(1)} s; ` +
        `first minute ${firstMinute}/${LIMIT}; busiest 60 s window ${busiest}/${LIMIT}; smallest gap ${minGapMs} ms; ` +
        `429s ${stats.totals.rateLimited}; by endpoint ${JSON.stringify(Object.fromEntries(Object.entries(stats.byEndpoint).map(([k, v]) => [k, v.calls])))}`,
    );

    // The provider never refused a call: its own sliding window never held more than LIMIT.
    expect(stats.totals.rateLimited).toBe(0);
    expect(stats.totals.calls).toBe(observed.length);
    expect(busiest).toBeLessThanOrEqual(LIMIT);
    // The backlog outlasted the measured minute (calls went on after it) ...
    expect(observed.some((t) => t >= firstCall + WINDOW_MS)).toBe(true);
    const terminal: Array<{ n: string }> = await pipeline.env.db.query(`SELECT count(*) AS n FROM leads WHERE status <> 'received'`);
    expect(Number(terminal[0].n)).toBeLessThan(LEADS);
    // ... and that minute used the quota: the limiter's headroom costs 0.7 %, the bound leaves room for a slow machine.
    expect(firstMinute).toBeGreaterThanOrEqual(Math.floor(0.9 * LIMIT));
  }, 110_000);
});
