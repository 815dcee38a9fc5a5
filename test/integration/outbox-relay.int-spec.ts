import { randomUUID } from 'node:crypto';
import type { IngestEnv } from '@leadpipe/config';
import { HEADERS } from '@leadpipe/contracts';
import { EventPublisher } from '@leadpipe/kafka';
import { OutboxRelayService } from '../../apps/ingest/src/outbox-relay.service';
import type { IngestMetrics } from '../../apps/ingest/src/ingest.metrics';
import { TestEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';
import { messageCount, TopicReader } from './support/kafka-probes';
import { aLeadReceived } from './support/lead-received.builder';

const BATCH = 100;

/**
 * The outbox relay on real PostgreSQL and Kafka: one round sends and deletes at most
 * INGEST_OUTBOX_BATCH_SIZE rows, whatever plan PostgreSQL picks for the statement. An outbox is
 * usually empty when autovacuum analyses it, and with those statistics PostgreSQL ran the
 * LIMIT … SKIP LOCKED subquery again for every outer row of a nested loop, skipping the rows
 * the statement had already deleted each time: one round took the whole backlog (the
 * benchmark's 19 000 rows, refused by the broker as one request and retried forever).
 */
describe('OutboxRelayService on PostgreSQL and Kafka', () => {
  // The enriched topic takes 30 000 bytes at most (set at its creation, so enforced from the start).
  const env = new TestEnv({ topicConfigs: { leadEnriched: [{ name: 'max.message.bytes', value: '30000' }] } });
  let publisher: EventPublisher;
  let relay: OutboxRelayService;
  const relayed = { n: 0 };

  beforeAll(async () => {
    await env.setUp();
    publisher = new EventPublisher(env.kafka, env.namespace);
    await publisher.connect();
    const counter = (into?: { n: number }) => ({ inc: (by = 1) => into && (into.n += by) });
    const metrics = { outboxRelayed: counter(relayed), outboxDeadLettered: counter(), outboxRelayFailures: counter() } as unknown as IngestMetrics;
    const config = { INGEST_OUTBOX_BATCH_SIZE: BATCH, INGEST_OUTBOX_POLL_MS: 50, KAFKA_NAMESPACE: env.namespace } as IngestEnv;
    relay = new OutboxRelayService(env.db, publisher, config, metrics);
  }, 30_000);

  afterAll(async () => {
    await publisher?.disconnect().catch(() => undefined);
    await env.dispose();
  }, 30_000);

  const outboxRows = async (): Promise<number> => Number((await env.db.query(`SELECT count(*) AS n FROM outbox`))[0].n);

  it(
    'relays a backlog a batch per round, with statistics taken while the outbox was empty',
    async () => {
      relayed.n = 0;
      const events = Array.from({ length: 1_000 }, () => aLeadReceived());
      const enqueue = () =>
        env.db.query(
          `INSERT INTO outbox (topic_key, message_key, payload, headers)
           SELECT 'leadReceived', e->>'identityKey', e, jsonb_build_object($3::text, $2::text)
             FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n`,
          [JSON.stringify(events), randomUUID(), HEADERS.correlationId],
        );
      // An outbox that has had rows and is empty when analysed: no rows on its pages.
      await enqueue();
      await env.db.query(`DELETE FROM outbox`);
      await env.db.query(`ANALYZE outbox`);
      await enqueue();

      expect(await relay.relayOnce()).toBe(BATCH);
      expect(await outboxRows()).toBe(events.length - BATCH);
      expect(relayed.n).toBe(BATCH);

      while ((await relay.relayOnce()) > 0);
      expect(await outboxRows()).toBe(0);
      expect(relayed.n).toBe(events.length);
      await waitFor(async () => (await messageCount(env.kafka, env.topic('leadReceived'))) === events.length, {
        timeoutMs: 20_000,
        what: 'every event in the topic once',
      });
    },
    60_000,
  );

  it(
    'dead-letters a row the broker refuses even alone (larger than its topic allows) and relays the rows around it',
    async () => {
      const enriched = (summary: string) => {
        const lead = aLeadReceived();
        return { ...lead, outcome: 'enriched', provider: 'netrows', providerCalls: 0, enrichedAt: new Date().toISOString(), person: { summary }, company: null };
      };
      // Replays put events of any pipeline topic in the outbox: here one far over the topic's limit.
      const rows = [enriched('before'), enriched('x'.repeat(40_000)), enriched('after')];
      await env.db.query(
        `INSERT INTO outbox (topic_key, message_key, payload)
         SELECT 'leadEnriched', e->>'identityKey', e FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n`,
        [JSON.stringify(rows)],
      );
      const deadLetters = new TopicReader(env.kafka, env.topic('deadLetter'), env.namespace);
      await deadLetters.start();
      try {
        expect(await relay.relayOnce()).toBe(3);
        expect(await outboxRows()).toBe(0);
        // At least once: the refused request's other partitions may have been written before it was sent again in halves.
        const relayedIds = async () => {
          const reader = new TopicReader(env.kafka, env.topic('leadEnriched'), env.namespace);
          await reader.start();
          try {
            await waitFor(async () => reader.messages.length >= (await messageCount(env.kafka, env.topic('leadEnriched'))), { timeoutMs: 20_000, what: 'the topic read' });
            return [...new Set(reader.messages.map((m) => JSON.parse(m.value ?? 'null').eventId))].sort();
          } finally {
            await reader.stop();
          }
        };
        await waitFor(async () => (await messageCount(env.kafka, env.topic('leadEnriched'))) >= 2, { timeoutMs: 20_000, what: 'the two rows that fit' });
        expect(await relayedIds()).toEqual([rows[0].eventId, rows[2].eventId].sort());
        await waitFor(() => deadLetters.messages.length === 1, { timeoutMs: 20_000, what: 'one dead letter' });
        const [letter] = deadLetters.deadLetters();
        expect(letter.value).toMatchObject({ stage: 'ingest', leadId: rows[1].leadId, reason: expect.stringMatching(/refused by the broker/) });
      } finally {
        await deadLetters.stop();
      }
    },
    60_000,
  );
});
