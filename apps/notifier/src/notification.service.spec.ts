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
  failure: Error | null = null;
  /** Called as each POST starts. */
  onSend: () => void = () => undefined;
  constructor(readonly name: ChannelName) {}
  send(delivery: LeadDelivery): Promise<void> {
    this.onSend();
    if (this.failure) return Promise.reject(this.failure);
    this.sent.push(delivery);
    return Promise.resolve();
  }
}

type Row = { status: string; attempts: number; lastError: string | null };
type Key = { lead_id: string; channel: string; rule: string };

/**
 * The notifications table as a map, behind the statements the service runs: the slice's rows
 * inserted or locked in one statement (only for leads that exist), its results recorded in one.
 */
function fakeDb(options: { industry?: string; erased?: Set<string>; claim?: () => Error | null } = {}) {
  const rows = new Map<string, Row>();
  const keyOf = (k: Key) => `${k.lead_id}|${k.channel}|${k.rule}`;
  const txQuery = jest.fn((sql: string, params: unknown[] = []) => {
    if (sql.includes('set_config')) return Promise.resolve([]);
    const input = JSON.parse(params[0] as string) as Array<Key & { error?: string | null }>;
    if (sql.includes('INSERT INTO notifications')) {
      const error = options.claim?.();
      if (error) return Promise.reject(error);
      // One INSERT ... ON CONFLICT DO UPDATE cannot touch a row twice.
      if (new Set(input.map(keyOf)).size !== input.length) return Promise.reject(new Error('ON CONFLICT DO UPDATE command cannot affect row a second time'));
      const live = input.filter((k) => !options.erased?.has(k.lead_id));
      for (const k of live) if (!rows.has(keyOf(k))) rows.set(keyOf(k), { status: 'sending', attempts: 0, lastError: null });
      return Promise.resolve(live.map((k) => ({ ...k, status: rows.get(keyOf(k))!.status })));
    }
    if (sql.includes('UPDATE notifications')) {
      for (const r of input) {
        const row = rows.get(keyOf(r))!;
        Object.assign(row, { status: r.error === null ? 'sent' : 'failed', attempts: row.attempts + 1, lastError: r.error });
      }
      return Promise.resolve([]);
    }
    return Promise.reject(new Error(`unexpected ${sql}`));
  });
  const query = jest.fn((sql: string, params: unknown[]) => {
    if (!sql.includes('FROM enrichments')) throw new Error(`unexpected ${sql}`);
    const ids = params[0] as string[];
    return Promise.resolve(ids.map((id) => ({ lead_id: id, industry: options.industry ?? null, seniority: null })));
  });
  const transaction = jest.fn((work: (tx: { query: typeof txQuery }) => Promise<unknown>) => work({ query: txQuery }));
  /** The statements of the slice's transactions, by their first words. */
  const statements = () => txQuery.mock.calls.map(([sql]) => (sql.includes('set_config') ? 'set_config' : sql.includes('INSERT') ? 'INSERT' : 'UPDATE'));
  return { db: { query, transaction } as unknown as DataSource, rows, txQuery, transaction, statements };
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

  it('asks for a retry of every lead of the slice when another transaction holds one of its rows too long, and throws nothing', async () => {
    const { service, webhook } = setUp({ claim: () => queryFailed('55P03') });
    expect(await service.notifyBatch([event(), event({ score: 40 }), event({ summary: { ...event().value.summary, country: 'DE' } })])).toEqual([
      {
        status: 'retry',
        reason: 'webhook/high-score: another delivery of it is still in flight; slack/high-score: another delivery of it is still in flight',
      },
      { status: 'skipped', reason: 'no rule matched' },
      {
        status: 'retry',
        reason:
          'webhook/high-score: another delivery of it is still in flight; slack/high-score: another delivery of it is still in flight; ' +
          'webhook/germany: another delivery of it is still in flight',
      },
    ]);
    expect(webhook.sent).toHaveLength(0);
  });

  it('skips only the erased lead of a slice (it has no row to claim) and announces the others', async () => {
    const gone = event();
    const kept = event();
    const { service, webhook, slack, rows } = setUp({ erased: new Set([gone.value.leadId]) });
    expect(await service.notifyBatch([gone, kept])).toEqual([{ status: 'skipped', reason: 'lead erased' }, { status: 'processed' }]);
    expect([...webhook.sent, ...slack.sent].map((d) => d.lead.leadId)).toEqual([kept.value.leadId, kept.value.leadId]);
    expect([...rows.keys()].every((key) => key.startsWith(kept.value.leadId))).toBe(true);
  });

  it('claims one row and POSTs once for copies of one event in a slice; the later copy finds it sent', async () => {
    const { service, webhook, slack, txQuery, rows } = setUp();
    const e = event();
    expect(await service.notifyBatch([e, e, e])).toEqual([
      { status: 'processed' },
      { status: 'skipped', reason: 'already notified' },
      { status: 'skipped', reason: 'already notified' },
    ]);
    expect(webhook.sent).toHaveLength(1);
    expect(slack.sent).toHaveLength(1);
    const [, [claimSql, [claimed]]] = txQuery.mock.calls as Array<[string, [string]]>;
    expect(claimSql).toContain('INSERT INTO notifications');
    expect(JSON.parse(claimed)).toHaveLength(2);
    expect([...rows.values()]).toEqual([
      { status: 'sent', attempts: 1, lastError: null },
      { status: 'sent', attempts: 1, lastError: null },
    ]);
  });

  it('runs a slice as one transaction: one claim, the POSTs, one statement recording sent and failed alike', async () => {
    const { service, webhook, transaction, statements, txQuery, rows } = setUp();
    webhook.failure = new DeliveryError('answered 503', true);
    const a = event();
    const b = event();
    expect(await service.notifyBatch([a, b])).toEqual([
      { status: 'retry', reason: 'webhook/high-score: answered 503' },
      { status: 'retry', reason: 'webhook/high-score: answered 503' },
    ]);
    expect(transaction).toHaveBeenCalledTimes(1);
    expect(statements()).toEqual(['set_config', 'INSERT', 'UPDATE']);
    const recorded = JSON.parse((txQuery.mock.calls[2] as [string, [string]])[1][0]) as Array<{ lead_id: string; channel: string; error: string | null }>;
    expect(recorded.map((r) => [r.lead_id, r.channel, r.error]).sort()).toEqual(
      [
        [a.value.leadId, 'slack', null],
        [a.value.leadId, 'webhook', 'answered 503'],
        [b.value.leadId, 'slack', null],
        [b.value.leadId, 'webhook', 'answered 503'],
      ].sort(),
    );
    expect(rows.get(`${a.value.leadId}|slack|high-score`)).toEqual({ status: 'sent', attempts: 1, lastError: null });
    expect(rows.get(`${a.value.leadId}|webhook|high-score`)).toEqual({ status: 'failed', attempts: 1, lastError: 'answered 503' });
  });

  it('starts no POST that could outlast the transaction, and asks for a retry of those', async () => {
    // Two rounds of POSTs (four deliveries, two at once): the second round may start up to 1 s + 4 s after the claim.
    let now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const { service, webhook, slack, txQuery } = setUp({ industry: 'Software Development' });
      // Each POST takes 6 s: the clock moves once it is under way, after the next one of its round started.
      const slowly = () => void Promise.resolve().then(() => (now += 6_000));
      webhook.onSend = slowly;
      slack.onSend = slowly;
      const e = event({ summary: { ...event().value.summary, country: 'DE' } });
      const [outcome] = await service.notifyBatch([e]);
      expect(outcome).toEqual({
        status: 'retry',
        reason: 'webhook/germany: not sent: its slice ran out of time; slack/software: not sent: its slice ran out of time',
      });
      expect(webhook.sent.length + slack.sent.length).toBe(2);
      expect(txQuery.mock.calls[0][1]).toEqual(['6000ms', '7000ms']);
      // Only what was POSTed is recorded.
      expect(JSON.parse((txQuery.mock.calls[2] as [string, [string]])[1][0])).toHaveLength(2);
    } finally {
      clock.mockRestore();
    }
  });

  it('rolls the slice back when a POST fails with something other than a DeliveryError: nothing recorded, the error thrown', async () => {
    const { service, slack, statements } = setUp();
    slack.failure = new TypeError('bug');
    await expect(service.notifyBatch([event()])).rejects.toThrow('bug');
    expect(statements()).toEqual(['set_config', 'INSERT']);
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
