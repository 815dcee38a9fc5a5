import { randomUUID } from 'node:crypto';
import { Producer } from 'kafkajs';
import { messageCount } from '../integration/support/kafka-probes';
import { sample, scrape } from '../support/metrics';
import { Pipeline } from '../support/pipeline';
import { waitFor } from '../support/wait-for';

interface Summary {
  id: string;
  lead_id: string | null;
  lead_status: string | null;
  stage: string;
  error_code: string;
  reason: string;
  attempts: number;
  origin: { topic: string; partition: number; offset: string };
  failed_at: string;
  replayed_at: string | null;
  replay_count: number;
  payload?: string;
  payload_encoding?: string;
}

interface Answer {
  data?: Summary[];
  next_cursor?: string | null;
  errors?: Array<{ field: string; reason: string }>;
  message?: string;
  reason?: string;
  replayed_to?: string;
  lead_id?: string | null;
  id?: string;
  replayed?: number;
  unreplayable?: Array<{ id: string; reason: string }>;
}

/**
 * `/api/dead-letters` on the real pipeline: the provider refuses some leads (400, dead-lettered
 * at once as `provider_rejected`) and a producer writes unreadable messages to
 * `leads.received`; the validator records the dead letters, ingest lists and replays them
 * through its outbox, and the replayed leads end `enriched`.
 */
