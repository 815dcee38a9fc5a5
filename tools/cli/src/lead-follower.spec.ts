import { IngestClient } from './ingest.client';
import { followLeads, type PollInterval } from './lead-follower';
import { startFakeIngest, type FakeIngest } from './testing/fake-ingest.server';
import { statusOf, type TrackedLead } from './tracked-lead';

const TIGHT: PollInterval = { minMs: 1, maxMs: 4, factor: 2 };
const FAST_RETRY = { retryBaseDelayMs: 1, retryMaxDelayMs: 2, maxAttempts: 2 };
/** For stub clients: an ingest without the list route, so every round looks every lead up. */
const NO_LIST = { listPendingIds: () => Promise.resolve({ kind: 'failed' as const, reason: 'HTTP 404' }) };
const EMAILS = (count: number) => Array.from({ length: count }, (_, index) => ({ email: `p${index}@acme-corp.com` }));

async function accept(client: IngestClient, rows: { email?: string; linkedin_url?: string }[]): Promise<TrackedLead[]> {
  const outcome = await client.submitBatch(rows, 'follower-spec');
  if (outcome.kind !== 'accepted') throw new Error(`batch not accepted: ${outcome.kind}`);
  return rows.map((input, index) => ({ row: index + 1, id: outcome.ids[index], input, view: null }));
}

