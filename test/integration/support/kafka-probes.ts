import { BatchConsumerLogger, decodeHeaders, withAdmin } from '@leadpipe/kafka';
import { randomUUID } from 'node:crypto';
import { Consumer, Kafka } from 'kafkajs';
import { DeadLetter, deadLetterSchema } from '@leadpipe/contracts';

export interface PartitionOffsets {
  partition: number;
  /** The group's committed offset, `-1` when it never committed on this partition. */
  committed: string;
  /** The partition's end (high watermark). */
  end: string;
}

/** Committed offsets of `groupId` next to the end offsets of `topic`, by partition. */
export async function groupOffsets(kafka: Kafka, groupId: string, topic: string): Promise<PartitionOffsets[]> {
  return withAdmin(kafka, async (admin) => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return ends
      .map((end) => ({
        partition: end.partition,
        committed: committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1',
        end: end.high,
      }))
      .sort((a, b) => a.partition - b.partition);
  });
}

/** True when the group has committed everything in the topic (an empty partition needs no commit). */
export function fullyCommitted(offsets: PartitionOffsets[]): boolean {
  return offsets.every((p) => p.committed === p.end || (p.end === '0' && p.committed === '-1'));
}

/** Number of messages ever written to `topic` (sum of end offsets; our topics are never compacted). */
export async function messageCount(kafka: Kafka, topic: string): Promise<number> {
  const offsets = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  value: string | null;
}

/**
 * Reads a topic from the beginning with its own consumer group (`<groupPrefix>.reader.<uuid>`,
 * so TestEnv's cleanup deletes it) and keeps every message it sees.
 */
export class TopicReader {
  readonly messages: ReadMessage[] = [];
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    groupPrefix: string,
  ) {
    this.consumer = kafka.consumer({ groupId: `${groupPrefix}.reader.${randomUUID()}`, maxWaitTimeInMs: 200 });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        this.messages.push({
          partition,
          offset: message.offset,
          key: message.key ? message.key.toString('utf8') : null,
          headers: decodeHeaders(message.headers),
          value: message.value ? message.value.toString('utf8') : null,
        });
      },
    });
  }

  /** The messages as dead letters, checked against the contract. */
  deadLetters(): Array<{ headers: Record<string, string>; key: string | null; value: DeadLetter }> {
    return this.messages.map((m) => ({ headers: m.headers, key: m.key, value: deadLetterSchema.parse(JSON.parse(m.value ?? 'null')) }));
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** Keeps what the consumer logs, so a failing test can show it; prints nothing. */
export class RecordingLogger implements BatchConsumerLogger {
  readonly lines: Array<{ level: 'log' | 'warn' | 'error'; message: string; extra?: Record<string, unknown> }> = [];

  log(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'log', message, extra });
  }

  warn(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, extra });
  }

  error(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, extra });
  }
}
