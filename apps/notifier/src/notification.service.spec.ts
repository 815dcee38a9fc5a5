import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { NotifierEnv } from '@leadpipe/config';
import type { LeadValidated } from '@leadpipe/contracts';
import type { ConsumedEvent } from '@leadpipe/kafka';
import type { LeadDelivery, NotificationChannel } from './channels/channel';
import { DeliveryError } from './channels/post-json';
import { deliveryId, NotificationService } from './notification.service';
import { ChannelName, parseRules } from './rules/notification-rules';

const config = {
  NOTIFIER_ENABLED: true,
  NOTIFIER_WEBHOOK_TIMEOUT_MS: 1_000,
  NOTIFIER_SEND_CONCURRENCY: 2,
  NOTIFIER_LEAD_URL_TEMPLATE: 'https://crm.example/leads/{id}',
} as NotifierEnv;

const rules = parseRules(
  `rules:
  - { name: high-score, when: { min_score: 70 }, channels: [webhook, slack] }
  - { name: germany, when: { countries: [DE] }, channels: [webhook] }
  - { name: software, when: { industries: [Software Development] }, channels: [slack] }`,
  'rules.yaml',
  new Set(['webhook', 'slack']),
);

const event = (overrides: Partial<LeadValidated> = {}): ConsumedEvent<LeadValidated> => ({
  topic: 'leads.validated.v1',
  partition: 0,
  offset: '0',
  key: 'email:jane@acme.com',
  headers: {},
  correlationId: 'c',
  value: {
    schemaVersion: 1,
    eventId: randomUUID(),
    leadId: randomUUID(),
    identityKey: 'email:jane@acme.com',
    status: 'enriched',
    score: 90,
    reasons: [],
    summary: { fullName: 'Jane', email: 'jane@acme.com', title: null, companyName: null, companyDomain: null, country: 'FR', linkedinUrl: null },
    validatedAt: new Date().toISOString(),
    ...overrides,
  },
});

/** What TypeORM throws for a PostgreSQL error: the driver's error under `driverError`, its fields copied. */
const queryFailed = (code: string) => Object.assign(new Error('query failed'), { code, driverError: { code } });

class FakeChannel implements NotificationChannel {
  readonly sent: LeadDelivery[] = [];
  failure: DeliveryError | null = null;
  constructor(readonly name: ChannelName) {}
  send(delivery: LeadDelivery): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.sent.push(delivery);
    return Promise.resolve();
  }
}

/** The notifications table as a map, behind the statements the service runs. */
function fakeDb(options: { industry?: string; claim?: () => Error | null } = {}) {
  const rows = new Map<string, { status: string; attempts: number; lastError: string | null }>();
  const txQuery = jest.fn((sql: string, params: unknown[] = []) => {
    const key = params.slice(0, 3).join('|');
    if (sql.includes('set_config')) return Promise.resolve([]);
    if (sql.startsWith('INSERT INTO notifications')) {
      const error = options.claim?.();
      if (error) return Promise.reject(error);
      if (!rows.has(key)) rows.set(key, { status: 'sending', attempts: 0, lastError: null });
      return Promise.resolve([{ status: rows.get(key)!.status }]);
    }
    const row = rows.get(key)!;
    if (sql.includes(`status = 'sent'`)) Object.assign(row, { status: 'sent', attempts: row.attempts + 1, lastError: null });
    else Object.assign(row, { status: 'failed', attempts: row.attempts + 1, lastError: params[3] });
    return Promise.resolve([]);
  });
  const query = jest.fn((sql: string, params: unknown[]) => {
    if (!sql.includes('FROM enrichments')) throw new Error(`unexpected ${sql}`);
    const ids = params[0] as string[];
    return Promise.resolve(ids.map((id) => ({ lead_id: id, industry: options.industry ?? null, seniority: null })));
  });
  const transaction = jest.fn((work: (tx: { query: typeof txQuery }) => Promise<unknown>) => work({ query: txQuery }));
  return { db: { query, transaction } as unknown as DataSource, rows, txQuery };
}

function setUp(options: Parameters<typeof fakeDb>[0] = {}) {
  const webhook = new FakeChannel('webhook');
  const slack = new FakeChannel('slack');
  const fake = fakeDb(options);
  const service = new NotificationService(fake.db, config, rules, [webhook, slack]);
  return { ...fake, webhook, slack, service };
}

