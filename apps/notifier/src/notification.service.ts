import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import { APP_CONFIG, NotifierEnv } from '@leadpipe/config';
import { LeadValidated } from '@leadpipe/contracts';
import { ConsumedEvent, deadLetter, Outcome, processed, retry, skipped } from '@leadpipe/kafka';
import { LeadDelivery, NotificationChannel } from './channels/channel';
import { DeliveryError } from './channels/post-json';
import { SlackChannel } from './channels/slack.channel';
import { WebhookChannel } from './channels/webhook.channel';
import { ConcurrencyLimit } from './concurrency-limit';
import { ChannelName, LeadFacts, matchRules, NotificationRules, Rule, tierOf } from './rules/notification-rules';

const DELIVERY_NAMESPACE = '8c2d7e4a-1f3b-4c6d-a5e9-0b7f2c4d6e81';

/** Injection token of the rules in force (loaded and checked at boot, see main.ts). */
export const NOTIFICATION_RULES = Symbol('NOTIFICATION_RULES');
/** Injection token of the configured channels ({@link channelsFor}). */
export const NOTIFICATION_CHANNELS = Symbol('NOTIFICATION_CHANNELS');

/** The `webhook-id` of every attempt of one (lead, channel, rule); the same across replicas and restarts. */
export function deliveryId(leadId: string, channel: ChannelName, rule: string): string {
  return uuidv5(`${leadId}:${channel}:${rule}`, DELIVERY_NAMESPACE);
}

type DeliveryResult =
  | { status: 'sent' }
  | { status: 'already sent' }
  | { status: 'failed'; what: string; error: DeliveryError };

/**
 * Announces validated leads on the channels of every rule they match. Each (lead, channel,
 * rule) has one row in `notifications`, and one delivery runs as one transaction: lock the row
 * (inserting it if new), skip it if `sent`, POST, mark it `sent`, commit. The lock makes
 * concurrent copies of one event (a redelivery in the same batch, a second replica during a
 * rebalance) wait and then skip; a crash before the commit leaves the row unsent and the next
 * delivery of the event sends again with the same id (at-least-once on the wire, deduplicable by
 * a receiver of the signed webhook; see README for Slack).
 */
