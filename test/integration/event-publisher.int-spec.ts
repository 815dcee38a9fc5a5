import { Producer } from 'kafkajs';
import { EventPublisher, MessageTooLargeError } from '@leadpipe/kafka';
import { waitFor } from '../support/wait-for';
import { BatchConsumerHarness } from './support/batch-consumer.harness';
import { aLeadReceived } from './support/lead-received.builder';

/**
 * The publisher against a broker's `max.message.bytes`: kafkajs writes all of a request's
 * messages for one partition as one record batch, which the broker refuses whole when it is
 * larger (MESSAGE_TOO_LARGE), so a large publish is cut into requests that fit.
 */
describe('EventPublisher on Kafka: requests within max.message.bytes', () => {
  let h: BatchConsumerHarness;
  const publishers: EventPublisher[] = [];

  beforeEach(async () => {
    // Set when the topics are created: an alterConfigs is answered before the broker applies it,
    // and a publish right after it was once accepted whole on a slow machine.
    const limit = [{ name: 'max.message.bytes', value: '30000' }];
    h = new BatchConsumerHarness({ topicConfigs: { leadReceived: limit, leadEnriched: limit } });
    await h.setUp();
  }, 30_000);

  afterEach(async () => {
    await Promise.all(publishers.map((p) => p.disconnect().catch(() => undefined)));
    publishers.length = 0;
    await h.dispose();
  }, 30_000);

  async function publisher(maxRequestBytes: number): Promise<EventPublisher> {
    const p = new EventPublisher(h.env.kafka, h.env.namespace, maxRequestBytes);
    publishers.push(p);
    await p.connect();
    return p;
  }

  /** 40 events of about 2 kB, all of one key (one partition): about 90 kB, three times the topic's limit. */
  const largeEventsOfOneKey = () => {
    const key = `email:one-key-${Date.now()}@acme.example`;
    return Array.from({ length: 40 }, (_, i) => {
      const event = aLeadReceived({ identityKey: key });
      return { ...event, lead: { ...event.lead, linkedinUrl: `https://www.linkedin.com/in/${String(i).padStart(2, '0')}-${'x'.repeat(1_900)}` } };
    });
  };

  it(
    'cuts a publish larger than the limit into requests that fit: every event arrives once, in order',
    async () => {
      const events = largeEventsOfOneKey();
      const p = await publisher(25_000);
      // Every request the publisher makes, and whether the broker took it: the cut, not the halving of refused ones, must do it.
      const producer = (p as unknown as { producer: Producer }).producer;
      const send = producer.send.bind(producer);
      const requests: Array<{ size: number; refused: boolean }> = [];
      producer.send = async (record) => {
        try {
          const written = await send(record);
          requests.push({ size: record.messages.length, refused: false });
          return written;
        } catch (error) {
          requests.push({ size: record.messages.length, refused: true });
          throw error;
        }
      };
      await p.publish('leadReceived', events.map((value) => ({ key: value.identityKey, value })));
      expect(requests.filter((r) => r.refused)).toEqual([]);
      expect(requests.length).toBeGreaterThanOrEqual(4);

      const reader = await h.readTopic(h.receivedTopic);
      await waitFor(() => reader.messages.length >= events.length, { timeoutMs: 20_000, what: 'all 40 events read' });
      expect(new Set(reader.messages.map((m) => m.partition)).size).toBe(1);
      const inOffsetOrder = [...reader.messages].sort((a, b) => Number(a.offset) - Number(b.offset));
      expect(inOffsetOrder.map((m) => JSON.parse(m.value ?? 'null').eventId)).toEqual(events.map((e) => e.eventId));
    },
    45_000,
  );

  it(
    'names the one event the broker refuses even alone (MessageTooLargeError): those before it are written, those after it are not sent',
    async () => {
      const key = `email:big-${Date.now()}@acme.example`;
      const enriched = (summary: string) => {
        const lead = aLeadReceived({ identityKey: key });
        return {
          ...lead,
          outcome: 'enriched' as const,
          provider: 'netrows',
          providerCalls: 0,
          enrichedAt: new Date().toISOString(),
          person: { username: 'ada', summary },
          company: null,
        };
      };
      const events = [enriched('small'), enriched('small'), enriched('x'.repeat(40_000)), enriched('small')];
      const error = await (await publisher(25_000))
        .publish('leadEnriched', events.map((value) => ({ key, value })))
        .then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(MessageTooLargeError);
      expect(error).toMatchObject({ topicKey: 'leadEnriched', index: 2 });

      const reader = await h.readTopic(h.env.topic('leadEnriched'));
      await waitFor(() => reader.messages.length >= 2, { timeoutMs: 20_000, what: 'the two events before the refused one' });
      const sentinel = enriched('sentinel');
      await (await publisher(25_000)).publish('leadEnriched', [{ key, value: sentinel }]);
      await waitFor(() => reader.messages.some((m) => m.value?.includes(sentinel.eventId)), { timeoutMs: 20_000, what: 'the sentinel' });
      expect(reader.messages.map((m) => JSON.parse(m.value ?? 'null').eventId)).toEqual([events[0].eventId, events[1].eventId, sentinel.eventId]);
    },
    45_000,
  );

  it(
    'as one request the same publish is refused by the broker; the publisher, set above the topic’s limit, sends it again in halves',
    async () => {
      const events = largeEventsOfOneKey();
      // What the cut prevents: kafkajs alone sends it as one batch, which the broker refuses.
      const raw = h.env.kafka.producer({ allowAutoTopicCreation: false });
      await raw.connect();
      try {
        await expect(
          raw.send({ topic: h.receivedTopic, acks: -1, messages: events.map((e) => ({ key: e.identityKey, value: JSON.stringify(e) })) }),
        ).rejects.toThrow(/larger than the max message size/);
      } finally {
        await raw.disconnect();
      }

      // KAFKA_PRODUCE_MAX_BYTES above the topic's max.message.bytes: refused, halved, delivered in order.
      await (await publisher(10_000_000)).publish('leadReceived', events.map((value) => ({ key: value.identityKey, value })));
      const reader = await h.readTopic(h.receivedTopic);
      await waitFor(() => reader.messages.length >= events.length, { timeoutMs: 20_000, what: 'all 40 events read' });
      const inOffsetOrder = [...reader.messages].sort((a, b) => Number(a.offset) - Number(b.offset));
      expect(inOffsetOrder.map((m) => JSON.parse(m.value ?? 'null').eventId)).toEqual(events.map((e) => e.eventId));
    },
    45_000,
  );

  it(
    'other publishes on the same publisher while it halves a refused request and renews its producer: none fails, every event arrives',
    async () => {
      const events = largeEventsOfOneKey();
      const p = await publisher(10_000_000);
      const others = Array.from({ length: 30 }, () => aLeadReceived());
      const enrichedTopic = h.env.topic('leadEnriched');
      let refused = 0;
      const producer = (p as unknown as { producer: Producer }).producer;
      const send = producer.send.bind(producer);
      producer.send = (record) => send(record).catch((error: unknown) => ((refused += record.topic === h.receivedTopic ? 1 : 0), Promise.reject(error)));

      const small = (async () => {
        for (const lead of others) {
          const value = { ...lead, outcome: 'not_found' as const, provider: 'netrows', providerCalls: 0, enrichedAt: new Date().toISOString(), person: null, company: null };
          await p.publish('leadEnriched', [{ key: lead.identityKey, value }]);
        }
      })();
      await Promise.all([p.publish('leadReceived', events.map((value) => ({ key: value.identityKey, value }))), small]);
      expect(refused).toBeGreaterThan(0);
      expect((p as unknown as { producer: Producer }).producer).not.toBe(producer);

      const received = await h.readTopic(h.receivedTopic);
      const enriched = await h.readTopic(enrichedTopic);
      await waitFor(() => received.messages.length >= events.length && enriched.messages.length >= others.length, {
        timeoutMs: 20_000,
        what: 'every event of both publishes',
      });
      const inOffsetOrder = [...received.messages].sort((a, b) => Number(a.offset) - Number(b.offset));
      expect(inOffsetOrder.map((m) => JSON.parse(m.value ?? 'null').eventId)).toEqual(events.map((e) => e.eventId));
      expect(new Set(enriched.messages.map((m) => JSON.parse(m.value ?? 'null').leadId))).toEqual(new Set(others.map((o) => o.leadId)));
    },
    45_000,
  );
});
