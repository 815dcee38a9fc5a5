import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { LeadReceived, TopicKey } from '@leadpipe/contracts';
import { BatchConsumer, BatchHandler, ensureTopics, EventPublisher, processed } from '@leadpipe/kafka';
import { PrivateBroker } from '../support/private-broker';
import { waitFor } from '../support/wait-for';
import { RecordingLogger } from './support/kafka-probes';
import { aLeadReceived } from './support/lead-received.builder';

/**
 * A consumer that kafkajs gives up on: with no group coordinator to be found, kafkajs crashes
 * it with `KafkaJSGroupCoordinatorNotFound` and does not restart it (`restart: false`), which
 * would leave a live process that consumes nothing. The broker here is made to have no
 * coordinator: started with `offsets.topic.replication.factor=3`, a single broker cannot create
 * `__consumer_offsets`. Once it is restarted with the factor at 1, the BatchConsumer, restarting
 * itself, must join its group and consume what waited.
 */
describe('BatchConsumer when kafkajs gives up finding the group coordinator', () => {
  const broker = new PrivateBroker();
  const namespace = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const logger = new RecordingLogger();
  let kafka: Kafka;
  let publisher: EventPublisher | undefined;
  let consumer: BatchConsumer | undefined;

  beforeAll(async () => {
    await broker.start({ KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '3' });
    // Few, short retries: kafkajs gives up on the coordinator within seconds, not minutes.
    kafka = new Kafka({
      clientId: `leadpipe-${namespace}`,
      brokers: [broker.brokers],
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 100, retries: 2, maxRetryTime: 500 },
    });
    await ensureTopics(kafka, namespace);
  }, 240_000);

  afterAll(async () => {
    await consumer?.stop().catch(() => undefined);
    await publisher?.disconnect().catch(() => undefined);
    await broker.destroy();
  }, 240_000);

  it('restarts the crashed consumer, which consumes the waiting event once the broker has a coordinator', async () => {
    publisher = new EventPublisher(kafka, namespace);
    await publisher.connect();
    const lead = aLeadReceived();
    await publisher.publish('leadReceived', [{ key: lead.identityKey, value: lead }]);

    const handled: string[] = [];
    const handler: BatchHandler<LeadReceived> = async (events) => {
      handled.push(...events.map((e) => e.value.leadId));
      return events.map(() => processed());
    };
    consumer = new BatchConsumer({
      kafka,
      namespace,
      group: 'coordinator',
      stage: 'coordinator-test',
      publisher,
      handlers: new Map<TopicKey, BatchHandler<unknown>>([['leadReceived', handler as BatchHandler<unknown>]]),
      logger,
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      fetchMaxWaitMs: 250,
    });
    await consumer.start();

    // kafkajs' own verdict: the crash it will not recover from.
    const crash = await waitFor(
      () => logger.lines.find((l) => l.message === 'consumer crashed' && l.extra?.restartedByKafkajs === false),
      { timeoutMs: 60_000, intervalMs: 100, what: 'a crash kafkajs does not restart' },
    );
    expect(String(crash.extra?.error)).toMatch(/coordinator/i);
    expect(handled).toEqual([]);

    // The same broker, now able to create __consumer_offsets.
    await broker.stop();
    await broker.start();

    await waitFor(() => handled.includes(lead.leadId), { timeoutMs: 120_000, intervalMs: 100, what: 'the waiting event consumed after the restart' });
    expect(logger.lines.some((l) => l.message === 'restarting the consumer after a crash')).toBe(true);
    expect(consumer.isReady).toBe(true);
  }, 300_000);
});
