import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeValidationFailure, IngestClient, IngestUnreachableError } from './ingest.client';
import { startFakeIngest, type FakeIngest } from './testing/fake-ingest.server';

const FAST_RETRY = { retryBaseDelayMs: 1, retryMaxDelayMs: 2, maxAttempts: 3 };

describe('IngestClient', () => {
  let ingest: FakeIngest | null = null;
  afterEach(async () => {
    await ingest?.close();
    ingest = null;
  });

  it('returns the id of an accepted lead and reads it back', async () => {
    ingest = await startFakeIngest({ getsUntilTerminal: 0 });
    const client = new IngestClient({ baseUrl: `${ingest.url}/`, ...FAST_RETRY });
    const submitted = await client.submitLead({ email: 'ada@acme-corp.com', first_name: 'Ada' });
    if (submitted.kind !== 'accepted') throw new Error(`expected accepted, got ${submitted.kind}`);
    const found = await client.getLead(submitted.id);
    expect(found).toMatchObject({ kind: 'found', lead: { id: submitted.id, status: 'enriched', enrichment: { provider_calls: 2 } } });
  });

  it('turns a 400 into a rejection with the field reasons', async () => {
    ingest = await startFakeIngest();
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    expect(await client.submitLead({ email: 'john@' })).toEqual({ kind: 'rejected', reason: 'email: must be a valid e-mail address' });
  });

  it('retries a 503 and then succeeds', async () => {
    ingest = await startFakeIngest({ unavailablePosts: 2 });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    expect((await client.submitLead({ email: 'ada@acme-corp.com' })).kind).toBe('accepted');
    expect(ingest.stats.posts).toBe(3);
  });

  it('gives up on a 503 that lasts, as a failed request', async () => {
    ingest = await startFakeIngest({ unavailablePosts: 100 });
    const client = new IngestClient({ baseUrl: ingest.url, ...FAST_RETRY });
    expect(await client.submitLead({ email: 'ada@acme-corp.com' })).toEqual({
      kind: 'failed',
      reason: 'HTTP 503 after 3 attempts: Service Unavailable',
    });
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
    const attempt = client.submitLead({ email: 'ada@acme-corp.com' });
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
