import { IngestClient, type BatchOutcome } from './ingest.client';
import type { LeadRow } from './lead-csv.reader';
import { emptySubmissionResult, submitLeads, SUPPRESSED_REASON, type SubmissionResult } from './lead-submitter';
import { startFakeIngest, type FakeIngest, type FakeIngestOptions } from './testing/fake-ingest.server';
import type { LeadFieldValues } from '@leadpipe/contracts';

const FAST_RETRY = { retryBaseDelayMs: 1, retryMaxDelayMs: 2, maxAttempts: 3 };

/** Rows numbered from 1 (the line is the row + 1, as after a header). */
async function* rowsOf(inputs: LeadFieldValues[]): AsyncGenerator<LeadRow> {
  for (const [index, input] of inputs.entries()) yield { row: index + 1, line: index + 2, input };
}

function emails(...addresses: string[]): LeadFieldValues[] {
  return addresses.map((email) => ({ email }));
}

describe('submitLeads', () => {
  let ingest: FakeIngest | null = null;
  afterEach(async () => {
    await ingest?.close();
    ingest = null;
  });

  async function submit(inputs: LeadFieldValues[], fake: FakeIngestOptions, batchSize: number, concurrency = 2): Promise<SubmissionResult> {
    ingest = await startFakeIngest(fake);
    const result = emptySubmissionResult();
    await submitLeads(rowsOf(inputs), new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY }), result, { concurrency, batchSize });
    return result;
  }

  it('sends the rows in batches of the batch size and keeps each id on its row', async () => {
    const result = await submit(emails('a@acme-corp.com', 'b@acme-corp.com', 'c@acme-corp.com', 'd@acme-corp.com', 'e@acme-corp.com'), {}, 2);

    expect(ingest!.stats.batchSizes.sort()).toEqual([1, 2, 2]);
    expect(result).toMatchObject({ sent: 5, requests: 3, rejected: [], failed: [] });
    expect(ingest!.stats.leadsCreated).toBe(5);
    const byRow = [...result.accepted].sort((x, y) => x.row - y.row);
    expect(byRow.map((lead) => [lead.row, lead.input.email])).toEqual([
      [1, 'a@acme-corp.com'],
      [2, 'b@acme-corp.com'],
      [3, 'c@acme-corp.com'],
      [4, 'd@acme-corp.com'],
      [5, 'e@acme-corp.com'],
    ]);
    expect(new Set(byRow.map((lead) => lead.id)).size).toBe(5);
  });

  it('rejects the rows a 400 names by index and sends the rest again as a new batch', async () => {
    const result = await submit([{ email: 'a@acme-corp.com' }, { email: 'john@' }, { first_name: 'Nobody' }, { email: 'd@acme-corp.com' }], {}, 10, 1);

    expect(ingest!.stats.batchSizes).toEqual([4, 2]);
    expect(result.rejected).toEqual([
      { row: 2, line: 3, reason: 'email: must be a valid e-mail address', cause: 'invalid' },
      { row: 3, line: 4, reason: 'email: email or linkedin_url is required', cause: 'invalid' },
    ]);
    expect(result.accepted.map((lead) => lead.row)).toEqual([1, 4]);
    expect(result).toMatchObject({ sent: 4, requests: 2, failed: [] });
  });

  it('rejects suppressed persons (409) and sends the rest, after invalid rows were taken out', async () => {
    const result = await submit(
      [{ email: 'erased@acme-corp.com' }, { email: 'john@' }, { email: 'ada@acme-corp.com' }],
      { suppressed: (lead) => lead.email === 'erased@acme-corp.com' },
      10,
      1,
    );

    expect(ingest!.stats.batchSizes).toEqual([3, 2, 1]);
    expect(result.rejected.map((r) => [r.row, r.cause, r.reason])).toEqual([
      [2, 'invalid', 'email: must be a valid e-mail address'],
      [1, 'suppressed', SUPPRESSED_REASON],
    ]);
    expect(result.accepted.map((lead) => lead.row)).toEqual([3]);
    expect(ingest!.stats.leadsCreated).toBe(1);
  });

  it('halves a batch ingest finds too large until it passes', async () => {
    const result = await submit(emails('a@acme-corp.com', 'b@acme-corp.com', 'c@acme-corp.com', 'd@acme-corp.com', 'e@acme-corp.com'), { maxBatch: 2 }, 5, 1);

    // 5 is refused before validation; 3 is refused, its halves 2 and 1 pass; then the other 2.
    expect(ingest!.stats.batchSizes).toEqual([2, 1, 2]);
    expect(result.accepted.map((lead) => lead.row)).toEqual([1, 2, 3, 4, 5]);
    expect(result).toMatchObject({ requests: 5, failed: [], rejected: [] });
  });

  it('records every row of a batch that failed after retries', async () => {
    const result = await submit(emails('a@acme-corp.com', 'b@acme-corp.com'), { unavailablePosts: 100 }, 10);
    expect(result.failed).toEqual([
      { row: 1, reason: 'POST /api/leads/batch failed: HTTP 503 after 3 attempts: Service Unavailable' },
      { row: 2, reason: 'POST /api/leads/batch failed: HTTP 503 after 3 attempts: Service Unavailable' },
    ]);
  });

  it('fails a batch instead of resending it when ingest names a lead the batch does not have', async () => {
    const client = { submitBatch: (): Promise<BatchOutcome> => Promise.resolve({ kind: 'suppressed', indexes: [5] }) };
    const result = emptySubmissionResult();
    await submitLeads(rowsOf(emails('a@acme-corp.com')), client, result, { concurrency: 1, batchSize: 10 });
    expect(result.failed).toEqual([{ row: 1, reason: 'POST /api/leads/batch failed: ingest named lead 5 of a batch of 1' }]);
  });

  it('keeps at most `concurrency` requests in flight, with a fresh idempotency key per body', async () => {
    let inFlight = 0;
    let most = 0;
    const keys: string[] = [];
    let waiting: (() => void)[] = [];
    const client = {
      submitBatch: async (inputs: readonly LeadFieldValues[], key: string): Promise<BatchOutcome> => {
        keys.push(key);
        inFlight += 1;
        most = Math.max(most, inFlight);
        // Requests are answered three at a time, a macrotask later: a pool that let a fourth
        // lane start would have started it by then.
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === 3) {
            const release = waiting;
            waiting = [];
            setImmediate(() => release.forEach((answer) => answer()));
          }
        });
        inFlight -= 1;
        return { kind: 'accepted', ids: inputs.map((_, index) => `${key}-${index}`) };
      },
    };
    const result = emptySubmissionResult();
    const inputs = Array.from({ length: 24 }, (_, index) => ({ email: `p${index}@acme-corp.com` }));
    await submitLeads(rowsOf(inputs), client, result, { concurrency: 3, batchSize: 2 });

    expect(most).toBe(3);
    expect(keys).toHaveLength(12);
    expect(new Set(keys).size).toBe(12);
    expect(result.accepted).toHaveLength(24);
  });
});
