import { randomUUID } from 'node:crypto';
import { deadLetterSchema } from '@leadpipe/contracts';
import { outboxDeadLetter, OutboxRow, RELAY_ORDER, triageOutboxRows } from './outbox-rows';

let nextId = 1;

function row(topicKey: string, payload: unknown): OutboxRow {
  return { id: String(nextId++), topic_key: topicKey, message_key: 'email:ada@acme.example', payload, headers: { 'correlation-id': 'corr-1' } };
}

function received(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    eventId: randomUUID(),
    leadId: randomUUID(),
    identityKey: 'email:ada@acme.example',
    receivedAt: '2026-11-30T10:00:00.000Z',
    source: 'api',
    priority: 'normal',
    refresh: false,
    lead: { email: 'ada@acme.example' },
    ...overrides,
  };
}

describe('RELAY_ORDER', () => {
  it('puts priority leads first and covers every topic once', () => {
    expect(RELAY_ORDER[0]).toBe('leadReceivedPriority');
    expect(new Set(RELAY_ORDER).size).toBe(RELAY_ORDER.length);
    expect(RELAY_ORDER).toEqual(expect.arrayContaining(['leadReceived', 'leadEnriched', 'leadValidated', 'enrichRetry1', 'opsAlert']));
  });
});

describe('triageOutboxRows', () => {
  it('groups rows by topic, priority first, keeping their order within a topic', () => {
    const a = row('leadReceived', received());
    const c = row('leadReceivedPriority', received({ priority: 'high' }));
    const d = row('leadReceived', received());
    const { relayable, poison } = triageOutboxRows([a, c, d]);
    expect(poison).toEqual([]);
    expect(relayable).toEqual([
      ['leadReceivedPriority', [c]],
      ['leadReceived', [a, d]],
    ]);
  });

  it('sets apart a row whose payload fails its schema, naming the row, topic and fields', () => {
    const good = row('leadReceived', received());
    const bad = row('leadReceived', received({ leadId: 'nope' }));
    const { relayable, poison } = triageOutboxRows([good, bad]);
    expect(relayable).toEqual([['leadReceived', [good]]]);
    expect(poison).toEqual([{ row: bad, reason: expect.stringMatching(new RegExp(`^outbox row ${bad.id}: payload fails the leads.received.v1 schema: leadId: `)) }]);
  });

  it('sets apart a row of an unknown topic key', () => {
    const odd = row('leadTeleported', received());
    expect(triageOutboxRows([odd]).poison).toEqual([{ row: odd, reason: `outbox row ${odd.id}: unknown topic key leadTeleported` }]);
  });
});

describe('outboxDeadLetter', () => {
  it('is a valid dead letter of stage ingest, against the topic the row was meant for', () => {
    const event = received({ leadId: randomUUID(), receivedAt: 'yesterday' });
    const poisoned = row('leadReceived', event);
    const letter = outboxDeadLetter(poisoned, 'outbox row 1: payload fails', 'ns1', new Date('2026-11-30T10:00:00Z'));
    expect(deadLetterSchema.parse(letter.value)).toEqual({
      schemaVersion: 1,
      eventId: expect.any(String),
      leadId: event.leadId,
      stage: 'ingest',
      reason: 'outbox row 1: payload fails',
      errorCode: 'schema_invalid',
      originTopic: 'ns1.leads.received.v1',
      originPartition: -1,
      originOffset: `outbox:${poisoned.id}`,
      attempts: 1,
      firstFailureAt: '2026-11-30T10:00:00.000Z',
      failedAt: '2026-11-30T10:00:00.000Z',
      key: 'email:ada@acme.example',
      payload: JSON.stringify(event),
      payloadEncoding: 'utf8',
    });
    expect(letter.key).toBe('email:ada@acme.example');
    expect(letter.headers).toMatchObject({ 'correlation-id': 'corr-1', 'origin-topic': 'ns1.leads.received.v1', stage: 'ingest', attempts: '1' });
  });

  it('names no lead when the payload has no readable lead id', () => {
    expect(outboxDeadLetter(row('leadReceived', { leadId: 42 }), 'bad', '').value.leadId).toBeNull();
    expect(outboxDeadLetter(row('leadTeleported', null), 'bad', '').value).toMatchObject({ leadId: null, originTopic: 'leadTeleported', payload: 'null' });
  });
});
