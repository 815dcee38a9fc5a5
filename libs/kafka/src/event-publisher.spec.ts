import { Partitioners } from 'kafkajs';
import type { Kafka, ProducerConfig, ProducerRecord } from 'kafkajs';
import { EventInputOf, HEADERS } from '@leadpipe/contracts';
import { ContractViolationError, EventPublisher, MessageTooLargeError, messageBytes, sizedRequests } from './event-publisher';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A kafkajs producer that records what it is asked to do instead of talking to a broker. */
class RecordingProducer {
  readonly events = { DISCONNECT: 'producer.disconnect' } as const;
  readonly sent: ProducerRecord[] = [];
  readonly listeners = new Map<string, () => void>();
  connects = 0;
  disconnects = 0;

  constructor(readonly config: ProducerConfig | undefined) {}

  on(event: string, listener: () => void): () => void {
    this.listeners.set(event, listener);
    return () => this.listeners.delete(event);
  }

  async connect(): Promise<void> {
    this.connects += 1;
  }

  async disconnect(): Promise<void> {
    this.disconnects += 1;
  }

  async send(record: ProducerRecord): Promise<[]> {
    this.sent.push(record);
    return [];
  }
}

function publisherWithFakeKafka(
  namespace = 'ns',
  maxRequestBytes?: number,
): { publisher: EventPublisher; producer: RecordingProducer; producers: RecordingProducer[] } {
  // Every producer the publisher makes: it replaces its producer after a refused request.
  const producers: RecordingProducer[] = [];
  const kafka = {
    producer: (config?: ProducerConfig) => producers[producers.push(new RecordingProducer(config)) - 1],
  } as unknown as Kafka;
  const publisher = new EventPublisher(kafka, namespace, maxRequestBytes);
  return { publisher, producer: producers[0], producers };
}

const enriched = (overrides: Partial<EventInputOf<'leadEnriched'>> = {}): EventInputOf<'leadEnriched'> => ({
  schemaVersion: 1,
  eventId: '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f60',
  leadId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  identityKey: 'email:jane@acme.com',
  receivedAt: '2025-03-14T09:26:53.589Z',
  lead: { email: 'jane@acme.com' },
  outcome: 'enriched',
  provider: 'netrows',
  providerCalls: 1,
  enrichedAt: '2025-03-14T09:27:01.000Z',
  person: { username: 'jane-doe' },
  company: null,
  ...overrides,
});

