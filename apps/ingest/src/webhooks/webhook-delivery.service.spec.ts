import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { MetricsRegistry } from '@leadpipe/observability';
import { AcceptedLead, LeadsService } from '../leads.service';
import { Delivery, WebhookDeliveryService } from './webhook-delivery.service';
import { Claim, WebhookIdempotencyStore } from './webhook-idempotency.store';
import { WebhookMetrics } from './webhook.metrics';
import { WebhookRejection } from './webhook-rejection';

/** The store's contract in memory: what the Redis one does, minus Redis. */
class MemoryStore {
  readonly entries = new Map<string, { token?: string; fingerprint: string; leads?: AcceptedLead[] }>();
  failNext?: 'claim' | 'complete';
  released: string[] = [];

  async claim(source: string, key: string, fingerprint: string): Promise<Claim> {
    if (this.failNext === 'claim') throw new Error('ECONNREFUSED 127.0.0.1:6379');
    const existing = this.entries.get(`${source}:${key}`);
    if (!existing) {
      this.entries.set(`${source}:${key}`, { token: 't1', fingerprint });
      return { state: 'claimed', token: 't1' };
    }
    if (existing.fingerprint !== fingerprint) return { state: 'mismatch' };
    return existing.leads ? { state: 'done', leads: existing.leads } : { state: 'in_flight' };
  }

  async complete(source: string, key: string, fingerprint: string, leads: AcceptedLead[]): Promise<void> {
    if (this.failNext === 'complete') throw new Error('Redis went away');
    this.entries.set(`${source}:${key}`, { fingerprint, leads });
  }

  async release(source: string, key: string): Promise<void> {
    this.released.push(key);
    this.entries.delete(`${source}:${key}`);
  }
}

class FakeLeads {
  calls = 0;
  fail = false;
  async acceptMany(bodies: readonly unknown[]): Promise<AcceptedLead[]> {
    if (this.fail) throw new Error('connection terminated');
    this.calls++;
    return bodies.map((_, i) => ({ id: `lead-${this.calls}-${i}`, status: 'received' as const }));
  }
}

const delivery = (overrides: Partial<Delivery> = {}): Delivery => ({
  source: 'generic',
  key: 'msg_1',
  fingerprint: 'body-hash-1',
  leads: [{ email: 'a@acme.com' }, { email: 'b@acme.com' }],
  correlationId: 'c1',
  ...overrides,
});

describe('WebhookDeliveryService', () => {
  let store: MemoryStore;
  let leads: FakeLeads;
  let service: WebhookDeliveryService;
  let registry: Registry;
  let logged: jest.SpyInstance;

  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    store = new MemoryStore();
    leads = new FakeLeads();
    registry = new MetricsRegistry({});
    service = new WebhookDeliveryService(leads as unknown as LeadsService, store as unknown as WebhookIdempotencyStore, new WebhookMetrics(registry as MetricsRegistry));
  });

  afterEach(() => jest.restoreAllMocks());

  async function rejectionOf(promise: Promise<unknown>): Promise<WebhookRejection> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof WebhookRejection)) throw new Error(`expected a WebhookRejection, got ${String(error)}`);
    return error;
  }

  it('stores a new delivery once and answers its retry with the same leads', async () => {
    const first = await service.accept(delivery());
    const retry = await service.accept(delivery());
    expect(first).toEqual({ replayed: false, leads: [expect.objectContaining({ id: 'lead-1-0' }), expect.objectContaining({ id: 'lead-1-1' })] });
    expect(retry).toEqual({ replayed: true, leads: first.leads });
    expect(leads.calls).toBe(1);
  });

  it('refuses the same delivery id with another body (409), storing nothing', async () => {
    await service.accept(delivery());
    const rejection = await rejectionOf(service.accept(delivery({ fingerprint: 'body-hash-2' })));
    expect([rejection.result, rejection.getStatus()]).toEqual(['conflict', 409]);
    expect(leads.calls).toBe(1);
  });

  it('refuses a delivery another request is storing right now (409)', async () => {
    await store.claim('generic', 'msg_1', 'body-hash-1');
    const rejection = await rejectionOf(service.accept(delivery()));
    expect([rejection.result, rejection.getStatus()]).toEqual(['conflict', 409]);
    expect(leads.calls).toBe(0);
  });

  it('refuses with 503 when Redis is away, rather than risk a duplicate', async () => {
    store.failNext = 'claim';
    const rejection = await rejectionOf(service.accept(delivery()));
    expect([rejection.result, rejection.getStatus()]).toEqual(['unavailable', 503]);
    expect(leads.calls).toBe(0);
  });

  it('frees the claim when the leads cannot be stored, so the retry goes through', async () => {
    leads.fail = true;
    const rejection = await rejectionOf(service.accept(delivery()));
    expect([rejection.result, rejection.getStatus()]).toEqual(['unavailable', 503]);
    expect(store.released).toEqual(['msg_1']);
    leads.fail = false;
    expect((await service.accept(delivery())).replayed).toBe(false);
  });

  it('still answers accepted when the leads are stored but cannot be recorded', async () => {
    store.failNext = 'complete';
    expect(await service.accept(delivery())).toMatchObject({ replayed: false });
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/accepted but not recorded for replay protection/));
  });

  it('counts each result', async () => {
    await service.track('generic', () => service.accept(delivery()));
    await service.track('generic', () => service.accept(delivery()));
    await service.track('hubspot', () => Promise.reject(WebhookRejection.badSignature('no'))).catch(() => undefined);
    await service.track('hubspot', () => Promise.reject(new Error('bug'))).catch(() => undefined);
    const metric = await registry.getSingleMetric('leadpipe_ingest_webhook_deliveries_total')!.get();
    expect(metric.values.map((v) => [v.labels.source, v.labels.result, v.value])).toEqual([
      ['generic', 'accepted', 1],
      ['generic', 'replayed', 1],
      ['hubspot', 'bad_signature', 1],
      ['hubspot', 'error', 1],
    ]);
  });
});
