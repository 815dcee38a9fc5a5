import { Kafka } from 'kafkajs';
import { TOPIC_PARTITIONS, TopicKey, TOPICS, topicName } from '@leadpipe/contracts';

/**
 * Largest dead letter (`max.message.bytes` of the dead-letter topic). A dead letter carries the
 * failed message whole, as JSON-escaped text (a control character takes 6 bytes) or base64, and
 * its key twice: up to about 7 times the broker's 1 MiB message limit of the topics it comes
 * from. With the broker's default, a large poison message could never be dead-lettered and held
 * its partition forever.
 */
export const DEAD_LETTER_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** Topic-level settings (`max.message.bytes`, `retention.ms`, …) by topic. */
export type TopicConfigs = Partial<Record<TopicKey, Array<{ name: string; value: string }>>>;

const TOPIC_CONFIGS: TopicConfigs = {
  deadLetter: [{ name: 'max.message.bytes', value: String(DEAD_LETTER_MAX_MESSAGE_BYTES) }],
};

/**
 * Creates the pipeline's topics when they are missing (topic auto-creation is off on our
 * brokers). Safe to call from every replica at boot: existing topics are left alone.
 *
 * `configs` are set on the topics this creates, over the defaults of the same name. They are
 * part of the topic's creation, so the broker enforces them from the first record; an
 * `alterConfigs` afterwards reaches the broker a moment after it answers.
 */
export async function ensureTopics(kafka: Kafka, namespace: string, replicationFactor = 1, configs: TopicConfigs = {}): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = (Object.keys(TOPICS) as TopicKey[])
      .map((key) => ({ topic: topicName(key, namespace), numPartitions: TOPIC_PARTITIONS[key], configEntries: mergeConfigs(TOPIC_CONFIGS[key], configs[key]) }))
      .filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ ...t, replicationFactor })),
      });
    }
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

/** `defaults` with the entries of `overrides` in place of those of the same name. */
function mergeConfigs(defaults: TopicConfigs[TopicKey] = [], overrides: TopicConfigs[TopicKey] = []): Array<{ name: string; value: string }> {
  const names = new Set(overrides.map((entry) => entry.name));
  return [...defaults.filter((entry) => !names.has(entry.name)), ...overrides];
}