describe('NotificationService', () => {
  it('sends one notification per (channel, rule) the lead matches, each with its own stable id', async () => {
    const { service, webhook, slack, rows } = setUp({ industry: 'Software Development' });
    const e = event({ summary: { ...event().value.summary, country: 'DE' } });
    expect(await service.notifyBatch([e])).toEqual([{ status: 'processed' }]);
    expect(webhook.sent.map((d) => d.rule)).toEqual(['high-score', 'germany']);
    expect(slack.sent.map((d) => d.rule)).toEqual(['high-score', 'software']);
    expect(webhook.sent[0].id).toBe(deliveryId(e.value.leadId, 'webhook', 'high-score'));
    expect(new Set([...webhook.sent, ...slack.sent].map((d) => d.id)).size).toBe(4);
    expect(webhook.sent[0]).toMatchObject({ url: `https://crm.example/leads/${e.value.leadId}`, lead: { tier: 'A', industry: 'Software Development' } });
    expect([...rows.values()].map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('skips what was sent already: a redelivered event sends nothing', async () => {
    const { service, webhook, slack } = setUp();
    const e = event();
    await service.notifyBatch([e]);
    expect(await service.notifyBatch([e, e])).toEqual([
      { status: 'skipped', reason: 'already notified' },
      { status: 'skipped', reason: 'already notified' },
    ]);
    expect(webhook.sent).toHaveLength(1);
    expect(slack.sent).toHaveLength(1);
  });

  it.each([
    ['below every rule', { score: 40 }, 'no rule matched'],
    ['not enriched', { status: 'not_found' as const, score: null }, 'not enriched'],
  ])('sends nothing for a lead %s', async (_case, overrides, reason) => {
    const { service, webhook, txQuery } = setUp();
    expect(await service.notifyBatch([event(overrides)])).toEqual([{ status: 'skipped', reason }]);
    expect(webhook.sent).toHaveLength(0);
    expect(txQuery).not.toHaveBeenCalled();
  });

  it('asks for a retry when a receiver fails transiently, and records the error', async () => {
    const { service, webhook, rows } = setUp();
    webhook.failure = new DeliveryError('answered 503', true);
    const e = event();
    expect(await service.notifyBatch([e])).toEqual([{ status: 'retry', reason: 'webhook/high-score: answered 503' }]);
    expect(rows.get(`${e.value.leadId}|webhook|high-score`)).toEqual({ status: 'failed', attempts: 1, lastError: 'answered 503' });
    // The retry sends only what is not sent yet.
    webhook.failure = null;
    expect(await service.notifyBatch([e])).toEqual([{ status: 'processed' }]);
    expect(webhook.sent).toHaveLength(1);
  });

  it('dead-letters at once, with the reason, when a receiver refuses', async () => {
    const { service, slack } = setUp();
    slack.failure = new DeliveryError('answered 400 invalid_payload', false);
    expect(await service.notifyBatch([event()])).toEqual([
      { status: 'dead_letter', code: 'processing_failed', reason: 'notification refused: slack/high-score: answered 400 invalid_payload' },
    ]);
  });

  it('asks for a retry when another delivery of the same row holds it too long', async () => {
    const { service } = setUp({ claim: () => queryFailed('55P03') });
    expect(await service.notifyBatch([event()])).toEqual([
      {
        status: 'retry',
        reason: 'webhook/high-score: another delivery of it is still in flight; slack/high-score: another delivery of it is still in flight',
      },
    ]);
  });

  it('skips a lead that is gone (its notification row has no lead to reference) and sends nothing', async () => {
    const { service, webhook, slack } = setUp({ claim: () => queryFailed('23503') });
    expect(await service.notifyBatch([event()])).toEqual([{ status: 'skipped', reason: 'lead erased' }]);
    expect(webhook.sent).toHaveLength(0);
    expect(slack.sent).toHaveLength(0);
  });

  it('lets any other database failure through, so the slice is retried', async () => {
    const { service } = setUp({ claim: () => queryFailed('57P01') });
    await expect(service.notifyBatch([event()])).rejects.toThrow('query failed');
  });

  it('skips everything when turned off', async () => {
    const fake = fakeDb();
    const service = new NotificationService(fake.db, { ...config, NOTIFIER_ENABLED: false }, rules, []);
    expect(await service.notifyBatch([event()])).toEqual([{ status: 'skipped', reason: 'notifier disabled' }]);
  });
});
