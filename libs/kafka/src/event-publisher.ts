import { randomUUID } from 'node:crypto';
import { Kafka, Producer, CompressionTypes, IHeaders, Partitioners } from 'kafkajs';
import { EVENT_SCHEMAS, EventInputOf, HEADERS, TopicKey, topicName } from '@leadpipe/contracts';
import { endSendSpans, startSendSpans } from './tracing';

/** An event that does not satisfy its topic's schema: a bug in the producing code. */
export class ContractViolationError extends Error {
  constructor(
    readonly topicKey: TopicKey,
    readonly issues: string,
  ) {
    super(`event for ${topicKey} violates its schema: ${issues}`);
    this.name = 'ContractViolationError';
  }
}

export interface OutgoingEvent<K extends TopicKey> {
  /** Partitioning key: the lead's identity, so every event of one lead stays in order. */
  key: string | null;
  value: EventInputOf<K>;
  headers?: Record<string, string>;
}

/**
 * The only way the services write to Kafka. Every event is checked against its topic's
 * schema before it leaves, and the promise resolves once all in-sync replicas have it.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly namespace: string,
  ) {
    // Idempotent: a send that kafkajs retries after a lost acknowledgement is written once.
    // Retries stay bounded (the client's retry policy) so that a caller learns about an absent
    // broker instead of waiting forever; the outbox and the consumers retry on their own.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
    this.connected = false;
  }

  async publish<K extends TopicKey>(topicKey: K, events: OutgoingEvent<K>[]): Promise<void> {
    if (events.length === 0) return;
    const schema = EVENT_SCHEMAS[topicKey];
    const messages = events.map((event) => {
      const parsed = schema.safeParse(event.value);
      if (!parsed.success) {
        throw new ContractViolationError(topicKey, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      }
      const value = parsed.data as { eventId: string; schemaVersion: number };
      // The payload's own identity always wins over caller-supplied headers.
      const headers: IHeaders = {
        ...event.headers,
        [HEADERS.correlationId]: event.headers?.[HEADERS.correlationId] ?? randomUUID(),
        [HEADERS.eventId]: value.eventId,
        [HEADERS.schemaVersion]: String(value.schemaVersion),
      };
      return { key: event.key, value: JSON.stringify(value), headers };
    });
    const topic = topicName(topicKey, this.namespace);
    const spans = startSendSpans(topic, messages.map((m) => m.headers));
    try {
      if (!this.connected) await this.connect();
      await this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
    } catch (error) {
      endSendSpans(spans, error);
      throw error;
    }
    endSendSpans(spans);
  }
}
