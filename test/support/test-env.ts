import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import Redis from 'ioredis';
import { Kafka } from 'kafkajs';
import { createKafka, ensureTopics, parseBrokers } from '@leadpipe/kafka';
import { TOPICS, TopicKey, topicName } from '@leadpipe/contracts';
import { migrate } from '@leadpipe/persistence';

/**
 * An isolated slice of the shared infrastructure for one test suite: its own Kafka topic
 * namespace and consumer groups, its own PostgreSQL database (migrated), its own Redis key
 * prefix. `dispose()` removes all of it.
 */
export class TestEnv {
  readonly id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly brokers: string;
  readonly namespace = this.id;
  readonly redisPrefix = `leadpipe:${this.id}:`;
  readonly databaseUrl: string;
  readonly redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  readonly kafka: Kafka;
  db!: DataSource;

  /** `brokers` defaults to KAFKA_BROKERS (the shared local broker). */
  constructor(options: { brokers?: string } = {}) {
    this.brokers = options.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
    this.kafka = createKafka({ brokers: parseBrokers(this.brokers), clientId: `test-${this.id}` });
    const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/leadpipe');
    base.pathname = `/leadpipe_${this.id}`;
    this.databaseUrl = base.toString();
  }

  topic(key: TopicKey): string {
    return topicName(key, this.namespace);
  }

  async setUp(): Promise<void> {
    await migrate(this.databaseUrl);
    await ensureTopics(this.kafka, this.namespace);
    this.db = new DataSource({ type: 'postgres', url: this.databaseUrl, extra: { max: 3 } });
    await this.db.initialize();
  }

  /** Environment for a service process of this suite. */
  serviceEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_SERVICE_LOG_LEVEL ?? 'warn',
      KAFKA_BROKERS: this.brokers,
      KAFKA_NAMESPACE: this.namespace,
      DATABASE_URL: this.databaseUrl,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: this.redisUrl,
      REDIS_KEY_PREFIX: this.redisPrefix,
      // Short sessions so a killed consumer's partitions move on quickly.
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      ...extra,
    };
  }

  async dispose(): Promise<void> {
    await this.db?.destroy().catch(() => undefined);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: (Object.keys(TOPICS) as TopicKey[]).map((k) => this.topic(k)) }).catch(() => undefined);
      const groups = await admin.listGroups();
      const ours = groups.groups.map((g) => g.groupId).filter((g) => g.startsWith(`${this.namespace}.`));
      if (ours.length > 0) await admin.deleteGroups(ours).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
    const redis = new Redis(this.redisUrl);
    try {
      const keys = await redis.keys(`${this.redisPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    const adminUrl = new URL(this.databaseUrl);
    adminUrl.pathname = '/postgres';
    const admin2 = new DataSource({ type: 'postgres', url: adminUrl.toString() });
    await admin2.initialize();
    try {
      await admin2.query(`DROP DATABASE IF EXISTS "leadpipe_${this.id}" WITH (FORCE)`);
    } finally {
      await admin2.destroy();
    }
  }
}
