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

/** One (lead, channel, rule) to announce, keyed as its row in `notifications`. */
interface Delivery {
  key: string;
  channel: NotificationChannel;
  delivery: LeadDelivery;
}

type DeliveryResult =
  | { status: 'sent' }
  | { status: 'already sent' }
  | { status: 'lead erased' }
  | { status: 'failed'; what: string; error: DeliveryError };

/** What one event of a slice asks for: an outcome known without the database, or its deliveries. */
type Plan = { outcome: Outcome } | { deliveries: Delivery[] };

/** Time left after the last POST of a slice for its record to reach PostgreSQL before the idle timeout. */
const RECORD_MARGIN_MS = 5_000;

/**
 * Inserts the slice's rows, or locks the existing ones (waiting for a concurrent transaction
 * holding them), in key order, so two slices sharing rows lock them in the same order and
 * cannot deadlock. Only rows whose lead still exists are written: the lead is locked against
 * erasure (KEY SHARE, as the foreign key's own check would) so that none can vanish between
 * this check and the foreign key's; a lead with no row returned was erased.
 */
const CLAIM_SQL = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(lead_id uuid, channel text, rule text)
  ), live AS (
    SELECT id FROM leads WHERE id IN (SELECT lead_id FROM input) ORDER BY id FOR KEY SHARE
  )
  INSERT INTO notifications AS n (lead_id, channel, rule, status, attempts)
  SELECT i.lead_id, i.channel, i.rule, 'sending', 0 FROM input i JOIN live ON live.id = i.lead_id
   ORDER BY i.lead_id, i.channel, i.rule
  ON CONFLICT (lead_id, channel, rule) DO UPDATE SET lead_id = n.lead_id
  RETURNING n.lead_id, n.channel, n.rule, n.status`;

/** Every POST of the slice: `error` NULL for sent, the DeliveryError's message for failed. */
const RECORD_SQL = `
  UPDATE notifications AS n
     SET status = CASE WHEN r.error IS NULL THEN 'sent' ELSE 'failed' END,
         sent_at = CASE WHEN r.error IS NULL THEN now() ELSE n.sent_at END,
         attempts = n.attempts + 1,
         last_error = r.error
    FROM jsonb_to_recordset($1::jsonb) AS r(lead_id uuid, channel text, rule text, error text)
   WHERE n.lead_id = r.lead_id AND n.channel = r.channel AND n.rule = r.rule`;

/**
 * Announces validated leads on the channels of every rule they match. Each (lead, channel,
 * rule) has one row in `notifications`, and a slice of events is delivered in one transaction:
 * insert or lock all its rows in one statement, skip those already `sent`, POST the others
 * (at most NOTIFIER_SEND_CONCURRENCY at once per replica), record every answer in one
 * statement, commit. Only the commit makes a row `sent`. The locks make concurrent copies of
 * one event (a second replica during a rebalance) wait and then skip, or, after the lock
 * timeout, retry later; copies within one slice share one row and one POST. A crash before the
 * commit leaves the rows unsent and the next delivery of the events sends again with the same
 * ids (at-least-once on the wire, deduplicable by a receiver of the signed webhook; see README
 * for Slack).
 */
@Injectable()
export class NotificationService {
  private readonly logger = new Logger(NotificationService.name);
  private readonly channels = new Map<ChannelName, NotificationChannel>();
  /** POSTs in flight per replica, across the slices being handled. */
  private readonly limit: ConcurrencyLimit;
  /** How long a slice waits for another transaction's lock on one of its rows. */
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
    const plans = events.map((event) => this.plan(event.value, details.get(event.value.leadId)));

    // One row, one POST per key: a copy of an event in the same slice shares the first one's.
    const unique = new Map<string, Delivery>();
    for (const plan of plans) {
      if ('outcome' in plan) continue;
      for (const delivery of plan.deliveries) if (!unique.has(delivery.key)) unique.set(delivery.key, delivery);
    }
    const results = unique.size > 0 ? await this.deliverSlice([...unique.values()]) : new Map<string, DeliveryResult>();
    const announced = new Set<string>();
    return plans.map((plan) => ('outcome' in plan ? plan.outcome : outcomeOf(plan.deliveries, results, announced)));
  }

  private plan(lead: LeadValidated, details: EnrichmentDetails | undefined): Plan {
    if (lead.status !== 'enriched' || lead.score === null) return { outcome: skipped('not enriched') };
    const facts = leadFacts(lead, lead.score, this.rules, details);
    const deliveries = matchRules(this.rules.rules, facts).flatMap((rule) =>
      rule.channels.flatMap((name) => {
        const channel = this.channels.get(name);
        return channel ? [this.delivery(facts, rule, channel)] : [];
      }),
    );
    return deliveries.length > 0 ? { deliveries } : { outcome: skipped('no rule matched') };
  }

  private delivery(lead: LeadFacts, rule: Rule, channel: NotificationChannel): Delivery {
    return {
      key: rowKey(lead.leadId, channel.name, rule.name),
      channel,
      delivery: { id: deliveryId(lead.leadId, channel.name, rule.name), rule: rule.name, lead, url: this.leadUrl(lead.leadId) },
    };
  }

  /** Runs the slice's transaction; a lock held too long by another transaction fails every delivery of the slice, retryably. */
  private async deliverSlice(deliveries: Delivery[]): Promise<Map<string, DeliveryResult>> {
    let results: Map<string, DeliveryResult>;
    try {
      results = await this.db.transaction((tx) => this.claimSendRecord(tx, deliveries));
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      const inFlight = new DeliveryError('another delivery of it is still in flight', true);
      results = new Map(deliveries.map((d) => [d.key, { status: 'failed', what: whatOf(d), error: inFlight }]));
    }
    for (const { key, channel, delivery } of deliveries) {
      const result = results.get(key);
      const where = { leadId: delivery.lead.leadId, channel: channel.name, rule: delivery.rule };
      if (result?.status === 'sent') {
        this.logger.log({ msg: 'lead announced', ...where, score: delivery.lead.score, deliveryId: delivery.id });
      } else if (result?.status === 'failed') {
        this.logger.warn({ msg: 'announcement failed', ...where, retryable: result.error.retryable, error: result.error.message });
      }
    }
    return results;
  }

  /**
   * The slice's transaction. PostgreSQL ends it if it sits idle longer than its POSTs can take
   * (a frozen process releases its locks); no POST starts that could end past that bound.
   */
  private async claimSendRecord(tx: EntityManager, deliveries: Delivery[]): Promise<Map<string, DeliveryResult>> {
    const timeoutMs = this.config.NOTIFIER_WEBHOOK_TIMEOUT_MS;
    // Rounds of POSTs this slice may take: its own, behind what other slices have queued now.
    const rounds = Math.ceil((this.limit.pending + deliveries.length) / this.config.NOTIFIER_SEND_CONCURRENCY);
    const idleTimeoutMs = rounds * timeoutMs + RECORD_MARGIN_MS;
    await tx.query(`SELECT set_config('lock_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`, [
      `${this.lockTimeoutMs}ms`,
      `${idleTimeoutMs}ms`,
    ]);
    const claimed: Array<{ lead_id: string; channel: string; rule: string; status: string }> = await tx.query(CLAIM_SQL, [
      JSON.stringify(deliveries.map(({ delivery, channel }) => ({ lead_id: delivery.lead.leadId, channel: channel.name, rule: delivery.rule }))),
    ]);
    // The last POST to start ends (its timeout bounds it) a second before PostgreSQL would end the transaction.
    const startBy = Date.now() + idleTimeoutMs - timeoutMs - 1_000;

    const statuses = new Map(claimed.map((row) => [rowKey(row.lead_id, row.channel, row.rule), row.status]));
    const results = new Map<string, DeliveryResult>();
    const due: Delivery[] = [];
    for (const d of deliveries) {
      const status = statuses.get(d.key);
      if (status === undefined) results.set(d.key, { status: 'lead erased' });
      else if (status === 'sent') results.set(d.key, { status: 'already sent' });
      else due.push(d);
    }
    if (due.length === 0) return results;

    // Every POST runs to its end before anything is decided: an error that is not a
    // DeliveryError rolls the slice back (nothing recorded, the slice is retried), and no
    // lock is released while a POST of its row may still be on the wire.
    const settled = await Promise.allSettled(due.map((d) => this.limit.run(() => this.post(d, startBy))));
    const posted: Array<{ lead_id: string; channel: string; rule: string; error: string | null }> = [];
    for (const [i, outcome] of settled.entries()) {
      if (outcome.status === 'rejected') throw outcome.reason as unknown;
      const { key, channel, delivery } = due[i];
      const { result, posted: wasPosted } = outcome.value;
      results.set(key, result);
      if (!wasPosted) continue;
      const error = result.status === 'failed' ? result.error.message.slice(0, 1000) : null;
      posted.push({ lead_id: delivery.lead.leadId, channel: channel.name, rule: delivery.rule, error });
    }
    if (posted.length > 0) await tx.query(RECORD_SQL, [JSON.stringify(posted)]);
    return results;
  }

  /** POSTs one delivery, unless it could not end before the transaction's idle bound. */
  private async post(d: Delivery, startBy: number): Promise<{ result: DeliveryResult; posted: boolean }> {
    if (Date.now() > startBy) {
      return { result: { status: 'failed', what: whatOf(d), error: new DeliveryError('not sent: its slice ran out of time', true) }, posted: false };
    }
    try {
      await d.channel.send(d.delivery);
      return { result: { status: 'sent' }, posted: true };
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      return { result: { status: 'failed', what: whatOf(d), error }, posted: true };
    }
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

/** A row's key as the map of a slice holds it; PostgreSQL returns uuids in lower case. */
function rowKey(leadId: string, channel: string, rule: string): string {
  return `${leadId.toLowerCase()}|${channel}|${rule}`;
}

function whatOf({ channel, delivery }: Delivery): string {
  return `${channel.name}/${delivery.rule}`;
}

/**
 * One event's outcome from its deliveries' results. A copy of the event later in the slice
 * finds what the first copy sent already sent, as it would have in a transaction of its own.
 */
function outcomeOf(deliveries: Delivery[], results: Map<string, DeliveryResult>, announced: Set<string>): Outcome {
  const own = deliveries.map((d): DeliveryResult => {
    const result = results.get(d.key);
    if (!result) throw new Error(`no result for delivery ${d.key}`);
    if (result.status !== 'sent') return result;
    if (announced.has(d.key)) return { status: 'already sent' };
    announced.add(d.key);
    return result;
  });
  // The validator stores a lead before announcing it, so a lead that is missing now was
  // erased (its notifications went with it): nobody is told about an erased person.
  if (own.some((r) => r.status === 'lead erased')) return skipped('lead erased');
  const failures = own.filter((r) => r.status === 'failed');
  // A refusal will not change by retrying: dead-letter at once. What was sent stays sent, and
  // a replay of the dead letter tries only the deliveries not yet sent.
  if (failures.some((f) => !f.error.retryable)) return deadLetter(`notification refused: ${describe(failures)}`);
  if (failures.length > 0) return retry(describe(failures));
  return own.some((r) => r.status === 'sent') ? processed() : skipped('already notified');
}

function pgCode(error: unknown): string | undefined {
  return (error as { driverError?: { code?: string }; code?: string } | null)?.driverError?.code ?? (error as { code?: string } | null)?.code;
}

/** lock_not_available: another transaction held one of the slice's rows past lock_timeout. */
function isLockTimeout(error: unknown): boolean {
  return pgCode(error) === '55P03';
}
