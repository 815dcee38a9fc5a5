import { Kafka } from 'kafkajs';
import { TOPIC_PARTITIONS, TopicKey, TOPICS, topicName } from '@leadpipe/contracts';

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
      .map((key) => ({ topic: topicName(key, namespace), numPartitions: TOPIC_PARTITIONS[key] }))
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