@Injectable()
export class NotificationService {
  private readonly logger = new Logger(NotificationService.name);
  private readonly channels = new Map<ChannelName, NotificationChannel>();
  /** Every delivery in flight holds a pooled connection (its row lock) for its POST. */
  private readonly limit: ConcurrencyLimit;
  /** How long a delivery waits for another one's lock, or may sit idle in its transaction. */
  private readonly lockTimeoutMs: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: NotifierEnv,
    @Inject(NOTIFICATION_RULES) private readonly rules: NotificationRules,
    @Inject(NOTIFICATION_CHANNELS) channels: NotificationChannel[],
  ) {
    for (const channel of channels) this.channels.set(channel.name, channel);
    this.limit = new ConcurrencyLimit(config.NOTIFIER_SEND_CONCURRENCY);
    this.lockTimeoutMs = config.NOTIFIER_WEBHOOK_TIMEOUT_MS + 5_000;
  }

  async notifyBatch(events: ConsumedEvent<LeadValidated>[]): Promise<Outcome[]> {
    if (!this.config.NOTIFIER_ENABLED) return events.map(() => skipped('notifier disabled'));
    const candidates = events.map((e) => e.value).filter((lead) => lead.status === 'enriched' && lead.score !== null);
    const details = await this.enrichmentDetails(candidates.map((lead) => lead.leadId));
    return Promise.all(events.map((event) => this.notify(event.value, details.get(event.value.leadId))));
  }

  private async notify(lead: LeadValidated, details: EnrichmentDetails | undefined): Promise<Outcome> {
    if (lead.status !== 'enriched' || lead.score === null) return skipped('not enriched');
    const facts = leadFacts(lead, lead.score, this.rules, details);
    const deliveries = matchRules(this.rules.rules, facts).flatMap((rule) =>
      rule.channels.flatMap((name) => {
        const channel = this.channels.get(name);
        return channel ? [{ rule, channel }] : [];
      }),
    );
    if (deliveries.length === 0) return skipped('no rule matched');

    let results: DeliveryResult[];
    try {
      results = await Promise.all(deliveries.map(({ rule, channel }) => this.deliver(facts, rule, channel)));
    } catch (error) {
      // The validator stores a lead before announcing it, so a lead that is missing now was
      // erased (notifications reference their lead): nobody is told about an erased person.
      if (isForeignKeyViolation(error)) return skipped('lead erased');
      throw error;
    }
    const failures = results.filter((r) => r.status === 'failed');
    // A refusal will not change by retrying: dead-letter at once. What was sent stays sent, and
    // a replay of the dead letter tries only the deliveries not yet sent.
    if (failures.some((f) => !f.error.retryable)) return deadLetter(`notification refused: ${describe(failures)}`);
    if (failures.length > 0) return retry(describe(failures));
    return results.some((r) => r.status === 'sent') ? processed() : skipped('already notified');
  }

  private async deliver(lead: LeadFacts, rule: Rule, channel: NotificationChannel): Promise<DeliveryResult> {
    const key = [lead.leadId, channel.name, rule.name];
    const delivery: LeadDelivery = {
      id: deliveryId(lead.leadId, channel.name, rule.name),
      rule: rule.name,
      lead,
      url: this.leadUrl(lead.leadId),
    };
    let result: DeliveryResult;
    try {
      result = await this.limit.run(() =>
        this.db.transaction(async (tx) => {
          await tx.query(`SELECT set_config('lock_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $1, true)`, [
            `${this.lockTimeoutMs}ms`,
          ]);
          // Inserts the row, or locks the existing one (waiting for a concurrent delivery of it).
          const rows: Array<{ status: string }> = await tx.query(
            `INSERT INTO notifications (lead_id, channel, rule, status, attempts) VALUES ($1, $2, $3, 'sending', 0)
             ON CONFLICT (lead_id, channel, rule) DO UPDATE SET lead_id = notifications.lead_id
             RETURNING status`,
            key,
          );
          if (rows[0]?.status === 'sent') return { status: 'already sent' as const };
          return this.send(tx, channel, delivery);
        }),
      );
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      result = {
        status: 'failed',
        what: `${channel.name}/${rule.name}`,
        error: new DeliveryError('another delivery of it is still in flight', true),
      };
    }
    if (result.status === 'sent') {
      this.logger.log({ msg: 'lead announced', leadId: lead.leadId, channel: channel.name, rule: rule.name, score: lead.score, deliveryId: delivery.id });
    } else if (result.status === 'failed') {
      this.logger.warn({ msg: 'announcement failed', leadId: lead.leadId, channel: channel.name, rule: rule.name, retryable: result.error.retryable, error: result.error.message });
    }
    return result;
  }

  /** POSTs and records the result in the delivery's transaction; only the commit makes it `sent`. */
  private async send(tx: EntityManager, channel: NotificationChannel, delivery: LeadDelivery): Promise<DeliveryResult> {
    const key = [delivery.lead.leadId, channel.name, delivery.rule];
    try {
      await channel.send(delivery);
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      await tx.query(
        `UPDATE notifications SET status = 'failed', attempts = attempts + 1, last_error = $4
          WHERE lead_id = $1 AND channel = $2 AND rule = $3`,
        [...key, error.message.slice(0, 1000)],
      );
      return { status: 'failed', what: `${channel.name}/${delivery.rule}`, error };
    }
    await tx.query(
      `UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL
        WHERE lead_id = $1 AND channel = $2 AND rule = $3`,
      key,
    );
    return { status: 'sent' };
  }

  /** Industry and seniority are not in the event; the validator stored them with the lead before publishing it. */
  private async enrichmentDetails(leadIds: string[]): Promise<Map<string, EnrichmentDetails>> {
    if (leadIds.length === 0) return new Map();
    const rows: Array<{ lead_id: string; industry: string | null; seniority: string | null }> = await this.db.query(
      `SELECT lead_id, company->>'industry' AS industry, person->>'seniority' AS seniority FROM enrichments WHERE lead_id = ANY($1::uuid[])`,
      [leadIds],
    );
    return new Map(rows.map((row) => [row.lead_id, { industry: row.industry, seniority: row.seniority }]));
  }

  private leadUrl(leadId: string): string | null {
    const template = this.config.NOTIFIER_LEAD_URL_TEMPLATE;
    return template ? template.replaceAll('{id}', encodeURIComponent(leadId)) : null;
  }
}

interface EnrichmentDetails {
  industry: string | null;
  seniority: string | null;
}

/** The channels that have a URL. */
export function channelsFor(config: NotifierEnv): NotificationChannel[] {
  const channels: NotificationChannel[] = [];
  if (config.NOTIFIER_WEBHOOK_URL) {
    channels.push(new WebhookChannel(config.NOTIFIER_WEBHOOK_URL, config.NOTIFIER_WEBHOOK_SECRET ?? null, config.NOTIFIER_WEBHOOK_TIMEOUT_MS));
  }
  if (config.NOTIFIER_SLACK_WEBHOOK_URL) channels.push(new SlackChannel(config.NOTIFIER_SLACK_WEBHOOK_URL, config.NOTIFIER_WEBHOOK_TIMEOUT_MS));
  return channels;
}

export function leadFacts(lead: LeadValidated, score: number, rules: NotificationRules, details?: EnrichmentDetails): LeadFacts {
  return {
    leadId: lead.leadId,
    score,
    tier: tierOf(rules.tiers, score),
    fullName: lead.summary.fullName,
    email: lead.summary.email,
    title: lead.summary.title,
    companyName: lead.summary.companyName,
    companyDomain: lead.summary.companyDomain,
    country: lead.summary.country,
    industry: details?.industry ?? null,
    seniority: details?.seniority ?? null,
    linkedinUrl: lead.summary.linkedinUrl,
  };
}

function describe(failures: Array<{ what: string; error: DeliveryError }>): string {
  return failures.map((f) => `${f.what}: ${f.error.message}`).join('; ');
}

function pgCode(error: unknown): string | undefined {
  return (error as { driverError?: { code?: string }; code?: string } | null)?.driverError?.code ?? (error as { code?: string } | null)?.code;
}

/** PostgreSQL's foreign_key_violation, as TypeORM passes it on. */
function isForeignKeyViolation(error: unknown): boolean {
  return pgCode(error) === '23503';
}

/** lock_not_available: another delivery of the same row held it past lock_timeout. */
function isLockTimeout(error: unknown): boolean {
  return pgCode(error) === '55P03';
}
