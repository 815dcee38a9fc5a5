import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { ingestEnvSchema, loadConfig } from '@leadpipe/config';
import { ConsumptionControl, consumerGroupId } from '@leadpipe/kafka';
import { ConsumerMetrics, MetricsRegistry } from '@leadpipe/observability';
import { CreditBudget } from '../../apps/enricher/src/credit-budget';
import { EnricherMetrics } from '../../apps/enricher/src/enricher.metrics';
import { OpsAlerts } from '../../apps/enricher/src/ops-alerts';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { freePort } from '../support/free-port';
import { sample } from '../support/metrics';
import { ServiceProcess } from '../support/service-process';
import { TestEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

describe('metrics on real Kafka and PostgreSQL', () => {
  const env = new TestEnv();

  beforeAll(() => env.setUp(), 30_000);
  afterAll(() => env.dispose(), 30_000);

  describe('ingest', () => {
    let app: INestApplication;
    let url: string;
    const scrape = async () => (await fetch(`${url}/metrics`)).text();

    beforeAll(async () => {
      const config = loadConfig(ingestEnvSchema, env.serviceEnv({ INGEST_OUTBOX_POLL_MS: '50', LOG_LEVEL: 'error' }));
      app = await NestFactory.create(IngestModule.register(config), { logger: false });
      await app.listen(0, '127.0.0.1');
      url = await app.getUrl();
    }, 30_000);

    afterAll(() => app?.close(), 30_000);

    it('counts accepted and rejected leads, times requests by route, and shows the database view', async () => {
      const post = (body: unknown) =>
        fetch(`${url}/api/leads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const accepted = await post({ email: 'jane@acme.example', company_domain: 'acme.example' });
      expect(accepted.status).toBe(202);
      const { id } = (await accepted.json()) as { id: string };
      expect((await post({ email: 'jane@' })).status).toBe(400);
      expect((await fetch(`${url}/api/leads/${id}`)).status).toBe(200);

      // The relay runs on its own: wait until it has moved the event out of the outbox.
      const text = await waitFor(
        async () => {
          const body = await scrape();
          return sample(body, 'leadpipe_outbox_relayed_total', { service: 'ingest' }) === 1 && body;
        },
        { what: 'the outbox event relayed' },
      );
      const series = (name: string, labels: Record<string, string>) => sample(text, name, labels);
      expect(series('leadpipe_ingest_leads_accepted_total', { source: 'api', service: 'ingest' })).toBe(1);
      expect(series('leadpipe_ingest_requests_rejected_total', { reason: 'invalid_email', service: 'ingest' })).toBe(1);
      expect(series('leadpipe_http_request_duration_seconds_count', { method: 'POST', route: '/api/leads', status: '202', service: 'ingest' })).toBe(1);
      expect(series('leadpipe_http_request_duration_seconds_count', { method: 'POST', route: '/api/leads', status: '400', service: 'ingest' })).toBe(1);
      expect(series('leadpipe_http_request_duration_seconds_count', { method: 'GET', route: '/api/leads/:id', status: '200', service: 'ingest' })).toBe(1);
      expect(text).not.toContain(id);
      expect(series('leadpipe_outbox_relay_failures_total', { service: 'ingest' })).toBe(0);
      expect(series('leadpipe_leads', { status: 'received', service: 'ingest' })).toBe(1);
      expect(series('leadpipe_leads', { status: 'enriched', service: 'ingest' })).toBe(0);
      expect(series('leadpipe_leads_stuck', { status: 'received', service: 'ingest' })).toBe(0);
    }, 30_000);

    it('counts a lead received long ago as stuck, and a pending outbox row', async () => {
      await env.db.query(`UPDATE leads SET received_at = now() - interval '16 minutes'`);
      // A row the relay will not pick up (another topic key), so the count stays put.
      await env.db.query(`INSERT INTO outbox (topic_key, message_key, payload) VALUES ('somethingElse', NULL, '{}')`);
      await waitFor(
        async () => {
          const text = await scrape();
          const stuck = sample(text, 'leadpipe_leads_stuck', { status: 'received', service: 'ingest' });
          return stuck === 1 && sample(text, 'leadpipe_outbox_pending', { service: 'ingest' }) === 1;
        },
        { what: 'one stuck lead and one pending outbox row' },
      );
    }, 30_000);
  });

  describe('consumer lag', () => {
    it('is the end offset minus the group commit, per partition, read on scrape', async () => {
      // A topic the ingest case above does not write to, so only our five messages are in it.
      const topic = env.topic('leadEnriched');
      const groupId = consumerGroupId(env.namespace, 'metrics-lag');
      const producer = env.kafka.producer();
      await producer.connect();
      try {
        await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, key: `k${i}`, value: `{"n":${i}}` })) });
      } finally {
        await producer.disconnect();
      }
      const admin = env.kafka.admin();
      await admin.connect();
      try {
        await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });
      } finally {
        await admin.disconnect();
      }

      const registry = new MetricsRegistry({ service: 'enricher' });
      const metrics = new ConsumerMetrics(registry, { groupId, stage: 'enricher', admin: () => env.kafka.admin() });
      try {
        const text = await waitFor(
          async () => {
            const body = await registry.getSingleMetricAsString('leadpipe_consumer_lag');
            return body.includes('partition="0"') && body;
          },
          { what: 'the lag of the group' },
        );
        expect(sample(text, 'leadpipe_consumer_lag', { group: groupId, topic, partition: '0', service: 'enricher' })).toBe(3);
        // Partitions the group never committed on and that hold nothing have no lag.
        const others = text.split('\n').filter((l) => l.startsWith('leadpipe_consumer_lag{') && !l.includes('partition="0"'));
        expect(others.every((l) => l.endsWith(' 0'))).toBe(true);
      } finally {
        await metrics.close();
      }
    }, 30_000);
  });

  describe('the enricher credit budget', () => {
    const prefix = `leadpipe:test-metrics-budget-${randomUUID()}:`;
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', { keyPrefix: prefix });

    afterAll(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys.map((k) => k.slice(prefix.length)));
      redis.disconnect();
    });

    it("shows the daily limit and today's remaining credits, read from Redis on scrape", async () => {
      const control = new ConsumptionControl();
      const alerts = { raise: async () => undefined } as unknown as OpsAlerts;
      // Two replicas spending one budget: the one scraped sees the other's spending too.
      const scraped = new CreditBudget(redis, 10, {}, control, alerts);
      const other = new CreditBudget(redis, 10, { profile: 3 }, new ConsumptionControl(), alerts);
      const registry = new MetricsRegistry({ service: 'enricher' });
      const metrics = new EnricherMetrics(registry, control);
      metrics.readCreditBudgetFrom(scraped);
      const remaining = async () =>
        sample(await registry.getSingleMetricAsString('leadpipe_credit_budget_remaining'), 'leadpipe_credit_budget_remaining', { provider: 'netrows' });

      expect(await remaining()).toBe(10);
      expect(sample(await registry.getSingleMetricAsString('leadpipe_credit_budget_limit'), 'leadpipe_credit_budget_limit', { provider: 'netrows' })).toBe(10);
      await scraped.reserve('reverseLookup');
      await other.reserve('profile');
      // A scrape within a second of the last one serves its value: poll for the fresh read.
      await waitFor(async () => (await remaining()) === 6, { what: 'remaining credits after two reservations' });
      await other.refund('profile');
      await waitFor(async () => (await remaining()) === 9, { what: 'remaining credits after a refund' });
    }, 30_000);
  });

  /** The wiring in bootstrapConsumerService, through a compiled service (run `npm run build` first). */
  describe('a consumer service', () => {
    const own = new TestEnv();
    let validator: ServiceProcess;

    beforeAll(async () => {
      await own.setUp();
      validator = new ServiceProcess('validator', await freePort(), own.serviceEnv(), `.run/test-logs/metrics-${own.id}`);
      await validator.start();
    }, 90_000);

    afterAll(async () => {
      await validator?.stop();
      await own.dispose();
    }, 60_000);

    it('counts its outcomes by group, topic and outcome, its dead letters by code, and reports its lag', async () => {
      const topic = own.topic('leadEnriched');
      const producer = own.kafka.producer();
      await producer.connect();
      try {
        await producer.send({ topic, messages: [{ partition: 1, key: 'garbage', value: 'this is not json' }] });
      } finally {
        await producer.disconnect();
      }
      const group = consumerGroupId(own.namespace, 'validator');
      await waitFor(
        async () => {
          const text = await (await fetch(`${validator.url}/metrics`)).text();
          const deadLetters = sample(text, 'leadpipe_consumer_messages_total', { group, topic, outcome: 'dead_letter' });
          const byCode = sample(text, 'leadpipe_dead_letters_total', { stage: 'validator', code: 'unparseable' });
          // Committed after the dead letter is written: the lag on that partition drops to 0.
          const lag = sample(text, 'leadpipe_consumer_lag', { group, topic, partition: '1' });
          return deadLetters === 1 && byCode === 1 && lag === 0;
        },
        { timeoutMs: 30_000, what: 'one dead letter counted and no lag left' },
      );
    }, 60_000);
  });
});
