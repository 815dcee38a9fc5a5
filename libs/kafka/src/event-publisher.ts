import { randomUUID } from 'node:crypto';
import { Kafka, Producer, ProducerRecord, CompressionTypes, IHeaders, Partitioners } from 'kafkajs';
import { EVENT_SCHEMAS, EventInputOf, HEADERS, TopicKey, topicName } from '@leadpipe/contracts';
import { endSendSpans, startSendSpans } from './tracing';

/**
 * The broker's default `max.message.bytes` is 1 MiB + 12 bytes, the largest record batch a
 * partition accepts, and kafkajs writes all of one request's messages for a partition as one
 * batch: a request kept under a million bytes of messages always fits.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 1_000_000;

/**
 * The broker refused one event, sent alone, as larger than the topic's `max.message.bytes`.
 * The publish's events before `index` are written; those after it are not sent.
 */
export class MessageTooLargeError extends Error {
  constructor(
    readonly topicKey: TopicKey,
    /** Position of the refused event in the published list. */
    readonly index: number,
    /** Its size as {@link messageBytes} counts it. */
    readonly bytes: number,
    options?: { cause: unknown },
  ) {
    super(`event for ${topicKey} of ${bytes} bytes refused by the broker: larger than the topic's max.message.bytes`, options);
    this.name = 'MessageTooLargeError';
  }
}

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
  private producer: Producer;
  private connected = false;
  /** The current producer's connection, shared by the callers that find it down. */
  private connecting?: { producer: Producer; done: Promise<void> };
  /** Sends in flight on each producer: a retired one is disconnected only once they have settled. */
  private readonly sending = new Map<Producer, Set<Promise<unknown>>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly namespace: string,
    /** Largest produce request, by {@link messageBytes}: see {@link sizedRequests}. */
    private readonly maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES,
  ) {
    this.producer = this.createProducer();
  }

  private createProducer(): Producer {
    // Idempotent: a send that kafkajs retries after a lost acknowledgement is written once.
    // Retries stay bounded (the client's retry policy) so that a caller learns about an absent
    // broker instead of waiting forever; the outbox and the consumers retry on their own.
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer !== producer) return;
      this.connected = false;
      this.connecting = undefined;
    });
    return producer;
  }

  /**
   * Replaces `retired` with a new producer (a new producer id): when the broker refuses one
   * partition's batch of a request, kafkajs rolls back the sequence numbers of every partition in
   * it, also of those the broker wrote, and the next send to those would be refused as out of
   * order for good. Other publishes' sends already on `retired` finish before it disconnects
   * (those that fail are sent again on the new one, see {@link sendRequest}); a producer another
   * publish has already replaced is not replaced again.
   */
  private async renewProducer(retired: Producer): Promise<void> {
    if (this.producer !== retired) return;
    this.producer = this.createProducer();
    this.connected = false;
    this.connecting = undefined;
    await Promise.allSettled([...(this.sending.get(retired) ?? [])]);
    await retired.disconnect().catch(() => undefined);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async connect(): Promise<void> {
    const producer = this.producer;
    if (this.connecting?.producer !== producer) {
      const done = producer.connect().then(() => {
        if (this.producer === producer) this.connected = true;
      });
      const connecting = { producer, done };
      this.connecting = connecting;
      // A failed connection is not kept: the next caller tries again.
      done.catch(() => {
        if (this.connecting === connecting) this.connecting = undefined;
      });
    }
    await this.connecting.done;
  }

  async disconnect(): Promise<void> {
    this.connecting = undefined;
    await this.producer.disconnect();
    this.connected = false;
  }

  /**
   * Sends one request on the current producer. A request of several messages refused as too
   * large renews the producer (see {@link renewProducer}) before the refusal is thrown. A send
   * that fails on a producer another publish retired meanwhile (its sequence numbers rolled back,
   * or its connection closed) is sent again on the new one: the broker may have written it, so
   * its events may go out twice (at least once).
   */
  private async sendRequest(record: ProducerRecord): Promise<void> {
    for (;;) {
      // A loop: the producer may be renewed while this connects.
      while (!this.connected) await this.connect();
      const producer = this.producer;
      const sending = producer.send(record);
      const inFlight = this.sending.get(producer) ?? new Set<Promise<unknown>>();
      this.sending.set(producer, inFlight.add(sending));
      try {
        await sending;
        return;
      } catch (error) {
        if (isMessageTooLarge(error)) {
          if (record.messages.length > 1) await this.renewProducer(producer);
          throw error;
        }
        if (producer === this.producer) throw error;
      } finally {
        inFlight.delete(sending);
        if (inFlight.size === 0 && this.sending.get(producer) === inFlight) this.sending.delete(producer);
      }
    }
  }

  /**
   * Checks, sends and waits for `events`, in order, in requests of at most `maxRequestBytes`. A
   * request the broker refuses as too large (a topic set below that) is sent again in halves.
   * `onTooLarge` takes an event refused even alone (larger than the topic's `max.message.bytes`:
   * nothing can make it fit) and the publish goes on with the events after it; without it, such
   * an event rejects the publish with a {@link MessageTooLargeError}. A refused request may have
   * been written for its other partitions: those events are sent again (at least once).
   */
  async publish<K extends TopicKey>(
    topicKey: K,
    events: OutgoingEvent<K>[],
    options: { onTooLarge?: (index: number, error: MessageTooLargeError) => void | Promise<void> } = {},
  ): Promise<void> {
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
      // In order, one request at a time (the producer keeps one in flight): a partition's events stay in sequence.
      const send = async (request: typeof messages, at: number): Promise<void> => {
        try {
          await this.sendRequest({ topic, acks: -1, compression: CompressionTypes.None, messages: request });
        } catch (error) {
          if (!isMessageTooLarge(error)) throw error;
          // The topic allows less than KAFKA_PRODUCE_MAX_BYTES: halves, in order, down to the event that fits nowhere.
          if (request.length > 1) {
            const half = Math.ceil(request.length / 2);
            await send(request.slice(0, half), at);
            await send(request.slice(half), at + half);
            return;
          }
          const tooLarge = new MessageTooLargeError(topicKey, at, messageBytes(request[0]), { cause: error });
          if (!options.onTooLarge) throw tooLarge;
          await options.onTooLarge(at, tooLarge);
        }
      };
      let at = 0;
      for (const request of sizedRequests(messages, this.maxRequestBytes)) {
        await send(request, at);
        at += request.length;
      }
    } catch (error) {
      endSendSpans(spans, error);
      throw error;
    }
    endSendSpans(spans);
  }
}

