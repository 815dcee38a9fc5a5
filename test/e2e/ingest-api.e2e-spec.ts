import { ServiceProcess } from '../support/service-process';
import { TestEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { messageCount } from '../integration/support/kafka-probes';

/**
 * Ingest's lead routes on the real process, PostgreSQL and Kafka: one lead, a batch, the
 * `Idempotency-Key` contract, and the answers to bad requests (400 naming every field, 413,
 * 415, 422).
 */
/** What ingest answers, all routes together. */
interface AnswerBody {
  id?: string;
  status?: string;
  message?: string;
  errors?: Array<{ field: string; reason: string }>;
  accepted?: number;
  leads?: Array<{ id: string; status: string }>;
}

describe('ingest lead routes', () => {
  const env = new TestEnv();
  let ingest: ServiceProcess;
  const MAX_LEADS = 50;
  const BODY_LIMIT = 64 * 1024;

  beforeAll(async () => {
    await env.setUp();
    ingest = await env.startService('ingest', { INGEST_BATCH_MAX_LEADS: String(MAX_LEADS), INGEST_JSON_BODY_LIMIT_BYTES: String(BODY_LIMIT) });
  }, 120_000);

  afterAll(async () => {
    await ingest?.stop();
    await env.dispose();
  }, 60_000);

  async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: AnswerBody; headers: Headers }> {
    const res = await fetch(`${ingest.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as AnswerBody, headers: res.headers };
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const rows: Array<{ n: string }> = await env.db.query(sql, params);
    return Number(rows[0].n);
  }

  const leadsWithDomain = (domain: string) => count(`SELECT count(*) AS n FROM leads WHERE email LIKE $1`, [`%@${domain}`]);

  describe('POST /api/leads', () => {
    it('accepts one lead with 202 and stores it with its received event', async () => {
      const res = await post('/api/leads', { email: 'Ada@one-lead.io', first_name: 'Ada', company_domain: 'https://www.One-Lead.io/about' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'received' });
      const [row] = await env.db.query(`SELECT email, company_domain, source, status FROM leads WHERE id = $1`, [res.body.id!]);
      expect(row).toEqual({ email: 'Ada@one-lead.io', company_domain: 'one-lead.io', source: 'api', status: 'received' });
    });

    it('answers 400 naming every invalid field, and writes nothing', async () => {
      const res = await post('/api/leads', { email: 'not-an-email@', first_name: '', company_domain: 'nodots', nickname: 'x' });
      expect(res.status).toBe(400);
      const fields = res.body.errors!.map((e) => e.field).sort();
      expect(fields).toEqual(['company_domain', 'email', 'first_name', 'nickname']);
      expect(res.body.errors).toContainEqual({ field: 'nickname', reason: 'unknown field' });
      expect(await leadsWithDomain('nodots')).toBe(0);
    });

    it('answers 415 to a body that is not JSON', async () => {
      const res = await fetch(`${ingest.url}/api/leads`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'email=a@b.io' });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { message: string }).message).toContain('application/json');
    });

    it('answers 400 to malformed JSON', async () => {
      const res = await post('/api/leads', '{"email": ');
      expect(res.status).toBe(400);
    });

    it('answers 413 to a body over the limit', async () => {
      const res = await post('/api/leads', { email: 'big@too-big.io', first_name: 'x'.repeat(BODY_LIMIT) });
      expect(res.status).toBe(413);
      expect(await leadsWithDomain('too-big.io')).toBe(0);
    });
  });

  describe('POST /api/leads/batch', () => {
    it('accepts a batch whole: one lead row and one event per lead, ids in order', async () => {
      const leads = Array.from({ length: MAX_LEADS }, (_, i) => ({ email: `p${i}@batch-ok.io`, last_name: `Person ${i}` }));
      const res = await post('/api/leads/batch', { leads });
      expect(res.status).toBe(202);
      expect(res.body.accepted).toBe(MAX_LEADS);
      expect(res.body.leads).toHaveLength(MAX_LEADS);
      const rows: Array<{ id: string; email: string }> = await env.db.query(`SELECT id, email FROM leads WHERE email LIKE '%@batch-ok.io'`);
      const emailById = new Map(rows.map((r) => [r.id, r.email]));
      expect(res.body.leads!.map((l) => emailById.get(l.id))).toEqual(leads.map((l) => l.email));
    });

    it('refuses the whole batch when one lead is invalid, naming each by index', async () => {
      const res = await post('/api/leads/batch', {
        leads: [{ email: 'fine@batch-bad.io' }, { email: 'broken' }, { first_name: 'No identity' }, 'not an object'],
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: 'leads[1].email', reason: 'must be a valid e-mail address' },
        { field: 'leads[2].email', reason: 'at least one of email or linkedin_url is required' },
        { field: 'leads[3]', reason: 'must be a JSON object' },
      ]);
      expect(await leadsWithDomain('batch-bad.io')).toBe(0);
    });

    it.each([
      ['no leads array', { items: [] }, ['items', 'leads']],
      ['an empty batch', { leads: [] }, ['leads']],
      ['too many leads', { leads: Array.from({ length: MAX_LEADS + 1 }, (_, i) => ({ email: `x${i}@batch-big.io` })) }, ['leads']],
    ])('answers 400 to %s', async (_case, body, fields) => {
      const res = await post('/api/leads/batch', body);
      expect(res.status).toBe(400);
      expect(res.body.errors!.map((e) => e.field)).toEqual(fields);
      expect(await leadsWithDomain('batch-big.io')).toBe(0);
    });
  });

  describe('Idempotency-Key', () => {
    it('gives the same answer to the same key and body, and stores the lead once', async () => {
      const body = { email: 'once@idem-single.io', first_name: 'Once' };
      const first = await post('/api/leads', body, { 'idempotency-key': 'single-1' });
      // The same JSON with its keys in another order is the same request.
      const again = await post('/api/leads', { first_name: 'Once', email: 'once@idem-single.io' }, { 'idempotency-key': 'single-1' });
      expect(first.status).toBe(202);
      expect(again.status).toBe(202);
      expect(again.body).toEqual(first.body);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await leadsWithDomain('idem-single.io')).toBe(1);
    });

    it('stores a batch once when the same request races itself', async () => {
      const body = { leads: Array.from({ length: 20 }, (_, i) => ({ email: `r${i}@idem-race.io` })) };
      const answers = await Promise.all(Array.from({ length: 6 }, () => post('/api/leads/batch', body, { 'idempotency-key': 'race-1' })));
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(202));
      for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1);
      expect(await leadsWithDomain('idem-race.io')).toBe(20);
    });

    it('refuses the same key with another body (422), and keys are per route', async () => {
      const first = await post('/api/leads', { email: 'a@idem-clash.io' }, { 'idempotency-key': 'clash-1' });
      expect(first.status).toBe(202);
      const clash = await post('/api/leads', { email: 'b@idem-clash.io' }, { 'idempotency-key': 'clash-1' });
      expect(clash.status).toBe(422);
      expect(clash.body.errors).toEqual([{ field: 'Idempotency-Key', reason: 'already used with a different request body' }]);
      const otherRoute = await post('/api/leads/batch', { leads: [{ email: 'c@idem-clash.io' }] }, { 'idempotency-key': 'clash-1' });
      expect(otherRoute.status).toBe(202);
      expect(await leadsWithDomain('idem-clash.io')).toBe(2);
    });

    it('does not consume the key on a request refused as invalid', async () => {
      const bad = await post('/api/leads', { email: 'broken' }, { 'idempotency-key': 'fix-then-retry' });
      expect(bad.status).toBe(400);
      const good = await post('/api/leads', { email: 'fixed@idem-fix.io' }, { 'idempotency-key': 'fix-then-retry' });
      expect(good.status).toBe(202);
    });

    it('answers 400 to a malformed key', async () => {
      const res = await post('/api/leads', { email: 'k@idem-key.io' }, { 'idempotency-key': 'has spaces in it' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', reason: 'must be 1 to 255 visible ASCII characters' }]);
      expect(await leadsWithDomain('idem-key.io')).toBe(0);
    });
  });

  describe('GET /api/leads', () => {
    async function get(query: string): Promise<{ status: number; body: AnswerBody & { data?: Array<{ id: string; status: string; score: number | null }>; next_cursor?: string | null } }> {
      const res = await fetch(`${ingest.url}/api/leads?${query}`);
      return { status: res.status, body: (await res.json()) as AnswerBody };
    }

    it('pages through leads newest first with a stable cursor, and filters by status, score and time', async () => {
      const since = new Date(Date.now() - 1).toISOString();
      // One batch: every lead has the same received_at, so the id breaks the tie.
      const batch = await post('/api/leads/batch', { leads: Array.from({ length: 7 }, (_, i) => ({ email: `l${i}@list.io` })) });
      const ids = batch.body.leads!.map((l) => l.id);
      // Ingest only reads what the validator writes: set outcomes directly.
      for (const [i, id] of ids.entries()) {
        await env.db.query(`UPDATE leads SET status = $2, score = $3 WHERE id = $1`, [id, i < 5 ? 'enriched' : 'invalid', i < 5 ? i * 10 : null]);
      }
      const later = await post('/api/leads', { email: 'later@list.io' });

      const seen: string[] = [];
      let cursor: string | null | undefined;
      let pages = 0;
      do {
        const page = await get(`received_since=${encodeURIComponent(since)}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.data!.map((l) => l.id));
        cursor = page.body.next_cursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([later.body.id, ...[...ids].sort().reverse()]);

      const filtered = await get(`status=enriched&min_score=20&max_score=40&received_since=${encodeURIComponent(since)}`);
      expect(filtered.body.data!.map((l) => [l.status, l.score]).sort()).toEqual([
        ['enriched', 20],
        ['enriched', 30],
        ['enriched', 40],
      ]);
      const twoStatuses = await get(`status=invalid,received&received_since=${encodeURIComponent(since)}`);
      expect(twoStatuses.body.data!.map((l) => l.id).sort()).toEqual([ids[5], ids[6], later.body.id].sort());
      expect(twoStatuses.body.next_cursor).toBeNull();
    });

    it('answers 400 naming each bad parameter', async () => {
      const res = await get('status=bogus&min_score=101&limit=0&received_since=yesterday&colour=red');
      expect(res.status).toBe(400);
      expect(res.body.errors!.map((e) => e.field).sort()).toEqual(['colour', 'limit', 'min_score', 'received_since', 'status']);
      const cursor = await get('cursor=bm90LWEtY3Vyc29y');
      expect(cursor.body.errors).toEqual([{ field: 'cursor', reason: 'is not a cursor this API gave out' }]);
      const range = await get('min_score=50&max_score=10');
      expect(range.body.errors).toEqual([{ field: 'min_score', reason: 'must not be greater than max_score' }]);
    });
  });

  describe('GET /api/leads/:id/events (Server-Sent Events)', () => {
    /** Reads `text/event-stream` until it ends (or the deadline), handing each event to `onEvent`. */
    async function readEvents(
      url: string,
      onEvent: (event: { type: string; data: string }) => Promise<void> | void,
      timeoutMs = 15_000,
    ): Promise<Array<{ type: string; data: string }>> {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const events: Array<{ type: string; data: string }> = [];
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
          const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
          const event = { type, data };
          events.push(event);
          await onEvent(event);
        }
      }
      return events;
    }

    it('sends the lead now, again when another service changes it, then done, and ends', async () => {
      const lead = await post('/api/leads', { email: 'live@sse.io' });
      const events = await readEvents(`${ingest.url}/api/leads/${lead.body.id!}/events`, async (event) => {
        // What the validator does when the result is stored (any writer notifies: a trigger).
        if (event.type === 'status' && (JSON.parse(event.data) as { status: string }).status === 'received') {
          await env.db.query(`UPDATE leads SET status = 'enriched', score = 77, updated_at = now() WHERE id = $1`, [lead.body.id]);
        }
      });
      const statuses = events.filter((e) => e.type === 'status').map((e) => JSON.parse(e.data) as { id: string; status: string; score: number | null });
      expect(statuses.map((l) => [l.id, l.status, l.score])).toEqual([
        [lead.body.id, 'received', null],
        [lead.body.id, 'enriched', 77],
      ]);
      expect(events[events.length - 1]).toEqual({ type: 'done', data: JSON.stringify({ id: lead.body.id, status: 'enriched' }) });
    });

    it('answers 404 for an unknown lead and 400 for a bad id', async () => {
      expect((await fetch(`${ingest.url}/api/leads/00000000-0000-4000-8000-000000000000/events`)).status).toBe(404);
      expect((await fetch(`${ingest.url}/api/leads/nope/events`)).status).toBe(400);
    });
  });

  describe('GET /api/leads/:id', () => {
    it('answers 404 for an unknown lead and 400 for an id that is not a UUID', async () => {
      expect((await fetch(`${ingest.url}/api/leads/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
      expect((await fetch(`${ingest.url}/api/leads/not-a-uuid`)).status).toBe(400);
    });
  });

  it('relays exactly one received event per stored lead (replays and refusals add none)', async () => {
    const batch = { leads: [{ email: 'e1@events.io' }, { email: 'e2@events.io', priority: 'high' }] };
    for (let i = 0; i < 3; i++) expect((await post('/api/leads/batch', batch, { 'idempotency-key': 'events-1' })).status).toBe(202);
    expect((await post('/api/leads/batch', { leads: [{ email: 'e3@events.io' }, { email: 'bad' }] })).status).toBe(400);
    expect(await leadsWithDomain('events.io')).toBe(2);
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM outbox`)) === 0, { timeoutMs: 30_000, what: 'the outbox to drain' });
    const events = (await messageCount(env.kafka, env.topic('leadReceived'))) + (await messageCount(env.kafka, env.topic('leadReceivedPriority')));
    expect(events).toBe(await count(`SELECT count(*) AS n FROM leads`));
  });
});
