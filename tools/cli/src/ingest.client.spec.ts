import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeValidationFailure, IngestAccessError, IngestClient, IngestUnreachableError } from './ingest.client';
import { startFakeIngest, type FakeIngest } from './testing/fake-ingest.server';

const FAST_RETRY = { retryBaseDelayMs: 1, retryMaxDelayMs: 2, maxAttempts: 3 };
const KEY = '5f1d7c2e-batch-1';

describe('IngestClient', () => {
  let ingest: FakeIngest | null = null;
  afterEach(async () => {
    await ingest?.close();
    ingest = null;
  });

  it('returns the ids of an accepted batch in order and reads a lead back', async () => {
    ingest = await startFakeIngest({ looksUntilTerminal: 0 });
    const client = new IngestClient({ baseUrl: `${ingest.url}/`, ...FAST_RETRY });
    const submitted = await client.submitBatch([{ email: 'ada@acme-corp.com', first_name: 'Ada' }, { email: 'unknown.zoe@acme-corp.com' }], KEY);
    if (submitted.kind !== 'accepted') throw new Error(`expected accepted, got ${submitted.kind}`);
    expect(submitted.ids).toHaveLength(2);
    expect(await client.getLead(submitted.ids[0])).toMatchObject({ kind: 'found', lead: { id: submitted.ids[0], status: 'enriched', enrichment: { provider_calls: 2 } } });
    expect(await client.getLead(submitted.ids[1])).toMatchObject({ kind: 'found', lead: { status: 'not_found' } });
  });

  it('turns a 400 into the invalid leads by index and field', async () => {
    ingest = await startFakeIngest();
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    expect(await client.submitBatch([{ email: 'ada@acme-corp.com' }, { email: 'john@' }, { first_name: 'Nobody' }], KEY)).toEqual({
      kind: 'invalid',
      errors: [
        { index: 1, field: 'email', reason: 'must be a valid e-mail address' },
        { index: 2, field: 'email', reason: 'email or linkedin_url is required' },
      ],
    });
    expect(ingest.stats.leadsCreated).toBe(0);
  });

  it('turns a 409 suppressed into the positions of the erased persons', async () => {
    ingest = await startFakeIngest({ suppressed: (lead) => lead.email === 'erased@acme-corp.com' });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    expect(await client.submitBatch([{ email: 'ada@acme-corp.com' }, { email: 'erased@acme-corp.com' }], KEY)).toEqual({ kind: 'suppressed', indexes: [1] });
  });

  it('reports a batch over ingest limits as too large, by count (400 on leads) or by bytes (413)', async () => {
    ingest = await startFakeIngest({ maxBatch: 1 });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    expect(await client.submitBatch([{ email: 'a@acme-corp.com' }, { email: 'b@acme-corp.com' }], KEY)).toEqual({ kind: 'too-large', reason: 'leads: must hold at most 1 leads' });
    await ingest.close();
    ingest = await startFakeIngest({ bodyLimitBytes: 40 });
    const bytes = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    expect((await bytes.submitBatch([{ email: 'a@acme-corp.com' }, { email: 'b@acme-corp.com' }], KEY)).kind).toBe('too-large');
  });

  it('retries a 503 and then succeeds', async () => {
    ingest = await startFakeIngest({ unavailablePosts: 2 });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    expect((await client.submitBatch([{ email: 'ada@acme-corp.com' }], KEY)).kind).toBe('accepted');
    expect(ingest.stats).toMatchObject({ batchPosts: 3, leadsCreated: 1 });
  });

  it('retries a batch whose answer was lost under the same key, so its leads are stored once', async () => {
    ingest = await startFakeIngest({ droppedAnswers: 1 });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    const outcome = await client.submitBatch([{ email: 'ada@acme-corp.com' }, { email: 'zoe@bluepeak.io' }], KEY);

    expect(outcome.kind).toBe('accepted');
    expect(ingest.stats).toMatchObject({ batchPosts: 2, replays: 1, leadsCreated: 2 });
  });

  it('gives up on a 503 that lasts, as a failed request', async () => {
    ingest = await startFakeIngest({ unavailablePosts: 100 });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    expect(await client.submitBatch([{ email: 'ada@acme-corp.com' }], KEY)).toEqual({
      kind: 'failed',
      reason: 'HTTP 503 after 3 attempts: Service Unavailable',
    });
  });

  it('waits out a 429 on every request at once, so the throttle window is not spent on retries', async () => {
    ingest = await startFakeIngest({ looksUntilTerminal: 0, throttle: { after: 1, forMs: 100 } });
    // Two attempts and a 1 ms backoff: a lane retrying on its own would fail inside the 100 ms.
    const client = new IngestClient({ baseUrl: ingest.url, retryBaseDelayMs: 1, retryMaxDelayMs: 1, maxAttempts: 2 });
    const submitted = await client.submitBatch(
      Array.from({ length: 8 }, (_, index) => ({ email: `p${index}@acme-corp.com` })),
      KEY,
    );
    if (submitted.kind !== 'accepted') throw new Error(`expected accepted, got ${submitted.kind}`);
    const lookups = await Promise.all(submitted.ids.map((id) => client.getLead(id)));

    expect(lookups.map((lookup) => lookup.kind)).toEqual(Array(8).fill('found'));
    expect(ingest.stats.throttled).toBeGreaterThan(0);
  });

  it('throws IngestAccessError on a missing or refused key, without retrying', async () => {
    ingest = await startFakeIngest({ apiKey: 'lp_right' });
    const missing = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY }).submitBatch([{ email: 'a@acme-corp.com' }], KEY);
    await expect(missing).rejects.toBeInstanceOf(IngestAccessError);
    await expect(missing).rejects.toThrow(/^ingest refused access \(HTTP 401\): API key required \(pass a key with --api-key or LEADPIPE_API_KEY\)$/);
    await expect(new IngestClient({ baseUrl: ingest.url, apiKey: 'lp_wrong', ...FAST_RETRY }).getLead('x')).rejects.toThrow(
      /^ingest refused access \(HTTP 403\): this API key lacks the ingest scope$/,
    );
    // Regression: a refusal used to be retried like a network error and reported as "cannot reach ingest".
    expect(ingest.stats.refused).toBe(2);
  });

  it('lists the ids of the pending leads page by page, and fails plainly where ingest has no list', async () => {
    ingest = await startFakeIngest({ looksUntilTerminal: 1, maxListLimit: 2 });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    const submitted = await client.submitBatch(Array.from({ length: 5 }, (_, index) => ({ email: `p${index}@acme-corp.com` })), KEY);
    if (submitted.kind !== 'accepted') throw new Error(`expected accepted, got ${submitted.kind}`);

    expect(await client.listPendingIds(new Date(Date.now() - 60_000))).toEqual({ kind: 'listed', ids: new Set(submitted.ids), pages: 3 });
    expect(await client.listPendingIds(new Date(Date.now() + 60_000))).toEqual({ kind: 'listed', ids: new Set(), pages: 1 });
    await ingest.close();
    ingest = await startFakeIngest({ withoutList: true });
    expect(await new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY }).listPendingIds(new Date())).toEqual({ kind: 'failed', reason: 'HTTP 404: Not Found' });
  });

  it('reports 404 as unknown, not as a failure', async () => {
    ingest = await startFakeIngest();
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    expect(await client.getLead('00000000-0000-4000-8000-000000000000')).toEqual({ kind: 'unknown' });
  });

  it('flags a lead view that breaks the contract', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'x', status: 42 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new IngestClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...FAST_RETRY });
      const outcome = await client.getLead('x');
      expect(outcome.kind).toBe('failed');
      expect(outcome.kind === 'failed' && outcome.reason).toContain('status');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('names the URL when nothing listens there', async () => {
    const closed = await startFakeIngest();
    const url = closed.url;
    await closed.close();
    const client = new IngestClient({ baseUrl: url, ...FAST_RETRY });
    const attempt = client.submitBatch([{ email: 'ada@acme-corp.com' }], KEY);
    await expect(attempt).rejects.toBeInstanceOf(IngestUnreachableError);
    await expect(attempt).rejects.toThrow(`cannot reach ingest at ${url}: connect ECONNREFUSED`);
  });
});

describe('describeValidationFailure', () => {
  it.each([
    [{ statusCode: 400, message: 'Validation failed', errors: [{ field: 'email', reason: 'required' }, { field: 'linkedin_url', reason: 'not a profile' }] }, 'email: required; linkedin_url: not a profile'],
    [{ statusCode: 400, message: ['email must be an email'] }, 'email must be an email'],
    [{ statusCode: 400, message: 'Validation failed' }, 'Validation failed'],
    ['plain text', 'plain text'],
    [null, 'rejected without a reason'],
  ])('describes %j', (body, expected) => {
    expect(describeValidationFailure(body)).toBe(expected);
  });
});
