import { Kafka } from 'kafkajs';
import { ensureTopics } from '@leadpipe/kafka';
import { topicName } from '@leadpipe/contracts';
import { PrivateBroker } from '../support/private-broker';
import { ServiceProcess } from '../support/service-process';
import { TestEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/**
 * DESIGN's durable accept: a 202 means the lead will be processed even if Kafka is down at
 * that moment. With the broker stopped, ingest still answers 202 (the lead and its event are
 * in PostgreSQL); once the broker is back, every accepted lead's event reaches the topic once.
 */
describe('durable accept with the Kafka broker stopped', () => {
  const broker = new PrivateBroker();
  let env: TestEnv;
  let kafka: Kafka;
  let ingest: ServiceProcess;

  beforeAll(async () => {
    await broker.start();
    env = new TestEnv({ brokers: broker.brokers });
    kafka = env.kafka;
    await env.setUp();
    ingest = await env.startService('ingest', { INGEST_OUTBOX_POLL_MS: '50' });
  }, 240_000);

  afterAll(async () => {
    await ingest?.stop();
    await broker.start().catch(() => undefined); // dispose() needs the broker to delete topics
    await env?.dispose();
    await broker.destroy();
  }, 240_000);

  it('answers 202 while the broker is down and delivers every accepted lead once it is back', async () => {
    await ensureTopics(kafka, env.namespace);
    await broker.stop();

    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${ingest.url}/api/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `durable.${i}@outage-co.com` }),
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const waiting: Array<{ n: string }> = await env.db.query(`SELECT count(*) AS n FROM outbox`);
    expect(Number(waiting[0].n)).toBe(10);

    await broker.start();
    await waitFor(async () => Number((await env.db.query(`SELECT count(*) AS n FROM outbox`))[0].n) === 0, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'outbox drained after the broker came back',
    });

    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: `${env.namespace}.durable-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName('leadReceived', env.namespace), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push((JSON.parse(message.value!.toString()) as { leadId: string }).leadId);
      },
    });
    try {
      await waitFor(() => seen.length >= ids.length, { timeoutMs: 60_000, what: 'received events' });
      expect([...seen].sort()).toEqual([...ids].sort());
    } finally {
      await consumer.disconnect();
    }
  }, 300_000);
});
