import { Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';
import { ScrapeSnapshot } from './metrics-snapshot';

/** What a consumer did with one message (the batch consumer's outcome statuses). */
export type ConsumerOutcome = 'processed' | 'skipped' | 'retry' | 'dead_letter';

/** The part of a kafkajs `Admin` the lag gauge uses (structural, so this lib needs no Kafka). */
export interface OffsetsAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  fetchOffsets(options: { groupId: string }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
  fetchTopicOffsets(topic: string): Promise<Array<{ partition: number; high: string; low: string }>>;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * Messages a group has still to consume, per partition: the log end minus the committed
 * offset. A partition without a commit counts from the log start, because our consumers
 * subscribe `fromBeginning`. Never negative (a topic recreated under a committed offset).
 */
export function consumerLag(
  committed: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>,
  logEnds: ReadonlyMap<string, Array<{ partition: number; high: string; low: string }>>,
): PartitionLag[] {
  const lags: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    const offsets = new Map(partitions.map((p) => [p.partition, Number(p.offset)]));
    for (const end of logEnds.get(topic) ?? []) {
      const commit = offsets.get(end.partition) ?? -1;
      const from = commit >= 0 ? commit : Number(end.low);
      lags.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
    }
  }
  return lags;
}

/**
 * Buckets of `leadpipe_consumer_batch_duration_seconds`: a validator or notifier slice takes
 * milliseconds, an enricher slice waits for rate-limit tokens and can take a minute or more.
 */
export const CONSUMER_BATCH_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

export interface ConsumerMetricsOptions {
  /** The physical consumer group id, as the broker knows it (and as the `group` label shows it). */
  groupId: string;
  /** The stage name written into this consumer's dead letters (`enricher`, `validator`...): the `stage` label. */
  stage: string;
  /**
   * Every physical group whose lag the gauge reports (default: `groupId` alone). A service
   * with several lanes (priority, retry) has one group per lane.
   */
  lagGroupIds?: () => readonly string[];
  /** Creates the admin client the lag gauge reads offsets with; created once and kept connected. */
  admin: () => OffsetsAdmin;
  /** How long a scrape waits for the broker before answering with the last lag. */
  timeoutMs?: number;
}

/**
 * Per-stage consumer metrics: `leadpipe_consumer_messages_total` counted from the consumer's
 * outcomes, `leadpipe_consumer_batch_duration_seconds` timed around each handler call,
 * `leadpipe_dead_letters_total` counted by reason code as dead letters are written, and `leadpipe_consumer_lag` read from the broker on scrape for every topic each
 * of the stage's groups (one per lane) has committed offsets on (a group that never committed on a topic shows no lag for
 * it until its first commit, a few seconds after it starts consuming).
 */
export class ConsumerMetrics {
  private readonly logger = new Logger('ConsumerMetrics');
  private readonly messages: Counter<'group' | 'topic' | 'outcome'>;
  private readonly batchDuration: Histogram<'group' | 'topic'>;
  private readonly deadLetters: Counter<'stage' | 'code'>;
  private readonly snapshot: ScrapeSnapshot<Array<PartitionLag & { group: string }>>;
  private admin?: Promise<OffsetsAdmin>;

  constructor(
    registry: MetricsRegistry,
    private readonly options: ConsumerMetricsOptions,
  ) {
    this.messages = new Counter({
      name: 'leadpipe_consumer_messages_total',
      help: 'Messages a consumer group finished with, by topic and outcome (processed, skipped, retry, dead_letter).',
      labelNames: ['group', 'topic', 'outcome'],
      registers: [registry],
    });
    this.batchDuration = new Histogram({
      name: 'leadpipe_consumer_batch_duration_seconds',
      help: 'Time a consumer handler took for one slice of messages (waits for rate-limit tokens included), by group and topic.',
      labelNames: ['group', 'topic'],
      buckets: CONSUMER_BATCH_DURATION_BUCKETS,
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'leadpipe_dead_letters_total',
      help: 'Messages a consumer wrote to the dead-letter topic, by stage and reason code.',
      labelNames: ['stage', 'code'],
      registers: [registry],
    });
    this.snapshot = new ScrapeSnapshot(() => this.readLag(), {
      timeoutMs: options.timeoutMs,
      onError: (error) => this.logger.warn(`consumer lag unavailable, keeping the last values: ${error instanceof Error ? error.message : String(error)}`),
    });
    const snapshot = this.snapshot;
    new Gauge({
      name: 'leadpipe_consumer_lag',
      help: 'Messages the consumer group has still to consume, per topic and partition (log end offset minus committed offset).',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
      async collect() {
        const lags = await snapshot.get();
        if (!lags) return;
        // Partitions that disappeared (a deleted topic) must not keep their last value forever.
        this.reset();
        for (const { group, topic, partition, lag } of lags) this.set({ group, topic, partition: String(partition) }, lag);
      },
    });
    registry.closeOnShutdown(() => this.close());
  }

  /** Counts one outcome; `topic` is the physical topic name. */
  countOutcome(topic: string, outcome: ConsumerOutcome): void {
    this.messages.inc({ group: this.options.groupId, topic, outcome });
  }

  /** Times one handler call over a slice of messages of `topic` (the physical name). */
  observeBatch(topic: string, seconds: number): void {
    this.batchDuration.observe({ group: this.options.groupId, topic }, seconds);
  }

  /**
   * Counts one dead letter written by this stage. `code` is the dead letter's `errorCode`, an
   * enum of the contracts (a handful of values), so the label stays bounded.
   */
  countDeadLetter(code: string): void {
    this.deadLetters.inc({ stage: this.options.stage, code });
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await admin.then((a) => a.disconnect()).catch(() => undefined);
  }

  private async readLag(): Promise<Array<PartitionLag & { group: string }>> {
    try {
      const admin = await this.connectedAdmin();
      const groups = this.options.lagGroupIds?.() ?? [this.options.groupId];
      const committed = await Promise.all(groups.map(async (groupId) => ({ group: groupId, offsets: await admin.fetchOffsets({ groupId }) })));
      const topics = new Set(committed.flatMap(({ offsets }) => offsets.map(({ topic }) => topic)));
      const logEnds = new Map(await Promise.all([...topics].map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const)));
      return committed.flatMap(({ group, offsets }) => consumerLag(offsets, logEnds).map((lag) => ({ group, ...lag })));
    } catch (error) {
      // The next scrape starts from a fresh connection rather than a possibly broken one.
      await this.close();
      throw error;
    }
  }

  private connectedAdmin(): Promise<OffsetsAdmin> {
    this.admin ??= (async () => {
      const admin = this.options.admin();
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }
}