describe('EventPublisher', () => {
  it('asks for an idempotent producer that keeps each key in order and never creates topics', () => {
    const { producer } = publisherWithFakeKafka();
    expect(producer.config).toEqual({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  });

  it('sends to the namespaced topic, keyed, as JSON, acknowledged by all replicas', async () => {
    const { publisher, producer } = publisherWithFakeKafka('ns');
    await publisher.publish('leadEnriched', [{ key: 'email:jane@acme.com', value: enriched() }]);

    expect(producer.sent).toHaveLength(1);
    const [record] = producer.sent;
    expect(record).toMatchObject({ topic: 'ns.leads.enriched.v1', acks: -1 });
    expect(record.messages).toHaveLength(1);
    expect(record.messages[0].key).toBe('email:jane@acme.com');
    expect(JSON.parse(record.messages[0].value as string)).toEqual({ ...enriched(), reasons: [] }); // schema defaults are filled in
  });

  it('uses the bare topic name without a namespace', async () => {
    const { publisher, producer } = publisherWithFakeKafka('');
    await publisher.publish('leadEnriched', [{ key: null, value: enriched() }]);
    expect(producer.sent[0].topic).toBe('leads.enriched.v1');
  });

  it('sends the parsed event, with schema defaults applied', async () => {
    const { publisher, producer } = publisherWithFakeKafka();
    await publisher.publish('leadReceived', [
      {
        key: 'email:jane@acme.com',
        value: {
          schemaVersion: 1,
          eventId: '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f60',
          leadId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
          identityKey: 'email:jane@acme.com',
          receivedAt: '2025-03-14T09:26:53.589Z',
          source: 'csv',
          lead: { email: '  jane@acme.com ' },
        },
      },
    ]);
    expect(producer.sent[0].topic).toBe('ns.leads.received.v1');
    expect(JSON.parse(producer.sent[0].messages[0].value as string)).toMatchObject({ priority: 'normal', lead: { email: 'jane@acme.com' } });
  });

  it('sets event-id, schema-version and a fresh correlation-id', async () => {
    const { publisher, producer } = publisherWithFakeKafka();
    await publisher.publish('leadEnriched', [{ key: null, value: enriched() }]);
    const headers = producer.sent[0].messages[0].headers!;
    expect(headers[HEADERS.eventId]).toBe('7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f60');
    expect(headers[HEADERS.schemaVersion]).toBe('1');
    expect(headers[HEADERS.correlationId]).toMatch(UUID_PATTERN);
    expect(Object.keys(headers).sort()).toEqual(['correlation-id', 'event-id', 'schema-version']);
  });

  it('keeps a given correlation id and passes other headers through', async () => {
    const { publisher, producer } = publisherWithFakeKafka();
    await publisher.publish('leadEnriched', [{ key: null, value: enriched(), headers: { [HEADERS.correlationId]: 'req-42', [HEADERS.stage]: 'enricher' } }]);
    expect(producer.sent[0].messages[0].headers).toEqual({
      'event-id': '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f60',
      'schema-version': '1',
      'correlation-id': 'req-42',
      stage: 'enricher',
    });
  });

  it('gives each event of a batch its own correlation id when none is given', async () => {
    const { publisher, producer } = publisherWithFakeKafka();
    const second = enriched({ eventId: '0f1e2d3c-4b5a-4968-8776-655443322110' });
    await publisher.publish('leadEnriched', [
      { key: 'a', value: enriched() },
      { key: 'b', value: second },
    ]);
    expect(producer.sent).toHaveLength(1);
    const [first, other] = producer.sent[0].messages;
    expect([first.key, other.key]).toEqual(['a', 'b']);
    expect(other.headers![HEADERS.eventId]).toBe('0f1e2d3c-4b5a-4968-8776-655443322110');
    expect(first.headers![HEADERS.correlationId]).not.toBe(other.headers![HEADERS.correlationId]);
  });

  it.each([
    ['a non-uuid leadId', enriched({ leadId: 'lead-1' }), /leadId: /],
    ['a negative providerCalls', enriched({ providerCalls: -1 }), /providerCalls: /],
    ['a lead without identity', enriched({ lead: {} }), /lead\.email: at least one of email or linkedinUrl is required/],
  ])('refuses %s with a ContractViolationError naming the field, and sends nothing', async (_case, value, fieldPattern) => {
    const { publisher, producer } = publisherWithFakeKafka();
    const publishing = publisher.publish('leadEnriched', [{ key: null, value }]);

    await expect(publishing).rejects.toBeInstanceOf(ContractViolationError);
    await expect(publishing).rejects.toMatchObject({ name: 'ContractViolationError', topicKey: 'leadEnriched', issues: expect.stringMatching(fieldPattern) });
    await expect(publishing).rejects.toThrow(/^event for leadEnriched violates its schema: /);
    expect(producer.sent).toEqual([]);
  });

  it('sends none of a batch when one event is invalid', async () => {
    const { publisher, producer } = publisherWithFakeKafka();
    const publishing = publisher.publish('leadEnriched', [
      { key: 'a', value: enriched() },
      { key: 'b', value: enriched({ enrichedAt: 'yesterday' }) },
    ]);
    await expect(publishing).rejects.toThrow(/enrichedAt: /);
    expect(producer.sent).toEqual([]);
  });

  it('sends nothing for an empty list', async () => {
    const { publisher, producer } = publisherWithFakeKafka();
    await publisher.publish('leadEnriched', []);
    expect(producer.sent).toEqual([]);
  });

  it('tracks the connection, including a disconnect the producer reports', async () => {
    const { publisher, producer } = publisherWithFakeKafka();
    expect(publisher.isConnected).toBe(false);

    await publisher.connect();
    expect(producer.connects).toBe(1);
    expect(publisher.isConnected).toBe(true);

    producer.listeners.get(producer.events.DISCONNECT)!();
    expect(publisher.isConnected).toBe(false);

    await publisher.connect();
    await publisher.disconnect();
    expect(producer.disconnects).toBe(1);
    expect(publisher.isConnected).toBe(false);
  });
});

describe('sizedRequests', () => {
  const message = (value: string, headers: Record<string, string> = {}) => ({ key: 'k', value, headers });

  it('keeps a publish that fits in one request, without measuring it', () => {
    const messages = [message('a'.repeat(100)), message('b'.repeat(100))];
    expect(sizedRequests(messages, 10_000)).toEqual([messages]);
  });

  it('cuts a larger publish into requests under the limit, in order, every message once', () => {
    const messages = Array.from({ length: 50 }, (_, i) => message(`${i}:`.padEnd(1_000, 'x')));
    const requests = sizedRequests(messages, 5_000);
    expect(requests.flat()).toEqual(messages);
    expect(requests.length).toBeGreaterThan(10);
    for (const request of requests) expect(request.reduce((n, m) => n + messageBytes(m), 0)).toBeLessThanOrEqual(5_000);
  });

  it('counts UTF-8 bytes and headers, and sends a message larger than the limit alone', () => {
    expect(messageBytes(message('é', { h: 'v' }))).toBe(64 + 2 + 1 + 8 + 1 + 1);
    const big = message('x'.repeat(6_000));
    const small = message('y'.repeat(10));
    expect(sizedRequests([small, big, small], 5_000)).toEqual([[small], [big], [small]]);
    // Large headers (a dead letter's error) count as much as the value does.
    const headed = Array.from({ length: 4 }, () => message('v', { error: 'e'.repeat(1_500) }));
    expect(sizedRequests(headed, 5_000).map((r) => r.length)).toEqual([3, 1]);
  });

  it('the publisher sends each cut as its own request, in order', async () => {
    const { publisher, producer } = publisherWithFakeKafka('ns', 20_000);
    const events = Array.from({ length: 10 }, (_, i) =>
      enriched({ eventId: `7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f${String(i).padStart(2, '0')}`, person: { summary: 's'.repeat(5_000) } }),
    );
    await publisher.publish('leadEnriched', events.map((value) => ({ key: value.identityKey, value })));
    expect(producer.sent.length).toBeGreaterThan(2);
    expect(producer.sent.flatMap((r) => r.messages.map((m) => JSON.parse(String(m.value)).eventId))).toEqual(events.map((e) => e.eventId));
  });

  it('hands an event the broker refuses even alone to onTooLarge and sends the rest; without it, rejects naming the event', async () => {
    const { publisher, producer } = publisherWithFakeKafka('ns', 20_000);
    const tooLarge = Object.assign(new Error('The request included a message larger than the max message size'), { type: 'MESSAGE_TOO_LARGE' });
    const send = producer.send.bind(producer);
    producer.send = async (record: ProducerRecord) => {
      if (record.messages.some((m) => String(m.value).includes('"huge"'))) throw tooLarge;
      return send(record);
    };
    const events = [
      enriched({ eventId: '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f01' }),
      enriched({ eventId: '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f02', person: { huge: 'h'.repeat(30_000) } }),
      enriched({ eventId: '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f03' }),
    ];
    const outgoing = events.map((value) => ({ key: value.identityKey, value }));

    const refused: Array<[number, MessageTooLargeError]> = [];
    await publisher.publish('leadEnriched', outgoing, { onTooLarge: (i, e) => void refused.push([i, e]) });
    expect(refused.map(([i, e]) => [i, e.index, e.topicKey, e.cause])).toEqual([[1, 1, 'leadEnriched', tooLarge]]);
    expect(producer.sent.flatMap((r) => r.messages.map((m) => JSON.parse(String(m.value)).eventId))).toEqual([events[0].eventId, events[2].eventId]);

    await expect(publisher.publish('leadEnriched', outgoing)).rejects.toMatchObject({ name: 'MessageTooLargeError', index: 1 });
  });
});

describe('EventPublisher: a request refused as too large renews the producer', () => {
  const tooLarge = () => Object.assign(new Error('The request included a message larger than the max message size'), { type: 'MESSAGE_TOO_LARGE' });
  const ids = (records: ProducerRecord[]) => records.flatMap((r) => r.messages.map((m) => JSON.parse(String(m.value)).eventId as string));
  const event = (n: number) => enriched({ eventId: `7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f${String(n).padStart(2, '0')}` });
  const outgoing = (...events: Array<ReturnType<typeof enriched>>) => events.map((value) => ({ key: value.identityKey, value }));

  /** A gate a fake send waits at, and a way to wait until a send has reached it. */
  function gate(): { open: () => void; opened: Promise<void>; reached: () => void; waiting: Promise<void> } {
    let open!: () => void;
    let reached!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const waiting = new Promise<void>((resolve) => (reached = resolve));
    return { open, opened, reached, waiting };
  }

  it('lets another publish’s send on the old producer finish before disconnecting it, and sends the halves on the new one', async () => {
    const { publisher, producer, producers } = publisherWithFakeKafka('ns', 10_000_000);
    const held = gate();
    const send = producer.send.bind(producer);
    producer.send = async (record: ProducerRecord) => {
      if (record.messages.length > 1) throw tooLarge();
      held.reached();
      await held.opened;
      return send(record);
    };

    const other = publisher.publish('leadEnriched', outgoing(event(1)));
    await held.waiting;
    const refused = publisher.publish('leadEnriched', outgoing(event(2), event(3)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(producers).toHaveLength(2);
    expect(producer.disconnects).toBe(0); // the other publish's send is still on it

    held.open();
    await Promise.all([other, refused]);
    expect(ids(producer.sent)).toEqual([event(1).eventId]);
    expect(producer.disconnects).toBe(1);
    expect(producers[1].sent.map((r) => r.messages.length)).toEqual([1, 1]);
    expect(ids(producers[1].sent)).toEqual([event(2).eventId, event(3).eventId]);
  });

  it('sends again on the new producer a send that failed on the one another publish retired', async () => {
    const { publisher, producer, producers } = publisherWithFakeKafka('ns', 10_000_000);
    const held = gate();
    producer.send = async (record: ProducerRecord) => {
      if (record.messages.length > 1) throw tooLarge();
      held.reached();
      await held.opened;
      // kafkajs rolled back this partition's sequence numbers with the refused request's.
      throw Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    };

    const other = publisher.publish('leadEnriched', outgoing(event(1)));
    await held.waiting;
    const refused = publisher.publish('leadEnriched', outgoing(event(2), event(3)));
    await new Promise((resolve) => setImmediate(resolve));
    held.open();
    await Promise.all([other, refused]);
    expect(producers).toHaveLength(2);
    expect(ids(producers[1].sent).sort()).toEqual([event(1).eventId, event(2).eventId, event(3).eventId].sort());
  });

  it('fails a send on the current producer as before, and replaces a producer only once for two refusals on it', async () => {
    const { publisher, producer, producers } = publisherWithFakeKafka('ns', 10_000_000);
    const held = gate();
    let refusals = 0;
    producer.send = async (record: ProducerRecord) => {
      if (record.messages.length === 1) throw new Error('broker down');
      refusals += 1;
      if (refusals === 2) held.reached();
      await held.opened;
      throw tooLarge();
    };
    await expect(publisher.publish('leadEnriched', outgoing(event(1)))).rejects.toThrow('broker down');

    const first = publisher.publish('leadEnriched', outgoing(event(2), event(3)));
    const second = publisher.publish('leadEnriched', outgoing(event(4), event(5)));
    await held.waiting;
    held.open();
    await Promise.all([first, second]);
    expect(producers).toHaveLength(2);
    expect(producer.disconnects).toBe(1);
    expect(ids(producers[1].sent).sort()).toEqual([2, 3, 4, 5].map((n) => event(n).eventId).sort());
  });
});
