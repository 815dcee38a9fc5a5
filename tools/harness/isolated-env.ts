import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import Redis from 'ioredis';
import { Kafka } from 'kafkajs';
import { consumerGroupId, createKafka, ensureTopics, parseBrokers, TopicConfigs } from '@leadpipe/kafka';
import { TOPICS, TopicKey, topicName } from '@leadpipe/contracts';
import { migrate } from '@leadpipe/persistence';
import { waitFor } from './wait-for';

export interface IsolatedEnvOptions {
  brokers: string;
  /** Any database URL on the server; the env's own database is created next to it. */
  databaseUrl: string;
  redisUrl: string;
  /** Start of the generated id (`t` for tests, `bench` for benchmarks). */
  idPrefix?: string;
  /** LOG_LEVEL of the services started in this env. */
  serviceLogLevel?: string;
  /** Settings of this env's topics, given when they are created (see `ensureTopics`). */
  topicConfigs?: TopicConfigs;
}

/**
 * An isolated slice of the shared infrastructure for one test suite or benchmark run: its own
 * Kafka topic namespace and consumer groups, its own PostgreSQL database (migrated), its own
 * Redis key prefix. `dispose()` removes all of it.
 */
export class IsolatedEnv {
  readonly id: string;
  readonly brokers: string;
  readonly namespace: string;
  readonly redisPrefix: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly kafka: Kafka;
  db!: DataSource;
  private readonly serviceLogLevel: string;
  private readonly topicConfigs: TopicConfigs;

  constructor(options: IsolatedEnvOptions) {
    this.id = `${options.idPrefix ?? 't'}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    this.namespace = this.id;
    this.redisPrefix = `leadpipe:${this.id}:`;
    this.brokers = options.brokers;
    this.redisUrl = options.redisUrl;
    this.serviceLogLevel = options.serviceLogLevel ?? 'warn';
    this.topicConfigs = options.topicConfigs ?? {};
    this.kafka = createKafka({ brokers: parseBrokers(this.brokers), clientId: `leadpipe-${this.id}` });
    const base = new URL(options.databaseUrl);
    base.pathname = `/leadpipe_${this.id}`;
    this.databaseUrl = base.toString();
  }

  topic(key: TopicKey): string {
    return topicName(key, this.namespace);
  }

  async setUp(): Promise<void> {
    await migrate(this.databaseUrl);
    await ensureTopics(this.kafka, this.namespace, 1, this.topicConfigs);
    this.db = new DataSource({ type: 'postgres', url: this.databaseUrl, extra: { max: 3 } });
    await this.db.initialize();
  }

  /** Environment for a service process of this suite. */
  serviceEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'test',
      LOG_LEVEL: this.serviceLogLevel,
      KAFKA_BROKERS: this.brokers,
      KAFKA_NAMESPACE: this.namespace,
      DATABASE_URL: this.databaseUrl,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: this.redisUrl,
      REDIS_KEY_PREFIX: this.redisPrefix,
      // Short sessions so a killed consumer's partitions move on quickly.
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      // Suites that test access control turn it on; the others talk to ingest without keys.
      INGEST_AUTH: 'off',
      ...extra,
    };
  }

  /** Resolves once `members` consumers have joined `group` and it is stable. */
  async waitForStableGroup(group: string, members: number, timeoutMs = 60_000): Promise<void> {
    const groupId = consumerGroupId(this.namespace, group);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const { groups } = await admin.describeGroups([groupId]);
          return groups[0]?.state === 'Stable' && groups[0].members.length === members;
        },
        { timeoutMs, intervalMs: 250, what: `${members} members in a stable ${groupId}` },
      );
    } finally {
      await admin.disconnect();
    }
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
