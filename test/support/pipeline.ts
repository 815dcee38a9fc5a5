import { join, resolve } from 'node:path';
import { createNetrowsSimulator, NetrowsSimulator } from '../../tools/netrows-simulator/src';
import { freePort } from './free-port';
import { ServiceName, ServiceProcess } from './service-process';
import { TestEnv } from './test-env';
import { WebhookReceiver } from './webhook-receiver';

// Distinctive, so a suite can search the services' logs for it.
export const SIMULATOR_KEY = 'nrw-test-key-7c2e91b04f';

/** How the in-process Netrows simulator behaves for a suite. */
export interface SimulatorSettings {
  /** The simulator's own per-minute limit, when it should differ from the enricher's. */
  rateLimitPerMinute?: number;
  /** Share (0..1) of identifiers that are not found; default 0. */
  notFoundShare?: number;
  /** Added to every data request. */
  latencyMs?: number;
  /**
   * The clock of the simulator's rate-limit window. It is read once per request that reaches
   * the limiter, so a suite can wrap `Date.now` to record every call as the provider saw it.
   */
  now?: () => number;
}

export interface PipelineOptions {
  /** The simulator's per-minute limit, and the enricher's (kept equal, as in production). */
  rateLimitPerMinute?: number;
  scoreThreshold?: number;
  /** Enricher processes in the one consumer group; default 1. More can be added with {@link Pipeline.startReplica}. */
  enricherReplicas?: number;
  simulator?: SimulatorSettings;
  extraEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * The whole pipeline for one test suite: the four services as processes on real Kafka,
 * PostgreSQL and Redis (isolated by {@link TestEnv}), the Netrows simulator and a webhook
 * receiver in the test process.
 */
export class Pipeline {
  readonly env = new TestEnv();
  readonly webhooks = new WebhookReceiver();
  simulator!: NetrowsSimulator;
  /** The first process of each service. */
  readonly services = new Map<ServiceName, ServiceProcess>();
  /** Processes beyond the first, in start order; each has its own port and log directory. */
  readonly extraReplicas: ServiceProcess[] = [];
  private readonly serviceEnvs = new Map<ServiceName, Record<string, string>>();
  private logDir = '';

  /** Where the processes of this suite write their logs (one `<service>.log` each; replicas in subfolders). */
  get logDirectory(): string {
    return this.logDir;
  }

  constructor(private readonly options: PipelineOptions = {}) {}

  get ingestUrl(): string {
    return this.service('ingest').url;
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} not started`);
    return service;
  }

  /** Every process of `name`, the first one included. */
  replicas(name: ServiceName): ServiceProcess[] {
    return [this.service(name), ...this.extraReplicas.filter((replica) => replica.name === name)];
  }

  async start(): Promise<void> {
    const rateLimit = this.options.rateLimitPerMinute ?? 6_000;
    const sim = this.options.simulator ?? {};
    await this.env.setUp();
    this.simulator = await createNetrowsSimulator({
      port: 0,
      rateLimitPerMinute: sim.rateLimitPerMinute ?? rateLimit,
      notFoundShare: sim.notFoundShare ?? 0,
      apiKeys: [SIMULATOR_KEY],
      faults: sim.latencyMs ? { latencyMs: sim.latencyMs } : undefined,
      now: sim.now,
    });
    await this.webhooks.start();
    this.logDir = resolve(__dirname, '../../.run/test-logs', this.env.id);
    const envFor: Record<ServiceName, Record<string, string>> = {
      ingest: {},
      enricher: {
        NETROWS_BASE_URL: this.simulator.url,
        NETROWS_API_KEY: SIMULATOR_KEY,
        NETROWS_RATE_LIMIT_PER_MINUTE: String(rateLimit),
        NETROWS_TIMEOUT_MS: '5000',
        ENRICHER_RETRY_BASE_MS: '200',
      },
      validator: {},
      notifier: {
        NOTIFIER_WEBHOOK_URL: this.webhooks.url,
        NOTIFIER_WEBHOOK_SECRET: this.webhooks.secret,
        NOTIFIER_SCORE_THRESHOLD: String(this.options.scoreThreshold ?? 60),
        NOTIFIER_RETRY_BASE_MS: '200',
      },
    };
    const names: ServiceName[] = ['ingest', 'enricher', 'validator', 'notifier'];
    for (const name of names) {
      const port = await freePort();
      const env = this.env.serviceEnv({ ...envFor[name], ...this.options.extraEnv?.[name] });
      this.serviceEnvs.set(name, env);
      this.services.set(name, new ServiceProcess(name, port, env, this.logDir));
    }
    // Started one after another: on two cores, parallel boots only slow each other down.
    for (const name of names) await this.service(name).start();
    for (let i = 1; i < (this.options.enricherReplicas ?? 1); i++) await this.startReplica('enricher');
  }

  /**
   * Starts one more process of `name` with the suite's environment (plus `extraEnv`) on its own
   * port, in the same consumer group; it logs to `<log dir>/<name>-<n>/`. Resolves when ready.
   */
  async startReplica(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const env = this.serviceEnvs.get(name);
    if (!env) throw new Error(`${name} not started`);
    const n = this.replicas(name).length + 1;
    const replica = new ServiceProcess(name, await freePort(), { ...env, ...extraEnv }, join(this.logDir, `${name}-${n}`));
    this.extraReplicas.push(replica);
    await replica.start();
    return replica;
  }

  /**
   * Waits until the consumer group of `group` (e.g. 'enricher') is Stable with `members`
   * members, so work posted afterwards is not paused by a late join.
   */
  waitForStableGroup(group: string, members: number, timeoutMs = 60_000): Promise<void> {
    return this.env.waitForStableGroup(group, members, timeoutMs);
  }

  async postLead(body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.ingestUrl}/api/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  async getLead(id: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.ingestUrl}/api/leads/${id}`);
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  async stop(): Promise<void> {
    // Extra replicas drain together (each within its own grace period), then the rest in order.
    await Promise.all(this.extraReplicas.map((replica) => replica.stop()));
    for (const service of this.services.values()) await service.stop();
    await this.simulator?.close();
    await this.webhooks.stop();
    await this.env.dispose();
  }
}