describe('followLeads', () => {
  let ingest: FakeIngest | null = null;
  afterEach(async () => {
    await ingest?.close();
    ingest = null;
  });

  it('follows every lead to its end, riding out a read side that lags the 202, then listing instead of looking up', async () => {
    ingest = await startFakeIngest({ invisibleLooks: 2, looksUntilTerminal: 3 });
    const fake = ingest;
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    const leads = await accept(client, [
      { email: 'ada@acme-corp.com' },
      { email: 'unknown.person3@acme-corp.com' },
      { linkedin_url: 'https://www.linkedin.com/company/acme/' },
      { email: 'poison@acme-corp.com' },
    ]);
    const progress: number[] = [];
    const result = await followLeads(client, leads, {
      deadline: Date.now() + 30_000,
      concurrency: 2,
      pollInterval: TIGHT,
      onProgress: (settled) => progress.push(settled),
    });

    expect(result).toEqual({ rounds: 6, outcome: 'all-settled', failed: [] });
    expect(leads.map(statusOf)).toEqual(['enriched', 'not_found', 'invalid', 'dead_lettered']);
    // Once per round, and as each lead ends within one.
    expect(progress).toEqual([0, 0, 0, 0, 0, 1, 2, 3, 4, 4]);
    // Rounds 1-3 look every lead up (404, 404, received: now their received_at is known);
    // rounds 4-6 list the pending ones, and each lead is looked up once more, when it has left the list.
    expect(fake.stats).toMatchObject({ gets: 4 * 3 + 4, lists: 3 });
  });

  it('given when the leads were received, looks each lead up only once, when it has ended, paging the list', async () => {
    ingest = await startFakeIngest({ looksUntilTerminal: 4, maxListLimit: 2 });
    const fake = ingest;
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    const leads = await accept(client, EMAILS(5));
    const result = await followLeads(client, leads, {
      deadline: Infinity,
      receivedSince: new Date(Date.now() - 60_000),
      concurrency: 2,
      pollInterval: TIGHT,
    });

    expect(result.outcome).toBe('all-settled');
    expect(leads.map(statusOf)).toEqual(Array(5).fill('enriched'));
    expect(fake.stats.gets).toBe(5);
    // Five rounds, the last one finding nothing pending; 5 pending leads take 3 pages of 2.
    expect(fake.stats.lists).toBe(4 * 3 + 1);
  });

  it('falls back to looking every lead up each round when ingest cannot list them', async () => {
    ingest = await startFakeIngest({ looksUntilTerminal: 2, withoutList: true });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    const leads = await accept(client, EMAILS(3));
    const result = await followLeads(client, leads, { deadline: Infinity, receivedSince: new Date(0), concurrency: 2, pollInterval: TIGHT });

    expect(result).toEqual({ rounds: 3, outcome: 'all-settled', failed: [] });
    expect(ingest.stats.gets).toBe(3 * 3);
  });

  it('reports each lead as soon as it is seen ending, and only once', async () => {
    ingest = await startFakeIngest({ looksUntilTerminal: 1, outcomeFor: (input) => (input.email?.startsWith('slow') ? 'never' : 'enriched') });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    const leads = await accept(client, [{ email: 'ada@acme-corp.com' }, { email: 'slow@acme-corp.com' }, { email: 'zoe@bluepeak.io' }]);
    const ended: number[] = [];
    let reportsOfTwo = 0;
    const controller = new AbortController();
    const result = await followLeads(client, leads, {
      deadline: Infinity,
      concurrency: 3,
      pollInterval: TIGHT,
      signal: controller.signal,
      onTerminal: (lead) => ended.push(lead.row),
      // Ends the run rounds after only the slow lead is left: finished leads must not be reported again.
      onProgress: (settled) => {
        if (settled === 2 && ++reportsOfTwo === 4) controller.abort();
      },
    });
    expect(result.outcome).toBe('aborted');
    expect(ended.sort()).toEqual([1, 3]);
  });

  it('gives up on a lead that answers 404 past the grace period, so following without a deadline ends', async () => {
    let clock = 0;
    const leads: TrackedLead[] = [
      { row: 1, id: 'gone', input: { email: 'erased@acme-corp.com' }, view: null },
      { row: 2, id: 'here', input: { email: 'ada@acme-corp.com' }, view: null },
    ];
    const client = {
      ...NO_LIST,
      getLead: (id: string) => {
        // Each lookup is a second of simulated time: no real waiting.
        clock += 1_000;
        return Promise.resolve(
          id === 'gone' ? { kind: 'unknown' as const } : { kind: 'found' as const, lead: { id, status: clock > 5_000 ? 'enriched' : 'received' } },
        );
      },
    };
    const result = await followLeads(client, leads, {
      deadline: Infinity,
      concurrency: 1,
      pollInterval: { minMs: 0, maxMs: 0, factor: 1 },
      unknownGraceMs: 10_000,
      now: () => clock,
    });
    expect(result.outcome).toBe('all-settled');
    expect(result.failed).toEqual([{ row: 1, leadId: 'gone', reason: 'GET answered 404 for 10s: the lead is unknown to this ingest (erased?)' }]);
    expect(leads.map(statusOf)).toEqual(['received', 'enriched']);
  });

  it('stops at the deadline and leaves unfinished leads pending', async () => {
    ingest = await startFakeIngest({ outcomeFor: (input) => (input.email?.startsWith('slow') ? 'never' : 'enriched') });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    const leads = await accept(client, [{ email: 'ada@acme-corp.com' }, { email: 'slow@acme-corp.com' }]);
    const result = await followLeads(client, leads, { deadline: Date.now() + 50, concurrency: 4, pollInterval: TIGHT });

    expect(result.outcome).toBe('timed-out');
    expect(leads.map(statusOf)).toEqual(['enriched', 'received']);
  });

  it('returns at once when the run is aborted', async () => {
    ingest = await startFakeIngest({ outcomeFor: () => 'never' });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    const leads = await accept(client, [{ email: 'ada@acme-corp.com' }]);
    const controller = new AbortController();
    const result = await followLeads(client, leads, {
      deadline: Date.now() + 60_000,
      concurrency: 1,
      pollInterval: { minMs: 60_000, maxMs: 60_000, factor: 1 },
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(result.outcome).toBe('aborted');
  });

  it('records a lookup that keeps failing against the lead', async () => {
    const leads: TrackedLead[] = [{ row: 7, id: 'lead-7', input: { email: 'a@b.co' }, view: null }];
    const failing = { ...NO_LIST, getLead: () => Promise.resolve({ kind: 'failed' as const, reason: 'HTTP 500' }) };
    const result = await followLeads(failing, leads, { deadline: Date.now() + 20, concurrency: 1, pollInterval: TIGHT });
    expect(result.failed).toEqual([{ row: 7, leadId: 'lead-7', reason: 'GET failed: HTTP 500' }]);
  });

  it('takes a last look at the deadline instead of reporting a state a whole pause old', async () => {
    // Far below the pause: only a look taken at the deadline can see the lead finish. A second:
    // the first round must begin before it, even on a busy machine.
    const deadline = Date.now() + 1_000;
    const leads: TrackedLead[] = [{ row: 1, id: 'lead-1', input: { email: 'a@b.co' }, view: null }];
    let looks = 0;
    const finishesAtDeadline = {
      ...NO_LIST,
      getLead: (id: string) =>
        Promise.resolve({
          kind: 'found' as const,
          // The first look sees it pending (whenever it runs); any later one sees it done.
          lead: { id, status: looks++ === 0 ? 'received' : 'enriched', enrichment: null },
        }),
    };
    const result = await followLeads(finishesAtDeadline, leads, {
      deadline,
      concurrency: 1,
      pollInterval: { minMs: 60_000, maxMs: 60_000, factor: 1 },
    });
    expect(result).toEqual({ rounds: 2, outcome: 'all-settled', failed: [] });
    expect(Date.now()).toBeLessThan(deadline + 30_000);
  });
});
