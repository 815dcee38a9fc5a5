import { Kafka, RecordMetadata } from 'kafkajs';
import { LeadReceived, TopicKey } from '@leadpipe/contracts';
import { BatchConsumer, BatchConsumerOptions, BatchHandler, consumerGroupId, EventPublisher } from '@leadpipe/kafka';
import { TestEnv } from '../../support/test-env';
import { LeadReceivedInput } from './lead-received.builder';
import { RecordingLogger, TopicReader } from './kafka-probes';

export type LeadHandler = BatchHandler<LeadReceived>;

/**
 * The same client, but consumers long-poll for 250 ms instead of kafkajs' 5 s: `stop()` waits
 * for the fetch in flight, and 5 s per stopped consumer would dominate every test.
 */
function withShortFetchWait(kafka: Kafka): Kafka {
  const wrapper = Object.create(kafka) as Kafka;
  wrapper.consumer = (config) => kafka.consumer({ ...config, maxWaitTimeInMs: 250 });
  return wrapper;
}

export type ConsumerOverrides = Partial<Omit<BatchConsumerOptions, 'kafka' | 'namespace' | 'publisher' | 'handlers' | 'logger'>>;

/**
 * One suite's view of the batch consumer on real Kafka: a {@link TestEnv} (its own topics and
 * groups), a connected publisher, and every consumer and reader it starts, all closed by
 * `dispose()`.
 */
export class BatchConsumerHarness {
  readonly env: TestEnv;
  readonly logger = new RecordingLogger();
  publisher!: EventPublisher;
  private readonly closables: Array<{ stop(): Promise<void> }> = [];

  constructor(envOptions: ConstructorParameters<typeof TestEnv>[0] = {}) {
    this.env = new TestEnv(envOptions);
  }

  get receivedTopic(): string {
    return this.env.topic('leadReceived');
  }

  get deadLetterTopic(): string {
    return this.env.topic('deadLetter');
  }

  groupId(group: string): string {
    return consumerGroupId(this.env.namespace, group);
  }

  async setUp(): Promise<void> {
    await this.env.setUp();
    this.publisher = new EventPublisher(this.env.kafka, this.env.namespace);
    await this.publisher.connect();
  }

  /** Starts a consumer of `leadReceived`; it has joined its group when this resolves. */
  async startConsumer(group: string, handler: LeadHandler, overrides: ConsumerOverrides = {}): Promise<BatchConsumer> {
    const consumer = new BatchConsumer({
      kafka: withShortFetchWait(this.env.kafka),
      namespace: this.env.namespace,
      group,
      stage: `stage-${group}`,
      publisher: this.publisher,
      handlers: new Map<TopicKey, BatchHandler<unknown>>([['leadReceived', handler as BatchHandler<unknown>]]),
      logger: this.logger,
      partitionsConsumedConcurrently: 3,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      maxAttempts: 3,
      retryBaseMs: 20,
      failureBackoffMs: 20,
      ...overrides,
    });
    this.closables.push(consumer);
    await consumer.start();
    return consumer;
  }

  /** Publishes valid events through the real publisher, in one request. */
  async publish(events: LeadReceivedInput[], key?: string): Promise<void> {
    await this.publisher.publish(
      'leadReceived',
      events.map((value) => ({ key: key ?? value.identityKey, value })),
    );
  }

  /**
   * Writes raw values to one partition of `leadReceived`, bypassing the publisher's schema
   * check (what a foreign producer could do). Returns the offset of each message.
   */
  async produceRaw(
    partition: number,
    messages: Array<{ key: string; value: string | Buffer; headers?: Record<string, string> }>,
  ): Promise<string[]> {
    const producer = this.env.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const [meta]: RecordMetadata[] = await producer.send({
        topic: this.receivedTopic,
        acks: -1,
        messages: messages.map((m) => ({ ...m, partition })),
      });
      return messages.map((_, i) => String(Number(meta.baseOffset) + i));
    } finally {
      await producer.disconnect();
    }
  }

  async readDeadLetters(): Promise<TopicReader> {
    return this.readTopic(this.deadLetterTopic);
  }

  async readTopic(topic: string): Promise<TopicReader> {
    const reader = new TopicReader(this.env.kafka, topic, this.env.namespace);
    this.closables.push(reader);
    await reader.start();
    return reader;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.closables.map((closable) => closable.stop().catch(() => undefined)));
    await this.publisher?.disconnect().catch(() => undefined);
    await this.env.dispose();
  }
}

/** A promise the test resolves or rejects from outside: lets a handler block until told. */
export class Gate {
  readonly promise: Promise<void>;
  open!: () => void;
  fail!: (error: Error) => void;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.open = resolve;
      this.fail = reject;
    });
    // Whoever awaits the gate sees a failure; an unawaited one must not crash the run.
    this.promise.catch(() => undefined);
  }
}
