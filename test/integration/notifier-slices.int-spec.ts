import { randomUUID } from 'node:crypto';
import { loadConfig, notifierEnvSchema, NotifierEnv } from '@leadpipe/config';
import type { LeadValidated } from '@leadpipe/contracts';
import type { ConsumedEvent, Outcome } from '@leadpipe/kafka';
import type { LeadDelivery, NotificationChannel } from '../../apps/notifier/src/channels/channel';
import { NotificationService } from '../../apps/notifier/src/notification.service';
import { parseRules } from '../../apps/notifier/src/rules/notification-rules';
import { consumedEvent } from '../support/consumed-event';
import { TestEnv } from '../support/test-env';

/** A receiver that takes a while to answer, so that two slices' transactions overlap. */
class SlowChannel implements NotificationChannel {
  readonly name = 'webhook' as const;
  readonly posted: string[] = [];
  async send(delivery: LeadDelivery): Promise<void> {
    this.posted.push(delivery.id);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

/**
 * The notifier's slice transaction on real PostgreSQL: two replicas handed the same slice at the
 * same moment (a rebalance), in opposite orders. The rows are claimed in key order, so neither
 * deadlocks; the second waits for the first's commit and finds every row `sent`.
 */
describe('notifier: one transaction per slice, on PostgreSQL', () => {
  const env = new TestEnv();
  let config: NotifierEnv;
  const rules = parseRules('rules:\n  - { name: hot, when: { min_score: 70 }, channels: [webhook] }\n', 'rules.yaml', new Set(['webhook']));

  beforeAll(async () => {
    await env.setUp();
    config = loadConfig(notifierEnvSchema, env.serviceEnv());
  }, 60_000);

  afterAll(async () => {
    await env.dispose();
  }, 60_000);

  const storedLeads = async (count: number): Promise<string[]> => {
    const ids = Array.from({ length: count }, () => randomUUID());
    await env.db.query(
      `INSERT INTO leads (id, identity_key, status, reasons, score, source, received_at, updated_at)
       SELECT id, 'email:' || id || '@acme.example', 'enriched', '[]'::jsonb, 90, 'api', now(), now() FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
    return ids;
  };

  const validated = (leadId: string): ConsumedEvent<LeadValidated> =>
    consumedEvent(env.topic('leadValidated'), {
      schemaVersion: 1,
      eventId: randomUUID(),
      leadId,
      identityKey: `email:${leadId}@acme.example`,
      status: 'enriched',
      score: 90,
      reasons: [],
      summary: { fullName: 'Jane Doe', email: `${leadId}@acme.example`, title: null, companyName: null, companyDomain: null, country: 'DE', linkedinUrl: null },
      validatedAt: new Date().toISOString(),
    });

  it('announces each lead once when two replicas take the same slice at once in opposite orders: no deadlock, the later one skips', async () => {
    const ids = await storedLeads(30);
    const events = ids.map(validated);
    const a = new SlowChannel();
    const b = new SlowChannel();
    const replicaA = new NotificationService(env.db, config, rules, [a]);
    const replicaB = new NotificationService(env.db, config, rules, [b]);

    const [fromA, fromB] = await Promise.all([replicaA.notifyBatch(events), replicaB.notifyBatch([...events].reverse())]);

    expect(a.posted.length + b.posted.length).toBe(30);
    expect(new Set([...a.posted, ...b.posted]).size).toBe(30);
    // One replica announced every lead; the other found every row sent.
    const byLead = (outcomes: Outcome[], order: string[]) => new Map(order.map((id, i) => [id, outcomes[i]]));
    const outcomesA = byLead(fromA, ids);
    const outcomesB = byLead(fromB, [...ids].reverse());
    for (const id of ids) {
      const pair = [outcomesA.get(id), outcomesB.get(id)].map((o) => (o && 'reason' in o ? `${o.status}: ${o.reason}` : o?.status)).sort();
      expect(pair).toEqual(['processed', 'skipped: already notified']);
    }
    const rows: Array<{ status: string; attempts: number; n: number }> = await env.db.query(
      `SELECT status, attempts, count(*)::int AS n FROM notifications WHERE lead_id = ANY($1::uuid[]) GROUP BY status, attempts`,
      [ids],
    );
    expect(rows).toEqual([{ status: 'sent', attempts: 1, n: 30 }]);
  }, 60_000);

  it('skips a lead erased before its slice is claimed and announces the others of the slice', async () => {
    const ids = await storedLeads(5);
    await env.db.query(`DELETE FROM leads WHERE id = $1`, [ids[2]]);
    const channel = new SlowChannel();
    const outcomes = await new NotificationService(env.db, config, rules, [channel]).notifyBatch(ids.map(validated));

    expect(outcomes).toEqual([
      { status: 'processed' },
      { status: 'processed' },
      { status: 'skipped', reason: 'lead erased' },
      { status: 'processed' },
      { status: 'processed' },
    ]);
    expect(channel.posted).toHaveLength(4);
    const [{ n }]: Array<{ n: number }> = await env.db.query(`SELECT count(*)::int AS n FROM notifications WHERE lead_id = ANY($1::uuid[]) AND status = 'sent'`, [ids]);
    expect(n).toBe(4);
  }, 60_000);
});
