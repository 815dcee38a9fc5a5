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

const TOPIC_CONFIGS: Partial<Record<TopicKey, Array<{ name: string; value: string }>>> = {
  deadLetter: [{ name: 'max.message.bytes', value: String(DEAD_LETTER_MAX_MESSAGE_BYTES) }],
};

/**
 * Creates the pipeline's topics when they are missing (topic auto-creation is off on our
 * brokers). Safe to call from every replica at boot: existing topics are left alone.
 */
export async function ensureTopics(kafka: Kafka, namespace: string, replicationFactor = 1): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = (Object.keys(TOPICS) as TopicKey[])
      .map((key) => ({ topic: topicName(key, namespace), numPartitions: TOPIC_PARTITIONS[key], configEntries: TOPIC_CONFIGS[key] ?? [] }))
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