describe('dead-letter API', () => {
  // Chunks of 2 so that "replay all" takes several transactions.
  const pipeline = new Pipeline({ extraEnv: { ingest: { INGEST_DEAD_LETTER_REPLAY_CHUNK_SIZE: '2' } } });
  let producer: Producer;
  const rejected: string[] = []; // lead ids the provider refused
  const bad: Record<'unparseable' | 'binary' | 'schema', string> = { unparseable: '', binary: '', schema: '' }; // dead-letter ids
  const schemaInvalidLead = randomUUID();

  async function api(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Answer }> {
    const res = await fetch(`${pipeline.ingestUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Answer };
  }

  const list = async (query = ''): Promise<Summary[]> => {
    const res = await api('GET', `/api/dead-letters${query}`);
    expect(res.status).toBe(200);
    return res.body.data!;
  };
  const one = async (id: string): Promise<Summary> => (await api('GET', `/api/dead-letters/${id}`)).body as unknown as Summary;
  const leadStatus = async (id: string): Promise<string | undefined> =>
    ((await pipeline.env.db.query(`SELECT status FROM leads WHERE id = $1`, [id])) as Array<{ status: string }>)[0]?.status;
  const count = async (sql: string, params: unknown[] = []): Promise<number> => Number((await pipeline.env.db.query(sql, params))[0].n);
  const deadLetterOf = async (leadId: string): Promise<Summary> => (await list(`?lead_id=${leadId}`))[0];

  beforeAll(async () => {
    await pipeline.start();
    producer = pipeline.env.kafka.producer();
    await producer.connect();

    pipeline.simulator.setFaults({ forceStatus: 400 });
    try {
      for (let i = 0; i < 3; i++) {
        const { status, json } = await pipeline.postLead({ linkedin_url: `https://www.linkedin.com/in/dead-letter-${i}/` });
        expect(status).toBe(202);
        rejected.push(json.id as string);
      }
      await waitFor(async () => (await Promise.all(rejected.map(leadStatus))).every((s) => s === 'dead_lettered'), {
        timeoutMs: 60_000,
        what: 'the refused leads dead-lettered',
      });
    } finally {
      pipeline.simulator.setFaults({ forceStatus: null });
    }

    // Three messages no replay can fix: not JSON, not text, and JSON that fails the schema.
    await producer.send({
      topic: pipeline.env.topic('leadReceived'),
      messages: [
        { key: 'email:broken@dead-letters.example', value: 'not json {' },
        { key: null, value: Buffer.from([0xff, 0xfe, 0xfd]) },
        { key: 'email:half@dead-letters.example', value: JSON.stringify({ schemaVersion: 1, leadId: schemaInvalidLead, source: 'kafka' }) },
      ],
    });
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM dead_letters`)) === 6, { timeoutMs: 60_000, what: 'six dead letters recorded' });
    const rows: Array<{ id: string; error_code: string; payload_encoding: string }> = await pipeline.env.db.query(
      `SELECT id, error_code, payload_encoding FROM dead_letters WHERE error_code <> 'provider_rejected'`,
    );
    bad.unparseable = rows.find((r) => r.error_code === 'unparseable' && r.payload_encoding === 'utf8')!.id;
    bad.binary = rows.find((r) => r.payload_encoding === 'base64')!.id;
    bad.schema = rows.find((r) => r.error_code === 'schema_invalid')!.id;
  }, 240_000);

  afterAll(async () => {
    await producer?.disconnect();
    await pipeline.stop();
  }, 120_000);

  it('lists every dead letter newest first, with its reason, and without payloads', async () => {
    const all = await list();
    expect(all).toHaveLength(6);
    const times = all.map((d) => d.failed_at);
    expect([...times].sort().reverse()).toEqual(times);
    for (const d of all) {
      expect(d.reason.length).toBeGreaterThan(0);
      expect(d.stage).toBe('enricher');
      expect(d.origin.topic).toBe(pipeline.env.topic('leadReceived'));
      expect(d.replayed_at).toBeNull();
      expect(d).not.toHaveProperty('payload');
    }
    const refused = all.filter((d) => d.error_code === 'provider_rejected');
    expect(refused.map((d) => d.lead_id).sort()).toEqual([...rejected].sort());
    for (const d of refused) {
      expect(d.reason).toMatch(/^Netrows rejected the request/);
      expect(d.lead_status).toBe('dead_lettered');
    }
    const schema = all.find((d) => d.id === bad.schema)!;
    expect(schema).toMatchObject({ error_code: 'schema_invalid', lead_id: schemaInvalidLead, lead_status: null });
    expect(schema.reason).toContain('identityKey');
  });

  it('filters by code, stage, lead and replayed', async () => {
    expect(await list('?code=provider_rejected')).toHaveLength(3);
    expect((await list('?code=unparseable')).map((d) => d.id).sort()).toEqual([bad.unparseable, bad.binary].sort());
    expect(await list('?code=unparseable,schema_invalid')).toHaveLength(3);
    expect((await list(`?lead_id=${rejected[1]}`)).map((d) => d.lead_id)).toEqual([rejected[1]]);
    expect(await list('?stage=enricher')).toHaveLength(6);
    expect(await list('?stage=validator,notifier')).toHaveLength(0);
    expect(await list('?replayed=true')).toHaveLength(0);
    expect(await list('?replayed=false&code=provider_rejected')).toHaveLength(3);
  });

  it('pages with a cursor, each dead letter once', async () => {
    const first = await api('GET', '/api/dead-letters?limit=4');
    expect(first.body.data).toHaveLength(4);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await api('GET', `/api/dead-letters?limit=4&cursor=${first.body.next_cursor}`);
    expect(second.body.data).toHaveLength(2);
    expect(second.body.next_cursor).toBeNull();
    const ids = [...first.body.data!, ...second.body.data!].map((d) => d.id);
    expect(new Set(ids).size).toBe(6);
  });

  it('shows one dead letter with its original message', async () => {
    const refused = await deadLetterOf(rejected[0]);
    const full = await one(refused.id);
    expect(full.payload_encoding).toBe('utf8');
    expect(JSON.parse(full.payload!)).toMatchObject({ leadId: rejected[0], source: 'api' });
    expect(await one(bad.unparseable)).toMatchObject({ payload: 'not json {', payload_encoding: 'utf8' });
    expect(await one(bad.binary)).toMatchObject({ payload: Buffer.from([0xff, 0xfe, 0xfd]).toString('base64'), payload_encoding: 'base64' });
  });

  it('answers 400 naming each bad parameter, field or id', async () => {
    const query = await api('GET', '/api/dead-letters?limit=0&code=nope&lead_id=7&replayed=maybe&colour=red');
    expect(query.status).toBe(400);
    expect(query.body.errors!.map((e) => e.field).sort()).toEqual(['code', 'colour', 'lead_id', 'limit', 'replayed']);
    const cursor = await api('GET', '/api/dead-letters?cursor=forged');
    expect(cursor).toMatchObject({ status: 400, body: { errors: [{ field: 'cursor', reason: 'is not a cursor this API gave out' }] } });
    expect(await api('GET', '/api/dead-letters/not-a-uuid')).toMatchObject({ status: 400, body: { errors: [{ field: 'id', reason: 'must be a UUID' }] } });
    const replay = await api('POST', '/api/dead-letters/not-a-uuid/replay?force=maybe');
    expect(replay.status).toBe(400);
    expect(replay.body.errors).toEqual([
      { field: 'id', reason: 'must be a UUID' },
      { field: 'force', reason: 'must be true or false' },
    ]);
    const body = await api('POST', '/api/dead-letters/replay', { code: 'nope', everything: true });
    expect(body.status).toBe(400);
    expect(body.body.errors!.map((e) => e.field).sort()).toEqual(['code', 'everything']);
    expect((await api('POST', '/api/dead-letters/replay', 'stage=enricher', { 'content-type': 'text/plain' })).status).toBe(415);
    expect(await count(`SELECT count(*) AS n FROM dead_letters WHERE replayed_at IS NOT NULL`)).toBe(0);
  });

  it('answers 404 for a dead letter it does not have', async () => {
    const id = randomUUID();
    expect(await api('GET', `/api/dead-letters/${id}`)).toMatchObject({ status: 404, body: { message: `dead letter ${id} not found` } });
    expect((await api('POST', `/api/dead-letters/${id}/replay`)).status).toBe(404);
  });

  it('answers 409 with the reason when a dead letter cannot be replayed, and writes nothing', async () => {
    const unparseable = await api('POST', `/api/dead-letters/${bad.unparseable}/replay`);
    expect(unparseable.status).toBe(409);
    expect(unparseable.body.reason).toMatch(/^payload is not JSON: /);
    const binary = await api('POST', `/api/dead-letters/${bad.binary}/replay`);
    expect(binary).toMatchObject({ status: 409, body: { reason: 'payload is binary (stored as base64), not a JSON event' } });
    const schema = await api('POST', `/api/dead-letters/${bad.schema}/replay?force=true`);
    expect(schema.status).toBe(409);
    expect(schema.body.reason).toMatch(/^payload fails the leads\.received\.v1 schema: .*identityKey/);
    expect(await count(`SELECT count(*) AS n FROM dead_letters WHERE replayed_at IS NOT NULL`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM outbox`)).toBe(0);
  });

  it('replays one: the lead is received again, ends enriched, and the dead letter shows when', async () => {
    const letter = await deadLetterOf(rejected[0]);
    const res = await api('POST', `/api/dead-letters/${letter.id}/replay`);
    expect(res).toEqual({ status: 202, body: { id: letter.id, replayed_to: pipeline.env.topic('leadReceived'), lead_id: rejected[0] } });
    // Committed with the 202: the lead is no longer dead-lettered.
    expect(['received', 'enriched']).toContain(await leadStatus(rejected[0]));
    await waitFor(async () => (await leadStatus(rejected[0])) === 'enriched', { timeoutMs: 60_000, what: 'the replayed lead enriched' });
    const after = await one(letter.id);
    expect(after.replayed_at).toEqual(expect.any(String));
    expect(after).toMatchObject({ replay_count: 1, lead_status: 'enriched' });
  });

  it('refuses to replay a dead letter twice unless forced', async () => {
    const letter = await deadLetterOf(rejected[0]);
    const again = await api('POST', `/api/dead-letters/${letter.id}/replay`);
    expect(again).toMatchObject({ status: 409, body: { reason: 'already replayed', replayed_at: letter.replayed_at } });
    const forced = await api('POST', `/api/dead-letters/${letter.id}/replay?force=true`);
    expect(forced.status).toBe(202);
    expect(await one(letter.id)).toMatchObject({ replay_count: 2 });
  });

  it('enqueues a dead letter once when two replays of it race', async () => {
    const letter = await deadLetterOf(rejected[1]);
    const answers = await Promise.all([1, 2].map(() => api('POST', `/api/dead-letters/${letter.id}/replay`)));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(await one(letter.id)).toMatchObject({ replay_count: 1 });
    await waitFor(async () => (await leadStatus(rejected[1])) === 'enriched', { timeoutMs: 60_000, what: 'the raced lead enriched' });
  });

  it('replays all that match, in chunks, and reports what cannot go back', async () => {
    const refused = await api('POST', '/api/dead-letters/replay', { code: ['provider_rejected'] });
    expect(refused).toEqual({ status: 202, body: { replayed: 1, unreplayable: [] } });
    await waitFor(async () => (await leadStatus(rejected[2])) === 'enriched', { timeoutMs: 60_000, what: 'the last refused lead enriched' });

    const rest = await api('POST', '/api/dead-letters/replay');
    expect(rest.status).toBe(202);
    expect(rest.body.replayed).toBe(0);
    expect(rest.body.unreplayable!.map((u) => u.id).sort()).toEqual([bad.unparseable, bad.binary, bad.schema].sort());
    expect(rest.body.unreplayable!.every((u) => u.reason.length > 0)).toBe(true);
    expect((await list('?replayed=false')).map((d) => d.id).sort()).toEqual([bad.unparseable, bad.binary, bad.schema].sort());
    expect(await list('?replayed=true')).toHaveLength(3);
  });

  it('put each replay on the topic once: nothing lost, nothing doubled', async () => {
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM outbox`)) === 0, { what: 'outbox drained' });
    // 3 posted + 3 produced by hand + 4 replays (one, forced, the race winner, replay-all).
    expect(await messageCount(pipeline.env.kafka, pipeline.env.topic('leadReceived'))).toBe(10);
  });

  it('sends a dead letter from a retry topic to the start of its chain, the priority topic for a high-priority lead', async () => {
    const leadId = randomUUID();
    const event = {
      schemaVersion: 1,
      eventId: randomUUID(),
      leadId,
      identityKey: 'linkedin:retried-priority',
      receivedAt: new Date().toISOString(),
      source: 'kafka',
      priority: 'high',
      lead: { linkedinUrl: 'https://www.linkedin.com/in/retried-priority/' },
    };
    const id = randomUUID();
    await pipeline.env.db.query(
      `INSERT INTO dead_letters (id, lead_id, stage, error_code, reason, attempts, origin_topic, origin_partition, origin_offset,
                                 first_failure_at, failed_at, message_key, payload, payload_encoding, correlation_id)
       VALUES ($1, $2, 'enricher', 'processing_failed', 'a bug, since fixed', 1, $3, 0, '0', now(), now(), $4, $5, 'utf8', 'corr-retried')`,
      [id, leadId, pipeline.env.topic('enrichRetry2'), event.identityKey, Buffer.from(JSON.stringify(event))],
    );
    const res = await api('POST', `/api/dead-letters/${id}/replay`);
    expect(res).toEqual({ status: 202, body: { id, replayed_to: pipeline.env.topic('leadReceivedPriority'), lead_id: leadId } });
    // A lead produced straight to Kafka gets its row when it is validated.
    await waitFor(async () => (await leadStatus(leadId)) === 'enriched', { timeoutMs: 60_000, what: 'the priority lead enriched' });
  });

  it('records a dead letter published twice for one failed message once', async () => {
    const original: Array<{ origin_topic: string; origin_partition: number; origin_offset: string }> = await pipeline.env.db.query(
      `SELECT origin_topic, origin_partition, origin_offset FROM dead_letters WHERE id = $1`,
      [bad.unparseable],
    );
    const { origin_topic, origin_partition, origin_offset } = original[0];
    const letter = (originOffset: string) => ({
      schemaVersion: 1,
      eventId: randomUUID(),
      leadId: null,
      stage: 'validator',
      reason: 'value is not JSON',
      errorCode: 'unparseable',
      originTopic: origin_topic,
      originPartition: origin_partition,
      originOffset,
      attempts: 1,
      firstFailureAt: new Date().toISOString(),
      failedAt: new Date().toISOString(),
      key: null,
      payload: 'not json {',
      payloadEncoding: 'utf8',
    });
    const marker = `marker-${randomUUID()}`;
    // Same key, same partition: the marker is consumed after the duplicate.
    await producer.send({
      topic: pipeline.env.topic('deadLetter'),
      messages: [letter(origin_offset), letter(marker)].map((value) => ({ key: 'duplicate-check', value: JSON.stringify(value) })),
    });
    await waitFor(async () => (await count(`SELECT count(*) AS n FROM dead_letters WHERE origin_offset = $1`, [marker])) === 1, {
      what: 'the marker dead letter recorded',
    });
    const sameOrigin = `SELECT count(*) AS n FROM dead_letters WHERE origin_topic = $1 AND origin_partition = $2 AND origin_offset = $3`;
    expect(await count(sameOrigin, [origin_topic, origin_partition, origin_offset])).toBe(1);
  });

  it('dead-letters an outbox row its topic would refuse instead of holding back the rows after it', async () => {
    const leadId = randomUUID();
    const good = {
      schemaVersion: 1,
      eventId: randomUUID(),
      leadId,
      identityKey: 'linkedin:after-poison',
      receivedAt: new Date().toISOString(),
      source: 'kafka',
      priority: 'normal',
      refresh: false,
      lead: { linkedinUrl: 'https://www.linkedin.com/in/after-poison/' },
    };
    const poisonLead = randomUUID();
    const [{ id: poisonRow }]: Array<{ id: string }> = await pipeline.env.db.query(
      `INSERT INTO outbox (topic_key, message_key, payload) VALUES ('leadReceived', 'linkedin:poison', $1), ('leadReceived', $2, $3) RETURNING id`,
      [JSON.stringify({ ...good, leadId: poisonLead, eventId: 'not-a-uuid' }), good.identityKey, JSON.stringify(good)],
    );
    await waitFor(async () => (await leadStatus(leadId)) === 'enriched', { timeoutMs: 60_000, what: 'the row after the poison enriched' });
    const [letter] = await waitFor(async () => {
      const found = await list(`?stage=ingest&lead_id=${poisonLead}`);
      return found.length > 0 ? found : null;
    });
    expect(letter).toMatchObject({ error_code: 'schema_invalid', origin: { topic: pipeline.env.topic('leadReceived'), partition: -1, offset: `outbox:${poisonRow}` } });
    expect(letter.reason).toMatch(/payload fails the leads\.received\.v1 schema: eventId: /);
    expect(await count(`SELECT count(*) AS n FROM outbox`)).toBe(0);
  });

  it('counts replays by stage and result, and what waits', async () => {
    const text = await scrape(pipeline.ingestUrl);
    const value = (name: string, labels: Record<string, string>): number | undefined => sample(text, name, labels);
    const replays = 'leadpipe_ingest_dead_letters_replayed_total';
    // One, forced, the race winner, replay-all's one, the retry-topic one.
    expect(value(replays, { stage: 'enricher', result: 'replayed' })).toBe(5);
    // The second ask without force, and the race loser.
    expect(value(replays, { stage: 'enricher', result: 'already_replayed' })).toBe(2);
    // Three refused one by one, the same three in replay-all.
    expect(value(replays, { stage: 'enricher', result: 'unreplayable' })).toBe(6);
    expect(value('leadpipe_dead_letters_unreplayed', { stage: 'enricher' })).toBe(3);
    expect(value('leadpipe_dead_letters_unreplayed', { stage: 'validator' })).toBe(1);
  });
});
