import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { DeadLetter, EVENT_SCHEMAS, EventInputOf, HEADERS, RETRY_CHAINS, TopicKey, TOPICS, topicName } from '@leadpipe/contracts';
import type { Context, Span } from '@opentelemetry/api';
import { maskEmailsIn, tracingEnabled } from '@leadpipe/observability';
import { EventPublisher } from './event-publisher';
import { endProcessSpan, pickTraceHeaders, startProcessSpan, traceHeaders } from './tracing';
import { BatchHandler, ConsumedEvent, Outcome } from './outcome';
import { coalescing } from './coalesce';
import { OffsetCommitter } from './offset-committer';

export interface BatchConsumerLogger {
  /** One line per message with its final outcome and correlation id (for following a lead through the stages). */
  debug?(message: string, extra?: Record<string, unknown>): void;
  log(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface BatchConsumerOptions {
  kafka: Kafka;
  namespace: string;
  /** Logical consumer group (e.g. `enricher`); the physical id is `<namespace>.leadpipe.<group>`. */
  group: string;
  /** Name of the stage written into dead letters. */
  stage: string;
  publisher: EventPublisher;
  handlers: Map<TopicKey, BatchHandler<unknown>>;
  logger: BatchConsumerLogger;
  partitionsConsumedConcurrently: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Largest slice of a fetched batch handed to a handler at once. */
  maxBatchSize?: number;
  /**
   * Merges the slices of the partitions handled at the same moment into one handler call of at
   * most `maxBatchSize` events (see {@link coalescing}): for handlers whose cost is mostly per
   * call (a transaction, a produce), not for those that wait for something per slice.
   */
  coalescePartitions?: boolean;
  /**
   * A fetch is answered once this many bytes are ready (default 1: at once) or after
   * `fetchMaxWaitMs` (default 1 000).
   */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  /**
   * Resolved offsets are committed at most this often (default 200 ms; 0: after every slice,
   * awaited). A stop and a rebalance commit at once; a crash replays at most this much work.
   * See {@link OffsetCommitter}.
   */
  commitIntervalMs?: number;
  /**
   * Attempts for messages a handler answers `retry` for, before they are dead-lettered, on
   * topics without a retry chain (those retry in place, holding their partition).
   */
  maxAttempts?: number;
  /**
   * Retry delay for attempt n is `retryBaseMs × 2^(n-1)` with ±20 % jitter. Topics with a
   * chain in `RETRY_CHAINS` (subscribed automatically, same handler) retry through it without
   * holding their partition: attempts = 1 + the chain's length.
   */
  retryBaseMs?: number;
  /** Delay between attempts after a handler throws (an infrastructure failure: never dead-lettered). */
  failureBackoffMs?: number;
  /**
   * Called with every handler answer (each `retry` attempt included) and once more with
   * `dead_letter` for each dead letter the handler did not ask for (unreadable messages,
   * exhausted retries). Feeds the per-stage metrics.
   */
  onOutcome?: (topicKey: TopicKey, outcome: Outcome['status']) => void;
  /**
   * Called after every handler call with how long it took and how many events it was given,
   * also when it threw (a slice retried after a failure is timed once per call). Handlers
   * take slices, so this is the stage's latency per slice, waits for rate-limit tokens included.
   */
  onHandlerDuration?: (topicKey: TopicKey, seconds: number, events: number) => void;
  /** Called once per message written to the dead-letter topic, with the reason code it carries. */
  onDeadLetter?: (topicKey: TopicKey, code: DeadLetter['errorCode']) => void;
  /**
   * Which topics this consumer fetches (default `all`): its handlers' topics and their retry
   * chains (`all`), only the handlers' topics (`origins`), or only the retry topics of their
   * chains (`retries`). Whatever it fetches, a consumer publishes retries into the chain.
   */
  subscribe?: 'all' | 'origins' | 'retries';
}

interface PendingRetry {
  message: KafkaMessage;
  event: ConsumedEvent<unknown>;
  /** Attempts made so far, the one that just failed included. */
  attempts: number;
  reason: string;
  /** The earliest next attempt the failure asked for (a provider's Retry-After). */
  afterMs?: number;
}

interface PendingDeadLetter {
  message: KafkaMessage;
  reason: string;
  code: DeadLetter['errorCode'];
  attempts: number;
  firstFailureAt: string;
  leadId: string | null;
  /** True when the handler answered `dead_letter` (already reported to `onOutcome`). */
  fromHandler?: boolean;
  /** The trace of the message's process span (tracing on, message readable). */
  trace?: Context;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function consumerGroupId(namespace: string, group: string): string {
  return namespace ? `${namespace}.leadpipe.${group}` : `leadpipe.${group}`;
}

/**
 * A kafkajs consumer that processes messages in batches and commits an offset only after
 * every message before it has a durable outcome: processed, skipped, or written to the
 * dead-letter topic. A handler that throws means "infrastructure trouble" (database or
 * broker down): the slice is retried, heartbeating, until it succeeds or the consumer stops;
 * nothing is committed past it, so a crash replays it (handlers are idempotent).
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private readonly handlers: Map<TopicKey, BatchHandler<unknown>>;
  private readonly topicKeys = new Map<string, TopicKey>();
  private readonly maxBatchSize: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly failureBackoffMs: number;
  /** Retry topic → [the topic whose chain it belongs to, its position in the chain (1-based)]. */
  private readonly retryTopics = new Map<TopicKey, [origin: TopicKey, attempt: number]>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private assigned = false;
  private running = false;
  /** Restarts after crashes kafkajs would not restart, since the group was last joined. */
  private crashRestarts = 0;
  private restartTimer?: NodeJS.Timeout;
  private pausedAll = false;
  private readonly stopSignal = new AbortController();
  private readonly committer: OffsetCommitter;
  /** The batches being handled, so a stop can wait for them before its last commit. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: BatchConsumerOptions) {
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.retryBaseMs = options.retryBaseMs ?? 2_000;
    this.failureBackoffMs = options.failureBackoffMs ?? 1_000;
    this.committer = new OffsetCommitter(options.commitIntervalMs ?? 200, (error) =>
      this.options.logger.warn('offset commit failed; the next commit retries it', { group: options.group, error: String(error) }),
    );
    const subscribe = options.subscribe ?? 'all';
    const handlers = options.coalescePartitions
      ? new Map([...options.handlers].map(([key, handler]) => [key, coalescing(handler, this.maxBatchSize)] as const))
      : options.handlers;
    this.handlers = new Map(subscribe === 'retries' ? [] : handlers);
    for (const [key, handler] of handlers) {
      if (subscribe === 'origins') break;
      (RETRY_CHAINS[key] ?? []).forEach((retryKey, index) => {
        this.handlers.set(retryKey, handler);
        this.retryTopics.set(retryKey, [key, index + 1]);
      });
    }
    for (const key of this.handlers.keys()) this.topicKeys.set(topicName(key, options.namespace), key);
    this.consumer = options.kafka.consumer({
      groupId: consumerGroupId(options.namespace, options.group),
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 1_048_576,
      minBytes: options.fetchMinBytes ?? 1,
      // Short long-polls: a resumed retry partition and a SIGTERM wait at most this long for the fetch in flight.
      maxWaitTimeInMs: options.fetchMaxWaitMs ?? 1_000,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.assigned = true;
      this.crashRestarts = 0;
    });
    // Before the group reassigns partitions: what was resolved must not be replayed by their next owner.
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      this.committer.flush().catch((error: unknown) =>
        this.options.logger.warn('offset commit before a rebalance failed; its messages will be handled again', { group: options.group, error: String(error) }),
      );
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.assigned = false;
      this.options.logger.error('consumer crashed', { group: options.group, error: String(event.payload.error), restartedByKafkajs: event.payload.restart });
      // kafkajs restarts a consumer only after an error it deems retriable. Others (such as
      // "Failed to find group coordinator" while the broker restarts) would end consumption for
      // good, with the process up: restart it here, with a growing delay.
      if (!event.payload.restart && this.running) this.restartAfterCrash();
    });
  }

  /** The group name this consumer was given (without the namespace). */
  get group(): string {
    return this.options.group;
  }

  /** True once the consumer has joined its group (readiness). */
  get isReady(): boolean {
    return this.running && this.assigned;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.topicKeys.keys()], fromBeginning: true });
    this.running = true;
    await this.run();
  }

  /** Delay before the next restart after a crash kafkajs does not restart: 1, 2, 4 … 30 s. */
  private restartDelayMs(): number {
    return Math.min(30_000, 1_000 * 2 ** Math.min(this.crashRestarts, 5));
  }

  private restartAfterCrash(): void {
    const delayMs = this.restartDelayMs();
    this.crashRestarts += 1;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.running) return;
      this.options.logger.warn('restarting the consumer after a crash', { group: this.options.group, attempt: this.crashRestarts });
      // A failure to connect or join crashes the consumer again, and that crash schedules the next try.
      void this.consumer
        .connect()
        .then(() => this.run())
        .then(() => {
          if (this.pausedAll) this.pauseAll();
        })
        .catch((error: unknown) => {
          this.options.logger.error('consumer restart failed', { group: this.options.group, error: String(error) });
          if (this.running) this.restartAfterCrash();
        });
    }, delayMs);
  }

  private async run(): Promise<void> {
    await this.consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatchAutoResolve: false,
      // Offsets move only after outcomes are durable: resolved per slice, committed by the OffsetCommitter.
      autoCommit: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Stops fetching every subscribed topic (the in-flight slice goes on). */
  pauseAll(): void {
    this.pausedAll = true;
    this.consumer.pause([...this.topicKeys.keys()].map((topic) => ({ topic })));
  }

  /**
   * Fetches again. A retry partition that was waiting for a due time is resumed too; it
   * pauses itself again if its next message is still not due.
   */
  resumeAll(): void {
    this.pausedAll = false;
    this.consumer.resume([...this.topicKeys.keys()].map((topic) => ({ topic })));
  }

  /** Stops fetching, lets the in-flight slice finish, commits what is done and leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.restartTimer);
    this.stopSignal.abort();
    for (const timer of this.resumeTimers) clearTimeout(timer);
    await Promise.allSettled([...this.inFlight]);
    await this.committer
      .flush()
      .catch((error: unknown) =>
        this.options.logger.warn('last offset commit failed; its messages will be handled again', { group: this.options.group, error: String(error) }),
      );
    await this.consumer.disconnect();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const topicKey = this.topicKeys.get(batch.topic);
    if (!topicKey) return;
    const handler = this.handlers.get(topicKey)!;
    const work = this.processBatch(topicKey, handler, payload);
    this.inFlight.add(work);
    try {
      await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  private async processBatch(topicKey: TopicKey, handler: BatchHandler<unknown>, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    // A retry topic holds messages in the order they became due: handle the due ones, then
    // pause the partition until the next is due. Unresolved messages are fetched again then.
    const due = this.retryTopics.has(topicKey) ? dueCount(batch.messages) : batch.messages.length;
    for (let start = 0; start < due; start += this.maxBatchSize) {
      if (!this.running || !payload.isRunning() || payload.isStale()) return;
      const slice = batch.messages.slice(start, Math.min(start + this.maxBatchSize, due));
      const done = await this.processSlice(topicKey, batch.topic, batch.partition, slice, handler, payload);
      if (!done) return;
      payload.resolveOffset(slice[slice.length - 1].offset);
      await this.committer.resolved(payload);
      try {
        await payload.heartbeat();
      } catch (error) {
        // A rebalance (or a lost membership) ends this batch: commit what is done while the generation still holds.
        await this.committer.flush().catch(() => undefined);
        throw error;
      }
    }
    if (due < batch.messages.length && this.running && payload.isRunning() && !payload.isStale()) {
      const resume = payload.pause();
      const delay = Math.max(0, notBefore(batch.messages[due]) - Date.now());
      const timer = setTimeout(() => {
        this.resumeTimers.delete(timer);
        // While the whole consumer is paused, resumeAll() will resume this partition too.
        if (!this.pausedAll) resume();
      }, delay);
      this.resumeTimers.add(timer);
    }
  }

  /** Returns false when the consumer stopped before the slice had an outcome for every message. */
  private async processSlice(
    topicKey: TopicKey,
    topic: string,
    partition: number,
    messages: KafkaMessage[],
    handler: BatchHandler<unknown>,
    payload: EachBatchPayload,
  ): Promise<boolean> {
    const deadLetters: PendingDeadLetter[] = [];
    const retries: PendingRetry[] = [];
    const chainOrigin = this.retryTopics.get(topicKey)?.[0] ?? topicKey;
    const chain = RETRY_CHAINS[chainOrigin];
    let pending: Array<{ message: KafkaMessage; event: ConsumedEvent<unknown>; firstFailureAt?: string }> = [];

    for (const message of messages) {
      const decoded = this.decode(topicKey, topic, partition, message);
      if ('event' in decoded) pending.push({ message, event: decoded.event });
      else if (topicKey === 'deadLetter') {
        // A dead letter that is itself unreadable has nowhere further to go: skip it, loudly.
        this.options.logger.error('unreadable dead letter skipped', { topic, partition, offset: message.offset, reason: maskEmailsIn(decoded.reason) });
        this.options.onOutcome?.(topicKey, 'skipped');
      } else {
        this.options.logger.warn('unreadable message dead-lettered', {
          topic,
          partition,
          offset: message.offset,
          correlationId: decodeHeaders(message.headers)[HEADERS.correlationId],
          code: decoded.code,
          // A JSON parser's message quotes the input: never an address in the logs.
          reason: maskEmailsIn(decoded.reason),
        });
        deadLetters.push({
          message,
          reason: decoded.reason,
          code: decoded.code,
          attempts: 1,
          firstFailureAt: new Date().toISOString(),
          leadId: decoded.leadId,
        });
      }
    }

    // One span per message, open until its outcome is final (in-place retries included).
    const spans = new Map<ConsumedEvent<unknown>, Span>();
    if (tracingEnabled()) {
      for (const { event } of pending) {
        const started = startProcessSpan(event, this.options.group);
        event.trace = started.trace;
        spans.set(event, started.span);
      }
    }

    let failures = 0;
    for (let attempt = 1; pending.length > 0; ) {
      let outcomes: Outcome[];
      // Handlers may wait long (rate limits): keep the group membership alive meanwhile.
      const beat = setInterval(() => {
        payload.heartbeat().catch((error: unknown) => this.options.logger.warn('heartbeat failed', { error: String(error) }));
      }, this.options.heartbeatIntervalMs);
      const started = process.hrtime.bigint();
      try {
        outcomes = await handler(pending.map((p) => p.event));
        if (outcomes.length !== pending.length) {
          throw new Error(`handler returned ${outcomes.length} outcomes for ${pending.length} events`);
        }
      } catch (error) {
        this.options.logger.error('handler failed; retrying the slice', {
          topic,
          partition,
          fromOffset: pending[0].message.offset,
          size: pending.length,
          error: describeError(error),
        });
        failures += 1;
        const backoff = Math.min(this.failureBackoffMs * 2 ** (failures - 1), 30_000);
        if (!(await this.wait(backoff, payload))) return false;
        continue;
      } finally {
        clearInterval(beat);
        this.options.onHandlerDuration?.(topicKey, Number(process.hrtime.bigint() - started) / 1e9, pending.length);
      }
      const again: typeof pending = [];
      outcomes.forEach((outcome, i) => {
        const item = pending[i];
        this.options.onOutcome?.(topicKey, outcome.status);
        if (outcome.status === 'retry' && chain) {
          const attempts = (Number(item.event.headers[HEADERS.attempts]) || 0) + 1;
          if (attempts <= chain.length) {
            retries.push({ message: item.message, event: item.event, attempts, reason: outcome.reason, afterMs: outcome.afterMs });
          }
          else
            deadLetters.push({
              message: item.message,
              reason: `retries exhausted after ${attempts} attempts: ${outcome.reason}`,
              code: 'retries_exhausted',
              attempts,
              firstFailureAt: item.event.headers[HEADERS.firstFailureAt] ?? new Date().toISOString(),
              leadId: leadIdOf(item.event.value),
              trace: item.event.trace,
            });
        } else if (outcome.status === 'retry') {
          const firstFailureAt = item.firstFailureAt ?? new Date().toISOString();
          if (attempt < this.maxAttempts) again.push({ ...item, firstFailureAt });
          else
            deadLetters.push({
              message: item.message,
              reason: `retries exhausted after ${attempt} attempts: ${outcome.reason}`,
              code: 'retries_exhausted',
              attempts: attempt,
              firstFailureAt,
              leadId: leadIdOf(item.event.value),
              trace: item.event.trace,
            });
        } else if (outcome.status === 'dead_letter') {
          deadLetters.push({
            message: item.message,
            reason: outcome.reason,
            code: outcome.code,
            attempts: attempt,
            firstFailureAt: item.firstFailureAt ?? new Date().toISOString(),
            leadId: leadIdOf(item.event.value),
            fromHandler: true,
            trace: item.event.trace,
          });
        }
      });
      // Messages whose outcome is final: end their spans, and log each with its correlation id.
      const retained = new Set(again.map((item) => item.event));
      const dead = new Set(deadLetters.map((item) => item.message));
      outcomes.forEach((outcome, i) => {
        const { event, message } = pending[i];
        if (retained.has(event)) return;
        const status = dead.has(message) ? 'dead_letter' : outcome.status;
        const reason = 'reason' in outcome ? maskEmailsIn(outcome.reason) : undefined;
        const span = spans.get(event);
        if (span) endProcessSpan(span, status, reason);
        const extra = { topic, partition, offset: event.offset, leadId: leadIdOf(event.value), correlationId: event.correlationId, outcome: status, reason };
        if (status === 'dead_letter') this.options.logger.warn('message dead-lettered', extra);
        else this.options.logger.debug?.('message handled', extra);
      });
      pending = again;
      if (pending.length > 0) {
        const delay = this.retryBaseMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
        if (!(await this.wait(delay, payload))) return false;
        attempt += 1;
      }
    }

    while (retries.length > 0 && chain) {
      try {
        await this.publishRetries(topic, partition, chain, retries);
        break;
      } catch (error) {
        this.options.logger.error('retry publish failed; retrying', { error: describeError(error) });
        if (!(await this.wait(this.failureBackoffMs, payload))) return false;
      }
    }

    while (deadLetters.length > 0) {
      try {
        await this.publishDeadLetters(topic, partition, deadLetters);
        // Unreadable messages and exhausted retries are dead letters the handler never answered.
        for (const item of deadLetters) {
          if (!item.fromHandler) this.options.onOutcome?.(topicKey, 'dead_letter');
          this.options.onDeadLetter?.(topicKey, item.code);
        }
        break;
      } catch (error) {
        this.options.logger.error('dead-letter publish failed; retrying', { error: describeError(error) });
        if (!(await this.wait(this.failureBackoffMs, payload))) return false;
      }
    }
    return true;
  }

  private decode(
    topicKey: TopicKey,
    topic: string,
    partition: number,
    message: KafkaMessage,
  ): { event: ConsumedEvent<unknown> } | { reason: string; code: DeadLetter['errorCode']; leadId: string | null } {
    if (!message.value) return { reason: 'empty message value', code: 'unparseable', leadId: null };
    let json: unknown;
    try {
      json = JSON.parse(message.value.toString('utf8'));
    } catch (error) {
      return { reason: `value is not JSON: ${(error as Error).message}`, code: 'unparseable', leadId: null };
    }
    const parsed = EVENT_SCHEMAS[topicKey].safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      return { reason: `schema ${TOPICS[topicKey]}: ${issues}`, code: 'schema_invalid', leadId: leadIdOf(json) };
    }
    const headers = decodeHeaders(message.headers);
    return {
      event: {
        topic,
        partition,
        offset: message.offset,
        key: message.key ? message.key.toString('utf8') : null,
        headers,
        correlationId: headers[HEADERS.correlationId] ?? randomUUID(),
        value: parsed.data,
      },
    };
  }

  /** Moves failed events to the next topic of their retry chain, due after the back-off. */
  private async publishRetries(topic: string, partition: number, chain: readonly TopicKey[], items: PendingRetry[]): Promise<void> {
    const now = Date.now();
    const byTopic = new Map<TopicKey, PendingRetry[]>();
    for (const item of items) {
      const target = chain[item.attempts - 1];
      byTopic.set(target, [...(byTopic.get(target) ?? []), item]);
    }
    for (const [target, group] of byTopic) {
      await this.options.publisher.publish(
        target,
        group.map((item) => {
          const headers = item.event.headers;
          const backoff = this.retryBaseMs * 2 ** (item.attempts - 1) * (0.8 + Math.random() * 0.4);
          const delay = Math.max(backoff, item.afterMs ?? 0);
          return {
            key: item.event.key,
            value: item.event.value as EventInputOf<typeof target>,
            headers: {
              ...traceHeaders(item.event.trace),
              [HEADERS.correlationId]: item.event.correlationId,
              [HEADERS.originTopic]: headers[HEADERS.originTopic] ?? topic,
              [HEADERS.originPartition]: headers[HEADERS.originPartition] ?? String(partition),
              [HEADERS.originOffset]: headers[HEADERS.originOffset] ?? item.message.offset,
              [HEADERS.attempts]: String(item.attempts),
              [HEADERS.firstFailureAt]: headers[HEADERS.firstFailureAt] ?? new Date(now).toISOString(),
              [HEADERS.error]: item.reason.slice(0, 1000),
              [HEADERS.stage]: this.options.stage,
              [HEADERS.notBefore]: String(Math.round(now + delay)),
            },
          };
        }),
      );
    }
  }

  private async publishDeadLetters(topic: string, partition: number, items: PendingDeadLetter[]): Promise<void> {
    const now = new Date().toISOString();
    await this.options.publisher.publish(
      'deadLetter',
      items.map((item) => {
        const raw = item.message.value ?? Buffer.alloc(0);
        const text = raw.toString('utf8');
        const isText = Buffer.from(text, 'utf8').equals(raw);
        const headers = decodeHeaders(item.message.headers);
        // A message from a retry topic is dead-lettered against where it first came from.
        const originTopic = headers[HEADERS.originTopic] ?? topic;
        const originPartition = headers[HEADERS.originPartition] ?? String(partition);
        const originOffset = headers[HEADERS.originOffset] ?? item.message.offset;
        return {
          key: item.message.key ? item.message.key.toString('utf8') : null,
          headers: {
            // The failed message's trace goes on to its dead letter (unreadable ones: the sender's).
            ...(item.trace ? traceHeaders(item.trace) : pickTraceHeaders(headers)),
            [HEADERS.correlationId]: headers[HEADERS.correlationId] ?? randomUUID(),
            [HEADERS.originTopic]: originTopic,
            [HEADERS.originPartition]: originPartition,
            [HEADERS.originOffset]: originOffset,
            [HEADERS.attempts]: String(item.attempts),
            [HEADERS.firstFailureAt]: item.firstFailureAt,
            [HEADERS.error]: item.reason.slice(0, 1000),
            [HEADERS.stage]: this.options.stage,
          },
          value: {
            schemaVersion: 1 as const,
            eventId: randomUUID(),
            leadId: item.leadId,
            stage: this.options.stage,
            reason: item.reason.slice(0, 4000),
            errorCode: item.code,
            originTopic,
            originPartition: Number(originPartition),
            originOffset,
            attempts: item.attempts,
            firstFailureAt: item.firstFailureAt,
            failedAt: now,
            key: item.message.key ? item.message.key.toString('utf8') : null,
            payload: isText ? text : raw.toString('base64'),
            payloadEncoding: isText ? ('utf8' as const) : ('base64' as const),
          },
        };
      }),
    );
  }

  /** Waits while heartbeating, so a long back-off does not cost the partition. False if stopped. */
  private async wait(ms: number, payload: EachBatchPayload): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!this.running || !payload.isRunning() || payload.isStale()) return false;
      await sleep(Math.min(deadline - Date.now(), this.options.heartbeatIntervalMs), this.stopSignal.signal);
      await payload.heartbeat().catch((error: unknown) => this.options.logger.warn('heartbeat failed', { error: String(error) }));
    }
    return this.running && payload.isRunning() && !payload.isStale();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function notBefore(message: KafkaMessage): number {
  const raw = message.headers?.[HEADERS.notBefore];
  const value = Number(Buffer.isBuffer(raw) ? raw.toString('utf8') : raw);
  return Number.isFinite(value) ? value : 0;
}

/** How many leading messages of a retry topic's batch are due now. */
function dueCount(messages: KafkaMessage[]): number {
  const now = Date.now();
  const index = messages.findIndex((m) => notBefore(m) > now);
  return index === -1 ? messages.length : index;
}

/**
 * A thrown value as one log-safe line: an Error's message (or a plain object's `message`, or
 * its inspection), with any e-mail address masked (database errors quote the values they refused).
 */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = error.message;
  else if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') text = (error as { message: string }).message;
  else if (typeof error === 'object' && error !== null) text = inspect(error, { depth: 3, breakLength: Infinity });
  else text = String(error);
  return maskEmailsIn(text.slice(0, 2000));
}

/** Kafka headers as plain strings (the first value of a repeated header). */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

function leadIdOf(value: unknown): string | null {
  if (value && typeof value === 'object' && 'leadId' in value) {
    const id = (value as { leadId: unknown }).leadId;
    if (typeof id === 'string' && UUID.test(id)) return id;
  }
  return null;
}
