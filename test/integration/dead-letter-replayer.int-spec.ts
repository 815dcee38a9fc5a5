import { randomUUID } from 'node:crypto';
import { EventInputOf } from '@leadpipe/contracts';
import { EventPublisher, replayDeadLetters } from '@leadpipe/kafka';
import { TestEnv } from '../support/test-env';
import { messageCount } from './support/kafka-probes';
import { aLeadReceived } from './support/lead-received.builder';

/** The replay path: dead letters go back to their origin topic, once, with a report. */
describe('replayDeadLetters on Kafka', () => {
  const env = new TestEnv();
  let publisher: EventPublisher;

  beforeAll(async () => {
    await env.setUp();
    publisher = new EventPublisher(env.kafka, env.namespace);
    await publisher.connect();
  }, 30_000);

  afterAll(async () => {
    await publisher.disconnect();
    await env.dispose();
  }, 30_000);

  function aDeadLetter(payload: string, overrides: Partial<EventInputOf<'deadLetter'>> = {}): EventInputOf<'deadLetter'> {
    const now = new Date().toISOString();
    return {
      schemaVersion: 1,
      eventId: randomUUID(),
      leadId: null,
      stage: 'enricher',
      reason: 'retries exhausted after 4 attempts: Netrows server_error',
      errorCode: 'retries_exhausted',
      originTopic: env.topic('leadReceived'),
      originPartition: 0,
      originOffset: '0',
      attempts: 4,
      firstFailureAt: now,
      failedAt: now,
      key: 'email:someone@acme.example',
      payload,
      payloadEncoding: 'utf8',
      ...overrides,
    };
  }

  const letterFor = (lead: EventInputOf<'leadReceived'>, overrides: Partial<EventInputOf<'deadLetter'>> = {}) =>
    aDeadLetter(JSON.stringify(lead), { leadId: lead.leadId, key: lead.identityKey, ...overrides });

  it('replays one lead on request, everything else once, and reports what cannot go back', async () => {
    const [a, b, c] = [aLeadReceived(), aLeadReceived(), aLeadReceived()];
    await publisher.publish('deadLetter', [
      { key: a.identityKey, value: letterFor(a) },
      { key: b.identityKey, value: letterFor(b, { stage: 'validator', errorCode: 'processing_failed' }) },
      { key: 'garbage', value: aDeadLetter('this is not json', { errorCode: 'unparseable' }) },
      { key: c.identityKey, value: letterFor(c, { originTopic: 'someone-elses.topic' }) },
    ]);
    const received = env.topic('leadReceived');
    const options = { namespace: env.namespace };

    // One lead, as often as asked: nothing is remembered.
    const one = await replayDeadLetters(env.kafka, publisher, { ...options, leadIds: new Set([a.leadId]) });
    expect(one).toMatchObject({ scanned: 4, replayed: 1, filtered: 3, unreplayable: [] });
    expect(await messageCount(env.kafka, received)).toBe(1);

    // A dry run with filters publishes nothing.
    const dry = await replayDeadLetters(env.kafka, publisher, { ...options, leadIds: new Set([b.leadId]), stage: 'validator', dryRun: true });
    expect(dry).toMatchObject({ replayed: 1 });
    expect(await messageCount(env.kafka, received)).toBe(1);

    // Everything: the two readable ones go back, the others are reported with their reason.
    const all = await replayDeadLetters(env.kafka, publisher, options);
    expect(all.scanned).toBe(4);
    expect(all.replayed).toBe(2);
    expect(all.unreplayable.map((u) => u.reason).sort()).toEqual(['origin someone-elses.topic is not a pipeline topic', 'payload is not JSON']);
    expect(await messageCount(env.kafka, received)).toBe(3);

    // A second "all" finds nothing new; a new dead letter is picked up by the next one.
    expect(await replayDeadLetters(env.kafka, publisher, options)).toMatchObject({ scanned: 0, replayed: 0 });
    const d = aLeadReceived();
    await publisher.publish('deadLetter', [{ key: d.identityKey, value: letterFor(d) }]);
    expect(await replayDeadLetters(env.kafka, publisher, options)).toMatchObject({ scanned: 1, replayed: 1 });
    expect(await messageCount(env.kafka, received)).toBe(4);
  }, 60_000);

  it('refuses to replay a payload that does not satisfy its topic schema', async () => {
    const broken = { ...aLeadReceived(), lead: { firstName: 'No identity' } };
    const letter = aDeadLetter(JSON.stringify(broken), { leadId: broken.leadId, errorCode: 'schema_invalid' });
    await publisher.publish('deadLetter', [{ key: 'broken', value: letter }]);
    const report = await replayDeadLetters(env.kafka, publisher, { namespace: env.namespace, leadIds: new Set([broken.leadId]) });
    expect(report.replayed).toBe(0);
    expect(report.unreplayable).toHaveLength(1);
    expect(report.unreplayable[0].reason).toMatch(/violates its schema/);
  }, 60_000);
});
