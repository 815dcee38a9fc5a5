import fc from 'fast-check';
import { randomBytes, randomUUID } from 'node:crypto';
import { IHeaders, Producer } from 'kafkajs';
import { DeadLetter, deadLetterSchema, EVENT_SCHEMAS, TERMINAL_STATUSES, TOPICS } from '@leadpipe/contracts';
import { consumerGroupId } from '@leadpipe/kafka';
import { fullyCommitted, groupOffsets, TopicReader } from '../integration/support/kafka-probes';
import { deeplyNestedJson, fuzzSeed, hostileBytes, hostileString, liveRuns } from '../support/fuzz';
import { Pipeline } from '../support/pipeline';
import { waitFor } from '../support/wait-for';

type InboundKey = 'leadReceived' | 'leadReceivedPriority';

/** One message the suite produces, with what the contract says must become of it. */
interface Sent {
  topicKey: InboundKey;
  key: string | null;
  value: Buffer | null;
  headers: IHeaders;
  /** The contract's verdict, computed independently of the services. */
  verdict: { valid: true; leadId: string; plain: boolean } | { valid: false; code: 'unparseable' | 'schema_invalid'; paths: string[] };
}

/** Prints a message in a counterexample by its start, not byte by byte (values go up to 900 kB). */
function described(message: Sent): Sent {
  const shown = (bytes: Buffer | string | null | undefined) =>
    bytes === null || bytes === undefined ? 'null' : `${JSON.stringify(Buffer.from(bytes).toString('utf8').slice(0, 160))} (${Buffer.byteLength(bytes)} bytes)`;
  return Object.assign(message, {
    [fc.toStringMethod]: () =>
      `{${message.topicKey} key=${shown(message.key)} value=${shown(message.value)} schema-version=${shown(message.headers['schema-version'] as Buffer | string | undefined)} verdict=${JSON.stringify(message.verdict)}}`,
  });
}

/** What `leads.received.v1` accepts, by the contract (the oracle the services are held to). */
function verdictOf(topicKey: InboundKey, value: Buffer | null): Sent['verdict'] {
  if (!value || value.length === 0) return { valid: false, code: 'unparseable', paths: [] };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return { valid: false, code: 'unparseable', paths: [] };
  }
  const parsed = EVENT_SCHEMAS[topicKey].safeParse(json);
  // Plain: the lead as this suite's valid events carry it (a real e-mail), not a fuzzed one.
  if (parsed.success) return { valid: true, leadId: parsed.data.leadId, plain: /^m\d+\.\S+@fuzz-topic\.example$|^after-huge/.test(parsed.data.lead.email ?? '') };
  return { valid: false, code: 'schema_invalid', paths: parsed.error.issues.map((i) => i.path.join('.') || '(root)') };
}

/** A valid event with a unique identity; the arbitraries below break it (or not) in many ways. */
function validEvent(tag: string): Record<string, unknown> {
  const email = `${tag}@fuzz-topic.example`;
  return {
    schemaVersion: 1,
    eventId: randomUUID(),
    leadId: randomUUID(),
    identityKey: `email:${email}`,
    receivedAt: new Date().toISOString(),
    source: 'kafka',
    lead: { email, firstName: 'Fuzz', lastName: tag, companyDomain: 'fuzz-topic.example' },
  };
}

type Mutation = (event: Record<string, unknown>) => unknown;

const LEAD_FIELDS = ['email', 'firstName', 'lastName', 'companyDomain', 'linkedinUrl'] as const;
const TOP_FIELDS = ['schemaVersion', 'eventId', 'leadId', 'identityKey', 'receivedAt', 'source', 'priority', 'refresh', 'lead'] as const;

