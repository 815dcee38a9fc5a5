import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { MetricsRegistry } from '@leadpipe/observability';
import { AcceptedLead, LeadsService } from '../leads.service';
import { Delivery, WebhookDeliveryService } from './webhook-delivery.service';
import { IdempotencyClaim, IdempotencyKeyReusedError } from '../idempotency';
import { WebhookMetrics } from './webhook.metrics';
import { WebhookRejection } from './webhook-rejection';

/** LeadsService's idempotent accept in memory: same key and hash → the first answer; other hash → refused. */
class FakeLeads {
  calls = 0;
  fail = false;
  readonly claims = new Map<string, { hash: string; body: AcceptedLead[] }>();

  async acceptIdempotently(
    bodies: readonly unknown[],
    _correlationId: string,
    _source: string,
    claim: IdempotencyClaim,
    answer: (leads: AcceptedLead[]) => { statusCode: number; body: AcceptedLead[] },
  ): Promise<{ statusCode: number; body: AcceptedLead[]; replayed: boolean }> {
    if (this.fail) throw new Error('connection terminated');
    const id = `${claim.scope}/${claim.key}`;
    const stored = this.claims.get(id);
    if (stored && stored.hash !== claim.requestHash) throw new IdempotencyKeyReusedError(claim.scope);
    if (stored) return { statusCode: 202, body: stored.body, replayed: true };
    this.calls++;
    const fresh = answer(bodies.map((_, i) => ({ id: `lead-${this.calls}-${i}`, status: 'received' as const })));
    this.claims.set(id, { hash: claim.requestHash, body: fresh.body });
    return { ...fresh, replayed: false };
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
  let leads: FakeLeads;
  let service: WebhookDeliveryService;
  let registry: Registry;
  let logged: jest.SpyInstance;

  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    leads = new FakeLeads();
    registry = new MetricsRegistry({});
    service = new WebhookDeliveryService(leads as unknown as LeadsService, new WebhookMetrics(registry as MetricsRegistry));
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

  it('keeps deliveries of different sources apart', async () => {
    await service.accept(delivery());
    expect((await service.accept(delivery({ source: 'hubspot', fingerprint: 'other' }))).replayed).toBe(false);
    expect([...leads.claims.keys()].sort()).toEqual(['webhook:generic/msg_1', 'webhook:hubspot/msg_1']);
  });

  it('refuses with 503 when the leads cannot be stored, and the retry then goes through', async () => {
    leads.fail = true;
    const rejection = await rejectionOf(service.accept(delivery()));
    expect([rejection.result, rejection.getStatus()]).toEqual(['unavailable', 503]);
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/leads could not be stored/));
    leads.fail = false;
    expect((await service.accept(delivery())).replayed).toBe(false);
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
