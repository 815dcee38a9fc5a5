import { IngestClient } from './ingest.client';
import { followLeads, type PollInterval } from './lead-follower';
import { startFakeIngest, type FakeIngest } from './testing/fake-ingest.server';
import { statusOf, type TrackedLead } from './tracked-lead';

const TIGHT: PollInterval = { minMs: 1, maxMs: 4, factor: 2 };
const FAST_RETRY = { retryBaseDelayMs: 1, retryMaxDelayMs: 2, maxAttempts: 2 };

async function accept(client: IngestClient, rows: { email?: string; linkedin_url?: string }[]): Promise<TrackedLead[]> {
  const leads: TrackedLead[] = [];
  for (const [index, input] of rows.entries()) {
    const outcome = await client.submitLead(input);
    if (outcome.kind !== 'accepted') throw new Error(`row ${index + 1} not accepted`);
    leads.push({ row: index + 1, id: outcome.id, input, view: null });
  }
  return leads;
}

describe('followLeads', () => {
  let ingest: FakeIngest | null = null;
  afterEach(async () => {
    await ingest?.close();
    ingest = null;
  });

  it('polls until every lead is terminal, riding out a read side that lags the 202', async () => {
    ingest = await startFakeIngest({ invisibleGets: 2, getsUntilTerminal: 3 });
    const fake = ingest;
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    const leads = await accept(client, [
      { email: 'ada@acme-corp.com' },
      { email: 'unknown.person3@acme-corp.com' },
      { linkedin_url: 'https://www.linkedin.com/company/acme/' },
      { email: 'poison@acme-corp.com' },
    ]);
    const rounds: number[] = [];
    const result = await followLeads(client, leads, {
      deadline: Date.now() + 30_000,
      concurrency: 2,
      pollInterval: TIGHT,
      onRound: (terminal) => rounds.push(terminal),
    });

    expect(result).toEqual({ rounds: 6, outcome: 'all-terminal', failed: [] });
    expect(leads.map(statusOf)).toEqual(['enriched', 'not_found', 'invalid', 'dead_lettered']);
    expect(rounds).toEqual([0, 0, 0, 0, 0, 4]);
    // Terminal leads are not polled again.
    expect(fake.stats.gets).toBe(4 * 6);
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
      onRound: () => controller.abort(),
    });
    expect(result.outcome).toBe('aborted');
  });

  it('records a lookup that keeps failing against the lead', async () => {
    const leads: TrackedLead[] = [{ row: 7, id: 'lead-7', input: { email: 'a@b.co' }, view: null }];
    const failing = { getLead: () => Promise.resolve({ kind: 'failed' as const, reason: 'HTTP 500' }) };
    const result = await followLeads(failing, leads, { deadline: Date.now() + 20, concurrency: 1, pollInterval: TIGHT });
    expect(result.failed).toEqual([{ row: 7, leadId: 'lead-7', reason: 'GET failed: HTTP 500' }]);
  });

  it('takes a last look at the deadline instead of reporting a state a whole pause old', async () => {
    // Far below the pause: only a look taken at the deadline can see the lead finish.
    const deadline = Date.now() + 300;
    const leads: TrackedLead[] = [{ row: 1, id: 'lead-1', input: { email: 'a@b.co' }, view: null }];
    let looks = 0;
    const finishesAtDeadline = {
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
    expect(result).toEqual({ rounds: 2, outcome: 'all-terminal', failed: [] });
    expect(Date.now()).toBeLessThan(deadline + 30_000);
  });
});