/** Ways to change a valid event: most break the schema, some (an extra field, odd but valid text) do not. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>((e) => e),
  fc.constantFrom(...TOP_FIELDS).map<Mutation>((field) => (e) => {
    const { [field]: _dropped, ...rest } = e;
    return rest;
  }),
  fc.tuple(fc.constantFrom(...TOP_FIELDS), fc.jsonValue({ maxDepth: 3 })).map<Mutation>(([field, value]) => (e) => ({ ...e, [field]: value })),
  fc.tuple(fc.constantFrom(...LEAD_FIELDS), fc.oneof(hostileString, fc.jsonValue({ maxDepth: 2 }))).map<Mutation>(([field, value]) => (e) => ({
    ...e,
    lead: { ...(e.lead as object), [field]: value },
  })),
  fc.tuple(fc.constantFrom(...LEAD_FIELDS), hostileString).map<Mutation>(([field, text]) => (e) => ({
    ...e,
    identityKey: field === 'email' ? `email:${text}` : e.identityKey,
    lead: { ...(e.lead as object), [field]: text },
  })),
  fc.oneof(fc.constant(2), fc.constant('1'), fc.constant(0), fc.constant(null)).map<Mutation>((version) => (e) => ({ ...e, schemaVersion: version })),
  fc.string({ maxLength: 12 }).map<Mutation>((name) => (e) => ({ ...e, [`x_${name}`]: 'extra fields are dropped' })),
  fc.constantFrom<Mutation>(
    () => [],
    () => null,
    () => 42,
    () => 'a string',
    (e) => [e],
  ),
);

/** The value of one message: a (mutated) event as JSON, or bytes and text that are no JSON at all. */
const messageValue = (tag: string): fc.Arbitrary<{ value: Buffer | null }> =>
  fc.oneof(
    { weight: 6, arbitrary: mutation.map((mutate) => ({ value: Buffer.from(JSON.stringify(mutate(validEvent(tag))) ?? 'undefined') })) },
    { weight: 2, arbitrary: hostileBytes.map((bytes) => ({ value: Buffer.from(bytes) })) },
    { weight: 2, arbitrary: hostileString.map((text) => ({ value: Buffer.from(text, 'utf8') })) },
    // A valid event cut off in the middle, or followed by more bytes.
    { weight: 1, arbitrary: fc.nat({ max: 200 }).map((cut) => ({ value: Buffer.from(JSON.stringify(validEvent(tag)).slice(0, cut)) })) },
    { weight: 1, arbitrary: fc.constant({ value: Buffer.from(`${JSON.stringify(validEvent(tag))}}garbage`) }) },
    { weight: 1, arbitrary: fc.constantFrom(3_000, 50_000).map((depth) => ({ value: Buffer.from(`{"schemaVersion":1,"lead":${deeplyNestedJson(depth, 'array')}}`) })) },
    { weight: 1, arbitrary: fc.constantFrom({ value: null }, { value: Buffer.alloc(0) }) },
  );

/** A `schema-version` header that may lie about the payload, or be no text at all. */
const schemaVersionHeader: fc.Arbitrary<string | Buffer | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('1', '2', '0', '', 'v1', '1.0'),
  hostileString,
  hostileBytes.map((bytes) => Buffer.from(bytes)),
);

const messageArb = (run: string, index: number): fc.Arbitrary<Sent> =>
  fc
    .record({
      topicKey: fc.constantFrom<InboundKey>('leadReceived', 'leadReceived', 'leadReceivedPriority'),
      body: messageValue(`m${index}.${run}`),
      version: schemaVersionHeader,
      key: fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constant(`email:m${index}.${run}@fuzz-topic.example`)), { nil: null }),
    })
    .map(({ topicKey, body, version, key }) => {
      const headers: IHeaders = { 'correlation-id': `fuzz-${run}-${index}` };
      if (version !== undefined) headers['schema-version'] = version;
      return described({ topicKey, key, value: body.value, headers, verdict: verdictOf(topicKey, body.value) });
    });

/** 5 to 25 messages, each with its own identity and correlation id. */
const batchArb = (run: string): fc.Arbitrary<Sent[]> =>
  fc.integer({ min: 5, max: 25 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => messageArb(run, i))));

/**
 * The received-lead topics (`leads.received.v1` and its priority twin) fed with whatever a
 * careless or hostile producer can send: bytes that are not UTF-8, text that is not JSON, JSON
 * that breaks the contract in every field, lying `schema-version` headers, huge values. The
 * enricher must dead-letter each poison message with a reason naming the problem, never stop or
 * crash, and still get every valid lead among them stored.
 */
