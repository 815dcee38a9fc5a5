import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeadValidated, OpsAlert, topicName } from '@leadpipe/contracts';
import { EventPublisher } from '@leadpipe/kafka';
import { Pipeline } from '../support/pipeline';
import { SlackReceiver } from '../support/slack-receiver';
import { HOLD } from '../support/webhook-receiver';
import { waitFor } from '../support/wait-for';

const RULES = `
tiers:
  - { name: A, min_score: 80 }
  - { name: B, min_score: 60 }
rules:
  - name: hot
    when: { min_score: 80 }
    channels: [webhook, slack]
  - name: dach
    when: { tiers: [A, B], countries: [DE, AT, CH] }
    channels: [webhook]
`;

/**
 * The notifier on the real pipeline, fed validated events straight onto its topic: rules from
 * a file, a signed webhook (verified by the receiver with the Standard Webhooks library), a
 * Slack incoming webhook and the operator alert channel; redeliveries, retries and refusals.
 */
describe('notifier: rules, channels and exactly-once notifications', () => {
  const slack = new SlackReceiver();
  const alerts = new SlackReceiver();
  let pipeline: Pipeline;
  let publisher: EventPublisher;

  beforeAll(async () => {
    await slack.start();
    await alerts.start();
    const rulesFile = join(mkdtempSync(join(tmpdir(), 'leadpipe-rules-')), 'rules.yaml');
    writeFileSync(rulesFile, RULES);
    pipeline = new Pipeline({
      extraEnv: {
        notifier: {
          NOTIFIER_RULES_FILE: rulesFile,
          NOTIFIER_SLACK_WEBHOOK_URL: slack.url,
          NOTIFIER_LEAD_URL_TEMPLATE: 'https://crm.example/leads/{id}',
          NOTIFIER_ALERT_WEBHOOK_URL: alerts.url,
          NOTIFIER_ALERT_FORMAT: 'slack',
          NOTIFIER_MAX_ATTEMPTS: '4',
          NOTIFIER_RETRY_BASE_MS: '200',
        },
      },
    });
    await pipeline.start();
    publisher = new EventPublisher(pipeline.env.kafka, pipeline.env.namespace);
  }, 180_000);

  afterAll(async () => {
    await publisher?.disconnect();
    await pipeline?.stop();
    await slack.stop();
    await alerts.stop();
  }, 120_000);

  afterEach(() => {
    // Every request the notifier sent carried a signature the reference library accepts.
    expect(pipeline.webhooks.rejected).toEqual([]);
  });

  /** A stored lead (notifications reference it) and the validated event the validator would publish for it. */
  async function validatedLead(score: number, country: string | null): Promise<LeadValidated> {
    const leadId = randomUUID();
    const email = `notify.${leadId.slice(0, 8)}@notifier-e2e.com`;
    await pipeline.env.db.query(
      `INSERT INTO leads (id, identity_key, status, score, email, source, received_at, updated_at)
       VALUES ($1, $2, 'enriched', $3, $4, 'api', now(), now())`,
      [leadId, `email:${email}`, score, email],
    );
    return {
      schemaVersion: 1,
      eventId: randomUUID(),
      leadId,
      identityKey: `email:${email}`,
      status: 'enriched',
      score,
      reasons: [],
      summary: { fullName: 'Nora Notify', email, title: 'VP Sales', companyName: 'Notifier GmbH', companyDomain: 'notifier-e2e.com', country, linkedinUrl: null },
      validatedAt: new Date().toISOString(),
    };
  }

  function publish(lead: LeadValidated, times = 1): Promise<void> {
    return publisher.publish(
      'leadValidated',
      Array.from({ length: times }, () => ({ key: lead.identityKey, value: lead })),
    );
  }

  /** leads.validated messages the notifier has finished with (processed, skipped or dead-lettered). */
  async function finished(): Promise<number> {
    const topic = topicName('leadValidated', pipeline.env.namespace);
    const text = await (await fetch(`${pipeline.service('notifier').url}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('leadpipe_consumer_messages_total{') && line.includes(`topic="${topic}"`) && !line.includes('outcome="retry"'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }

  async function waitUntilFinished(before: number, count: number): Promise<void> {
    await waitFor(async () => (await finished()) >= before + count, { timeoutMs: 30_000, what: `${count} validated events handled` });
  }

  async function rowsOf(leadId: string): Promise<Array<{ channel: string; rule: string; status: string; attempts: number; last_error: string | null }>> {
    return pipeline.env.db.query(
      `SELECT channel, rule, status, attempts, last_error FROM notifications WHERE lead_id = $1 ORDER BY channel, rule`,
      [leadId],
    );
  }

  it('delivers the same validated event, delivered three times, once: one row and one notification per channel and rule', async () => {
    const lead = await validatedLead(90, 'FR');
    const before = await finished();
    await publish(lead, 3);
    await waitUntilFinished(before, 3);

    expect(await rowsOf(lead.leadId)).toEqual([
      { channel: 'slack', rule: 'hot', status: 'sent', attempts: 1, last_error: null },
      { channel: 'webhook', rule: 'hot', status: 'sent', attempts: 1, last_error: null },
    ]);
    const webhooks = pipeline.webhooks.forLead(lead.leadId);
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0].body).toMatchObject({
      type: 'lead.high_value',
      rule: 'hot',
      lead: { id: lead.leadId, score: 90, tier: 'A', url: `https://crm.example/leads/${lead.leadId}` },
    });
    expect(webhooks[0].headers['webhook-signature']).toMatch(/^v1,/);
    const messages = slack.mentioning(lead.leadId);
    expect(messages).toHaveLength(1);
    expect(messages[0].text).toBe('High-value lead: Nora Notify, VP Sales at Notifier GmbH (score 90, tier A)');
    expect(JSON.stringify(messages[0].blocks)).toContain('Rule *hot*');

    // A fourth delivery, long after the first: still nothing new.
    const later = await finished();
    await publish(lead);
    await waitUntilFinished(later, 1);
    expect(pipeline.webhooks.forLead(lead.leadId)).toHaveLength(1);
    expect(slack.mentioning(lead.leadId)).toHaveLength(1);
  }, 60_000);

  it('announces a lead matching two rules once per rule, each with its own stable webhook-id', async () => {
    const lead = await validatedLead(85, 'DE');
    const before = await finished();
    await publish(lead);
    await waitUntilFinished(before, 1);

    expect((await rowsOf(lead.leadId)).map((r) => `${r.channel}/${r.rule}:${r.status}`)).toEqual(['slack/hot:sent', 'webhook/dach:sent', 'webhook/hot:sent']);
    const webhooks = pipeline.webhooks.forLead(lead.leadId);
    expect(webhooks.map((w) => w.body.rule).sort()).toEqual(['dach', 'hot']);
    expect(new Set(webhooks.map((w) => w.id)).size).toBe(2);
    expect(slack.mentioning(lead.leadId)).toHaveLength(1);
  }, 60_000);

  it('skips a lead erased before its announcement, and announces the others published with it', async () => {
    const erased = await validatedLead(90, 'FR');
    const kept = await validatedLead(90, 'FR');
    await pipeline.env.db.query(`DELETE FROM leads WHERE id = $1`, [erased.leadId]);
    const before = await finished();
    await publisher.publish('leadValidated', [erased, kept].map((lead) => ({ key: lead.identityKey, value: lead })));
    await waitUntilFinished(before, 2);

    expect(await rowsOf(erased.leadId)).toEqual([]);
    expect(pipeline.webhooks.forLead(erased.leadId)).toEqual([]);
    expect(slack.mentioning(erased.leadId)).toEqual([]);
    expect((await rowsOf(kept.leadId)).map((r) => `${r.channel}/${r.rule}:${r.status}`)).toEqual(['slack/hot:sent', 'webhook/hot:sent']);
    expect(pipeline.webhooks.forLead(kept.leadId)).toHaveLength(1);
  }, 60_000);

  it('announces nothing for a lead no rule matches', async () => {
    const lead = await validatedLead(70, 'FR');
    const before = await finished();
    await publish(lead);
    await waitUntilFinished(before, 1);
    expect(await rowsOf(lead.leadId)).toEqual([]);
    expect(pipeline.webhooks.forLead(lead.leadId)).toEqual([]);
  }, 60_000);

  it('retries a receiver that answers 500 with back-off, and delivers once when it answers 200', async () => {
    const lead = await validatedLead(65, 'AT');
    pipeline.webhooks.plan(lead.leadId, [500, 500, 200]);
    const before = await finished();
    await publish(lead);
    await waitUntilFinished(before, 1);

    expect(pipeline.webhooks.attempts.filter((a) => a.leadId === lead.leadId).map((a) => a.status)).toEqual([500, 500, 200]);
    // Every attempt carried the same id, so a receiver that saw a 500 it had half-processed can deduplicate.
    expect(new Set(pipeline.webhooks.attempts.filter((a) => a.leadId === lead.leadId).map((a) => a.id)).size).toBe(1);
    expect(pipeline.webhooks.forLead(lead.leadId)).toHaveLength(1);
    expect(await rowsOf(lead.leadId)).toEqual([{ channel: 'webhook', rule: 'dach', status: 'sent', attempts: 3, last_error: null }]);
  }, 60_000);

  it('dead-letters at once, with the reason, when the receiver answers 400', async () => {
    const lead = await validatedLead(62, 'CH');
    pipeline.webhooks.plan(lead.leadId, [400]);
    await publish(lead);

    const [letter] = await waitFor(
      async () => {
        const rows: Array<{ stage: string; reason: string; attempts: number; error_code: string }> = await pipeline.env.db.query(
          `SELECT stage, reason, attempts, error_code FROM dead_letters WHERE lead_id = $1`,
          [lead.leadId],
        );
        return rows.length > 0 ? rows : null;
      },
      { timeoutMs: 30_000, what: 'the dead letter' },
    );
    expect(letter).toEqual({ stage: 'notifier', reason: 'notification refused: webhook/dach: answered 400', attempts: 1, error_code: 'processing_failed' });
    expect(pipeline.webhooks.attempts.filter((a) => a.leadId === lead.leadId).map((a) => a.status)).toEqual([400]);
    expect(await rowsOf(lead.leadId)).toEqual([{ channel: 'webhook', rule: 'dach', status: 'failed', attempts: 1, last_error: 'answered 400' }]);
  }, 60_000);

  it('routes operator alerts to their own channel, as a Slack message', async () => {
    const alert: OpsAlert = {
      schemaVersion: 1,
      eventId: randomUUID(),
      kind: 'provider_out_of_credits',
      severity: 'critical',
      source: 'enricher',
      message: `Netrows answered 402 (${randomUUID()})`,
      raisedAt: new Date().toISOString(),
    };
    await publisher.publish('opsAlert', [{ key: null, value: alert }]);
    const [message] = await waitFor(() => (alerts.mentioning(alert.message).length > 0 ? alerts.mentioning(alert.message) : null), {
      timeoutMs: 30_000,
      what: 'the alert in Slack',
    });
    expect(message.text).toBe(`critical: provider_out_of_credits from enricher: ${alert.message}`);
    // Not among the sales notifications.
    expect(slack.mentioning(alert.message)).toEqual([]);
  }, 60_000);

  it('resends with the same webhook-id when killed between sending and recording: one row, one notification after deduplication', async () => {
    const lead = await validatedLead(66, 'DE');
    // The receiver takes the POST in and never answers; the notifier is killed while it waits.
    pipeline.webhooks.plan(lead.leadId, [HOLD]);
    await publish(lead);
    await waitFor(() => pipeline.webhooks.forLead(lead.leadId).length === 1, { timeoutMs: 30_000, what: 'the first POST' });
    const notifier = pipeline.service('notifier');
    await notifier.kill();
    // Nothing was recorded as sent: the transaction that would have said so died with the process.
    expect((await rowsOf(lead.leadId)).filter((r) => r.status === 'sent')).toEqual([]);
    await notifier.start();

    await waitFor(async () => (await rowsOf(lead.leadId)).some((r) => r.status === 'sent'), { timeoutMs: 90_000, what: 'the resend recorded' });
    const deliveries = pipeline.webhooks.forLead(lead.leadId);
    // At-least-once on the wire: the receiver got it twice, with one id, which it keeps once.
    expect(deliveries).toHaveLength(2);
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(1);
    expect(deliveries[1].body).toEqual(deliveries[0].body);
    expect(await rowsOf(lead.leadId)).toEqual([{ channel: 'webhook', rule: 'dach', status: 'sent', attempts: 1, last_error: null }]);
  }, 150_000);
});