type Sized = { key: string | null; value: string; headers: IHeaders };

/**
 * Bytes a message takes in a record batch, over-estimated: its key, value and headers, 64 bytes
 * for the varints around them and 8 per header. `byteLength` gives UTF-8's bytes; without it
 * (`utf16Bound`), three per UTF-16 unit, the most UTF-8 needs, at no cost.
 */
export function messageBytes(message: Sized, byteLength: (text: string) => number = Buffer.byteLength): number {
  let bytes = 64 + byteLength(message.value) + (message.key === null ? 0 : byteLength(message.key));
  for (const [name, value] of Object.entries(message.headers)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) bytes += 8 + byteLength(name) + (typeof v === 'string' ? byteLength(v) : Buffer.isBuffer(v) ? v.length : 0);
  }
  return bytes;
}

const utf16Bound = (text: string): number => 3 * text.length;

/**
 * `messages`, in order, cut into requests of at most `maxBytes` ({@link messageBytes}) each, so
 * that no partition's batch exceeds the broker's `max.message.bytes`: the enricher's group of
 * up to 50 events of one partition with large provider answers would otherwise be refused as a
 * whole (`MESSAGE_TOO_LARGE`). A message larger than `maxBytes` goes alone
 * (the broker then decides). Usually one request: UTF-8 takes at most three bytes per UTF-16
 * unit, so when three times the length fits, nothing is measured.
 */
export function sizedRequests<M extends Sized>(messages: M[], maxBytes: number): M[][] {
  let bound = 0;
  for (const m of messages) bound += messageBytes(m, utf16Bound);
  if (bound <= maxBytes) return [messages];
  const requests: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = messageBytes(m);
    if (current.length > 0 && bytes + size > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/** kafkajs's error for the broker's MESSAGE_TOO_LARGE, however it is wrapped. */
function isMessageTooLarge(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth += 1) {
    if ((e as { type?: unknown }).type === 'MESSAGE_TOO_LARGE') return true;
    e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}