describe('fuzz: the received-lead topics', () => {
  const seed = fuzzSeed('fuzz-received-topic');
  const pipeline = new Pipeline();
  let producer: Producer;
  let deadLetters: TopicReader;

  beforeAll(async () => {
    await pipeline.start();
    producer = pipeline.env.kafka.producer();
    await producer.connect();
    deadLetters = new TopicReader(pipeline.env.kafka, pipeline.env.topic('deadLetter'), pipeline.env.namespace);
    await deadLetters.start();
  }, 180_000);

  afterAll(async () => {
    await deadLetters?.stop();
    await producer?.disconnect();
    await pipeline.stop();
  }, 120_000);

  async function send(messages: Sent[]): Promise<void> {
    for (const topicKey of ['leadReceived', 'leadReceivedPriority'] as const) {
      const group = messages.filter((m) => m.topicKey === topicKey);
      if (group.length === 0) continue;
      await producer.send({ topic: pipeline.env.topic(topicKey), messages: group.map(({ key, value, headers }) => ({ key, value, headers })) });
    }
  }

  function deadLettersOf(correlationId: string): Array<{ headers: Record<string, string>; key: string | null; value: DeadLetter }> {
    return deadLetters.messages
      .filter((m) => m.headers['correlation-id'] === correlationId)
      .map((m) => ({ headers: m.headers, key: m.key, value: deadLetterSchema.parse(JSON.parse(m.value ?? 'null')) }));
  }

  /** Every poison message has its dead letter, saying what was wrong, carrying the message as it was. */
  function expectDeadLettered(message: Sent): void {
    if (message.verdict.valid) return;
    const correlationId = message.headers['correlation-id'] as string;
    const [letter] = deadLettersOf(correlationId);
    expect({ correlationId, found: letter !== undefined }).toEqual({ correlationId, found: true });
    const { value, headers } = letter;
    expect(value).toMatchObject({ stage: 'enricher', errorCode: message.verdict.code, originTopic: pipeline.env.topic(message.topicKey), attempts: 1 });
    if (message.verdict.code === 'unparseable') {
      // An empty value may be read as no value or as empty text.
      expect(value.reason).toMatch(message.value && message.value.length > 0 ? /^value is not JSON: \S/ : /^(empty message value|value is not JSON: \S.*)$/);
    } else {
      expect(value.reason.startsWith(`schema ${TOPICS[message.topicKey]}: `)).toBe(true);
      // The reason names every field the contract refuses.
      for (const path of new Set(message.verdict.paths)) expect(value.reason).toContain(`${path}: `);
    }
    // The header is the reason as UTF-8 can carry it (a parser's message may quote half a surrogate pair).
    const asUtf8 = Buffer.from(value.reason.slice(0, 1000), 'utf8').toString('utf8');
    expect(headers).toMatchObject({ error: asUtf8, stage: 'enricher', 'origin-topic': pipeline.env.topic(message.topicKey) });
    const original = message.value ?? Buffer.alloc(0);
    const carried = value.payloadEncoding === 'utf8' ? Buffer.from(value.payload, 'utf8') : Buffer.from(value.payload, 'base64');
    expect(carried.equals(original)).toBe(true);
    expect(value.key).toBe(message.key);
  }

  async function storedLeads(ids: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; status: string }> = await pipeline.env.db.query(`SELECT id, status FROM leads WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** Each batch: every poison message dead-lettered, every valid lead stored in a terminal state, nothing left uncommitted. */
  async function expectHandled(messages: Sent[]): Promise<void> {
    const poison = messages.filter((m) => !m.verdict.valid);
    const validIds = [...new Set(messages.flatMap((m) => (m.verdict.valid ? [m.verdict.leadId] : [])))];
    await waitFor(() => poison.every((m) => deadLettersOf(m.headers['correlation-id'] as string).length > 0), {
      timeoutMs: 30_000,
      what: `dead letters of ${poison.length} poison messages`,
    }).catch((error: Error) => {
      const missing = poison.filter((m) => deadLettersOf(m.headers['correlation-id'] as string).length === 0);
      throw new Error(`${error.message}; missing: ${missing.map((m) => `${String(m.headers['correlation-id'])}=${m.value?.toString('utf8').slice(0, 120) ?? 'null'}`).join(' | ')}`);
    });
    for (const message of poison) expectDeadLettered(message);
    // The validator records each of them (the dead-letter consumer is not stuck on odd reasons or payloads either).
    const correlationIds = poison.map((m) => m.headers['correlation-id'] as string);
    await waitFor(
      async () => {
        const [row]: Array<{ n: number }> = await pipeline.env.db.query(`SELECT count(DISTINCT correlation_id)::int AS n FROM dead_letters WHERE correlation_id = ANY($1)`, [correlationIds]);
        return row.n === correlationIds.length;
      },
      { timeoutMs: 30_000, what: `the validator to record ${correlationIds.length} dead letters` },
    );
    // A valid lead is stored in a terminal state; one the provider refuses (an odd but schema-valid
    // e-mail) may instead be dead-lettered with that reason, as a lead produced straight to Kafka has
    // no row for the validator to mark. Leads as a real producer sends them must be stored.
    const outcomeOf = (id: string, stored: Map<string, string>): string | null => {
      if (TERMINAL_STATUSES.includes(stored.get(id) as never)) return stored.get(id)!;
      const letter = deadLetters.messages.find((m) => m.value?.includes(`"leadId":"${id}"`) && m.headers.stage === 'enricher');
      return letter ? `dead-lettered: ${letter.headers.error}` : null;
    };
    let outcomes = new Map<string, string | null>();
    await waitFor(
      async () => {
        const stored = await storedLeads(validIds);
        outcomes = new Map(validIds.map((id) => [id, outcomeOf(id, stored)]));
        return validIds.every((id) => outcomes.get(id) !== null);
      },
      { timeoutMs: 30_000, what: `${validIds.length} valid leads stored in a terminal state` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; without an outcome: ${validIds.filter((id) => outcomes.get(id) === null).join(', ')}`);
    });
    for (const message of messages) {
      if (message.verdict.valid && message.verdict.plain) expect({ leadId: message.verdict.leadId, outcome: outcomes.get(message.verdict.leadId) }).toEqual({ leadId: message.verdict.leadId, outcome: expect.not.stringMatching(/^dead-lettered/) });
    }
    // Nothing is left behind a poison message: both groups committed everything sent.
    await waitFor(
      async () =>
        fullyCommitted(await groupOffsets(pipeline.env.kafka, consumerGroupId(pipeline.env.namespace, 'enricher'), pipeline.env.topic('leadReceived'))) &&
        fullyCommitted(await groupOffsets(pipeline.env.kafka, consumerGroupId(pipeline.env.namespace, 'enricher-priority'), pipeline.env.topic('leadReceivedPriority'))),
      { timeoutMs: 20_000, what: 'the enricher groups to commit every message' },
    );
  }

  it('dead-letters every poison message with its reason and stores the valid leads sent among them', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat().chain(() => batchArb(`r${++run}${randomBytes(2).toString('hex')}`)),
        async (messages) => {
          await send(messages);
          await expectHandled(messages);
        },
      ),
      liveRuns(seed, 3),
    );
  }, 200_000);

  it('dead-letters huge messages just under the broker limit, text or binary, and goes on', async () => {
    const huge = 900 * 1024;
    const lead = validEvent(`after-huge.${randomBytes(3).toString('hex')}`);
    const tagged = (name: string, value: Buffer, topicKey: InboundKey = 'leadReceived'): Sent =>
      described({ topicKey, key: `huge-${name}`, value, headers: { 'correlation-id': `fuzz-huge-${name}`, 'schema-version': '1' }, verdict: verdictOf(topicKey, value) });
    const messages = [
      tagged('text', Buffer.from('x'.repeat(huge))),
      tagged('binary', randomBytes(huge)),
      tagged('control-characters', Buffer.from('\u0001'.repeat(huge))),
      tagged('quotes', Buffer.from('"'.repeat(huge)), 'leadReceivedPriority'),
      tagged('long-name', Buffer.from(JSON.stringify({ ...validEvent('huge'), lead: { email: 'huge@fuzz-topic.example', firstName: 'n'.repeat(huge) } }))),
      tagged('valid-after', Buffer.from(JSON.stringify(lead))),
    ];
    expect(messages.filter((m) => m.verdict.valid)).toHaveLength(1);
    for (const message of messages) await send([message]);
    await expectHandled(messages);
  }, 120_000);

  // Regression: JSON and the schema allowed a NUL or an unpaired surrogate in a lead's text, which
  // PostgreSQL cannot store; the validator failed the write forever, holding the partition (and the
  // lead behind it, same key) back. The contract now refuses such text: a dead letter at the enricher.
  it('dead-letters a lead whose text PostgreSQL cannot store, and the lead behind it on the partition is stored', async () => {
    const tag = `unstorable.${randomBytes(3).toString('hex')}`;
    const key = `email:${tag}@fuzz-topic.example`;
    const withLead = (lead: Record<string, unknown>): Buffer => {
      const event = validEvent(tag);
      return Buffer.from(JSON.stringify({ ...event, lead: { ...(event.lead as object), ...lead } }));
    };
    const message = (name: string, value: Buffer): Sent =>
      described({ topicKey: 'leadReceived', key, value, headers: { 'correlation-id': `fuzz-${tag}-${name}` }, verdict: verdictOf('leadReceived', value) });
    const messages = [
      message('nul', withLead({ firstName: 'Ja\u0000ne' })),
      message('surrogate', withLead({ lastName: 'Doe\uD800' })),
      message('behind', withLead({})),
    ];
    expect(messages.map((m) => m.verdict)).toEqual([
      { valid: false, code: 'schema_invalid', paths: ['lead.firstName'] },
      { valid: false, code: 'schema_invalid', paths: ['lead.lastName'] },
      { valid: true, leadId: expect.any(String), plain: false },
    ]);
    await send(messages);
    await expectHandled(messages);
    const behind = messages[2].verdict as { leadId: string };
    expect(TERMINAL_STATUSES).toContain((await storedLeads([behind.leadId])).get(behind.leadId));
  }, 90_000);

  it('leaves the enricher and the validator running and live', async () => {
    for (const name of ['enricher', 'validator'] as const) {
      const service = pipeline.service(name);
      expect(service.running).toBe(true);
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    }
  });
});
