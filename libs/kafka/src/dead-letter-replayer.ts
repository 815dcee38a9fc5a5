import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { DeadLetter, deadLetterSchema, EventInputOf, HEADERS, TopicKey, TOPICS, topicName } from '@leadpipe/contracts';
import { withAdmin } from './admin-retry';
import { consumerGroupId } from './batch-consumer';
import { ContractViolationError, EventPublisher } from './event-publisher';

export interface ReplayOptions {
  namespace: string;
  /** Replay only these leads (scans the whole topic, remembers nothing). */
  leadIds?: ReadonlySet<string>;
  stage?: string;
  errorCodes?: ReadonlySet<string>;
  dryRun?: boolean;
}

export interface ReplayReport {
  scanned: number;
  replayed: number;
  /** Did not match the filter. */
  filtered: number;
  /** Could not go back: no readable event in the payload, or an origin that is not ours. */
  unreplayable: Array<{ partition: number; offset: string; reason: string }>;
}

/** Group that remembers which dead letters were replayed by a "replay all". */
export const REPLAY_GROUP = 'dlq-replay';

const TOPIC_KEY_BY_NAME = new Map<string, TopicKey>((Object.entries(TOPICS) as Array<[TopicKey, string]>).map(([k, v]) => [v, k]));

/**
 * Puts dead letters back where they came from: each one's original payload is published again
 * to its origin topic (validated like any event), with fresh attempts and its correlation id.
 * Without a lead filter, a committed consumer group remembers what was replayed, so running it
 * again replays only what has been dead-lettered since. Reads up to the end of the topic as it
 * was at the start, then returns.
 */
export async function replayDeadLetters(kafka: Kafka, publisher: EventPublisher, options: ReplayOptions): Promise<ReplayReport> {
  const topic = topicName('deadLetter', options.namespace);
  const remember = !options.leadIds;
  const groupId = remember ? consumerGroupId(options.namespace, REPLAY_GROUP) : `${consumerGroupId(options.namespace, REPLAY_GROUP)}.${randomUUID()}`;
  const report: ReplayReport = { scanned: 0, replayed: 0, filtered: 0, unreplayable: [] };

  const remaining = await rangeToReplay(kafka, topic, remember ? groupId : null);
  if (remaining.size === 0) return report;

  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500, allowAutoTopicCreation: false });
  let finished!: () => void;
  let failed!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        try {
          const end = remaining.get(partition);
          if (end === undefined || BigInt(message.offset) >= end) return;
          report.scanned += 1;
          await replayOne(publisher, options, partition, message.offset, message.value, message.headers?.[HEADERS.correlationId], report);
          if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
          if (remaining.size === 0) finished();
        } catch (error) {
          failed(error);
          throw error;
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
    if (!remember) {
      const cleanup = kafka.admin();
      await cleanup.connect();
      await cleanup.deleteGroups([groupId]).catch(() => undefined); // an ephemeral group; it would expire anyway
      await cleanup.disconnect();
    }
  }
  return report;
}

/**
 * Partition → offset up to which the replay must read: the topic's end, where it is beyond what
 * `groupId` (when it remembers) has committed.
 */
async function rangeToReplay(kafka: Kafka, topic: string, groupId: string | null): Promise<Map<number, bigint>> {
  return withAdmin(kafka, async (admin) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = groupId ? ((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions ?? []) : [];
    const remaining = new Map<number, bigint>();
    for (const { partition, offset } of ends) {
      const start = BigInt(committed.find((c) => c.partition === partition)?.offset ?? '-1');
      if (BigInt(offset) > (start < 0n ? 0n : start)) remaining.set(partition, BigInt(offset));
    }
    return remaining;
  });
}

async function replayOne(
  publisher: EventPublisher,
  options: ReplayOptions,
  partition: number,
  offset: string,
  value: Buffer | null,
  correlation: Buffer | string | (Buffer | string)[] | undefined,
  report: ReplayReport,
): Promise<void> {
  const unreplayable = (reason: string): void => {
    report.unreplayable.push({ partition, offset, reason });
  };
  let letter: DeadLetter;
  try {
    letter = deadLetterSchema.parse(JSON.parse(value?.toString('utf8') ?? 'null'));
  } catch {
    return unreplayable('not a dead letter');
  }
  if (
    (options.leadIds && (!letter.leadId || !options.leadIds.has(letter.leadId))) ||
    (options.stage && letter.stage !== options.stage) ||
    (options.errorCodes && !options.errorCodes.has(letter.errorCode))
  ) {
    report.filtered += 1;
    return;
  }
  const prefix = options.namespace ? `${options.namespace}.` : '';
  const origin = letter.originTopic.startsWith(prefix) ? TOPIC_KEY_BY_NAME.get(letter.originTopic.slice(prefix.length)) : undefined;
  if (!origin || origin === 'deadLetter') return unreplayable(`origin ${letter.originTopic} is not a pipeline topic`);
  if (letter.payloadEncoding !== 'utf8') return unreplayable('binary payload');
  let event: unknown;
  try {
    event = JSON.parse(letter.payload);
  } catch {
    return unreplayable('payload is not JSON');
  }
  const correlationId = Array.isArray(correlation) ? correlation[0] : correlation;
  if (!options.dryRun) {
    try {
      await publisher.publish(origin, [
        {
          key: letter.key,
          value: event as EventInputOf<typeof origin>,
          headers: { [HEADERS.correlationId]: correlationId?.toString() ?? randomUUID() },
        },
      ]);
    } catch (error) {
      if (error instanceof ContractViolationError) return unreplayable(error.message);
      throw error;
    }
  }
  report.replayed += 1;
}
