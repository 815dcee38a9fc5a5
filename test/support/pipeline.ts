import { join, resolve } from 'node:path';
import { createNetrowsSimulator, NetrowsSimulator } from '../../tools/netrows-simulator/src';
import { freePort } from './free-port';
import { ServiceName, ServiceProcess } from './service-process';
import { TestEnv } from './test-env';
import { WebhookReceiver } from './webhook-receiver';

export const SIMULATOR_KEY = 'test-key';

export interface PipelineOptions {
  /** The simulator's per-minute limit, and the enricher's (kept equal, as in production). */
  rateLimitPerMinute?: number;
  scoreThreshold?: number;
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
  readonly services = new Map<ServiceName, ServiceProcess>();

  constructor(private readonly options: PipelineOptions = {}) {}

  get ingestUrl(): string {
    return this.service('ingest').url;
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} not started`);
    return service;
  }

  async start(): Promise<void> {
    const rateLimit = this.options.rateLimitPerMinute ?? 6_000;
    await this.env.setUp();
    this.simulator = await createNetrowsSimulator({ port: 0, rateLimitPerMinute: rateLimit, notFoundShare: 0, apiKeys: [SIMULATOR_KEY] });
    await this.webhooks.start();
    const logDir = resolve(__dirname, '../../.run/test-logs', this.env.id);
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
        NOTIFIER_SCORE_THRESHOLD: String(this.options.scoreThreshold ?? 60),
        NOTIFIER_RETRY_BASE_MS: '200',
      },
    };
    const names: ServiceName[] = ['ingest', 'enricher', 'validator', 'notifier'];
    for (const name of names) {
      const port = await freePort();
      const env = this.env.serviceEnv({ ...envFor[name], ...this.options.extraEnv?.[name] });
      this.services.set(name, new ServiceProcess(name, port, env, join(logDir)));
    }
    // Started one after another: on two cores, parallel boots only slow each other down.
    for (const name of names) await this.service(name).start();
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
    for (const service of this.services.values()) await service.stop();
    await this.simulator?.close();
    await this.webhooks.stop();
    await this.env.dispose();
  }
}
