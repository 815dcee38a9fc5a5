import { Pipeline } from '../support/pipeline';
import { waitFor } from '../support/wait-for';

/**
 * High-priority leads (marked by the producer, or by ingest's target-account rule) are
 * enriched before the normal ones that were already waiting: the enricher holds back the
 * normal topic while the priority topic has a backlog, and priority callers get the next
 * rate-limit tokens.
 */
describe('priority leads overtake a backlog', () => {
  const pipeline = new Pipeline({
    rateLimitPerMinute: 120,
    extraEnv: { ingest: { INGEST_PRIORITY_DOMAINS: 'target-account.example' } },
  });

  beforeAll(async () => {
    await pipeline.start();
  }, 180_000);

  afterAll(async () => {
    await pipeline.stop();
  }, 120_000);

  async function statusOf(ids: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; status: string }> = await pipeline.env.db.query(`SELECT id, status FROM leads WHERE id = ANY($1)`, [ids]);
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  it('enriches high-priority leads while earlier normal leads still wait', async () => {
    const normal: string[] = [];
    for (let i = 0; i < 24; i++) {
      const { status, json } = await pipeline.postLead({ linkedin_url: `https://www.linkedin.com/in/backlog-${i}/` });
      expect(status).toBe(202);
      normal.push(json.id as string);
    }
    // The backlog is being worked on.
    await waitFor(async () => [...(await statusOf(normal)).values()].filter((s) => s !== 'received').length >= 2, {
      timeoutMs: 60_000,
      what: 'the backlog under way',
    });

    const priority: string[] = [];
    for (const body of [
      { linkedin_url: 'https://www.linkedin.com/in/vip-one/', priority: 'high' },
      { linkedin_url: 'https://www.linkedin.com/in/vip-two/', priority: 'high' },
      { email: 'buyer@target-account.example' }, // high by ingest's rule
    ]) {
      const { status, json } = await pipeline.postLead(body);
      expect(status).toBe(202);
      priority.push(json.id as string);
    }

    await waitFor(async () => [...(await statusOf(priority)).values()].every((s) => s !== 'received'), {
      timeoutMs: 60_000,
      what: 'the priority leads enriched',
    });
    const normalWaiting = [...(await statusOf(normal)).values()].filter((s) => s === 'received').length;
    // About 40 calls of backlog at 2 a second remained when the priority leads arrived; they needed ~6.
    expect(normalWaiting).toBeGreaterThanOrEqual(5);

    await waitFor(async () => [...(await statusOf(normal)).values()].every((s) => s !== 'received'), {
      timeoutMs: 120_000,
      what: 'the backlog drained afterwards',
    });
    expect(pipeline.simulator.stats().totals.rateLimited).toBe(0);
  }, 240_000);
});
