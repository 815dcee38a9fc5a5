import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { TOPICS, TopicKey, topicName } from '@leadpipe/contracts';
import { consumerGroupId, createKafka, ensureTopics, parseBrokers } from '@leadpipe/kafka';
import { migrate } from '@leadpipe/persistence';

export type ServiceName = 'ingest' | 'enricher' | 'validator' | 'notifier';

/** Repository root, from `dist/tools/bench`. */
export const ROOT = resolve(__dirname, '../../..');

const PORT_VARIABLE: Record<ServiceName, string> = {
  ingest: 'INGEST_PORT',
  enricher: 'ENRICHER_PORT',
  validator: 'VALIDATOR_PORT',
  notifier: 'NOTIFIER_PORT',
};

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function poll<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** One compiled service as its own process, logging to a file. */
export class ServiceProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  private exited?: Promise<number | null>;
  readonly url: string;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
  }

  async start(): Promise<void> {
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', this.name, 'src', 'main.js')], {
      cwd: ROOT,
      env: { ...this.env, [PORT_VARIABLE[this.name]]: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
    await poll(
      async () => {
        if (!this.running) throw new Error(`${this.name} exited (see ${this.logFile})`);
        return (await fetch(`${this.url}/health/ready`)).ok;
      },
      60_000,
      `${this.name} ready`,
      200,
    );
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.running) {
      this.child!.kill('SIGTERM');
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.log?.end();
  }
}

/**
 * A private slice of the local Kafka, PostgreSQL and Redis for one benchmark run (its own
 * topic namespace and consumer groups, database and key prefix), the services on it as
 * processes from the compiled build, and `dispose()` that removes all of it.
 */
export class BenchEnv {
  readonly id = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  readonly namespace = this.id;
  readonly redisPrefix = `leadpipe:${this.id}:`;
  readonly databaseUrl: string;
  readonly kafka: Kafka;
  readonly logDir = join(ROOT, '.run', 'bench-logs', this.id);
  readonly processes: ServiceProcess[] = [];
  db?: DataSource;

  constructor(
    readonly brokers: string,
    baseDatabaseUrl: string,
    readonly redisUrl: string,
  ) {
    this.kafka = createKafka({ brokers: parseBrokers(brokers), clientId: `leadpipe-${this.id}` });
    const url = new URL(baseDatabaseUrl);
    url.pathname = `/leadpipe_${this.id}`;
    this.databaseUrl = url.toString();
  }

  async setUp(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    await migrate(this.databaseUrl);
    await ensureTopics(this.kafka, this.namespace);
    this.db = new DataSource({ type: 'postgres', url: this.databaseUrl, extra: { max: 2 } });
    await this.db.initialize();
  }

  /** Starts one more process of `name`; resolves when it reports ready. */
  async start(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess> {
    const n = this.processes.filter((p) => p.name === name).length + 1;
    const service = new ServiceProcess(
      name,
      await freePort(),
      {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: this.brokers,
        KAFKA_NAMESPACE: this.namespace,
        DATABASE_URL: this.databaseUrl,
        DATABASE_POOL_SIZE: '4',
        REDIS_URL: this.redisUrl,
        REDIS_KEY_PREFIX: this.redisPrefix,
        KAFKA_SESSION_TIMEOUT_MS: '10000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
        ...env,
      },
      join(this.logDir, `${name}-${n}.log`),
    );
    this.processes.push(service);
    await service.start();
    return service;
  }

  async waitForStableGroup(group: string, members: number): Promise<void> {
    const groupId = consumerGroupId(this.namespace, group);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await poll(
        async () => {
          const { groups } = await admin.describeGroups([groupId]);
          return groups[0]?.state === 'Stable' && groups[0].members.length === members;
        },
        60_000,
        `${members} members in a stable ${groupId}`,
        500,
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** Stops every process (in parallel) and removes the topics, groups, keys and database. */
  async dispose(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    await this.db?.destroy().catch(() => undefined);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: (Object.keys(TOPICS) as TopicKey[]).map((k) => topicName(k, this.namespace)) }).catch(() => undefined);
      const { groups } = await admin.listGroups();
      const ours = groups.map((g) => g.groupId).filter((g) => g.startsWith(`${this.namespace}.`));
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
    const pg = new DataSource({ type: 'postgres', url: adminUrl.toString() });
    await pg.initialize();
    try {
      await pg.query(`DROP DATABASE IF EXISTS "leadpipe_${this.id}" WITH (FORCE)`);
    } finally {
      await pg.destroy();
    }
  }
}
