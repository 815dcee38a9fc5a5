import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import { APP_CONFIG, NotifierEnv } from '@leadpipe/config';
import { LeadValidated } from '@leadpipe/contracts';
import { ConsumedEvent, deadLetter, Outcome, processed, retry, skipped } from '@leadpipe/kafka';
import { WebhookChannel, WebhookSendError } from './webhook.channel';

const DELIVERY_NAMESPACE = '8c2d7e4a-1f3b-4c6d-a5e9-0b7f2c4d6e81';
export const HIGH_SCORE_RULE = 'score-threshold';

/**
 * Announces high-value leads. Each (lead, channel, rule) has one row in `notifications`:
 * a lead already `sent` is skipped on redelivery; one left `sending` by a crash is sent
 * again with the same delivery id (at-least-once on the wire, deduplicable by the receiver).
 */
@Injectable()
export class NotificationService {
  private readonly logger = new Logger(NotificationService.name);
  private readonly webhook: WebhookChannel | null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: NotifierEnv,
  ) {
    this.webhook = config.NOTIFIER_WEBHOOK_URL ? new WebhookChannel(config.NOTIFIER_WEBHOOK_URL, config.NOTIFIER_WEBHOOK_TIMEOUT_MS) : null;
  }

  async notifyBatch(events: ConsumedEvent<LeadValidated>[]): Promise<Outcome[]> {
    return Promise.all(events.map((event) => this.notify(event.value)));
  }

  private async notify(lead: LeadValidated): Promise<Outcome> {
    if (!this.config.NOTIFIER_ENABLED || !this.webhook) return skipped('no channel configured');
    if (lead.status !== 'enriched' || lead.score === null || lead.score < this.config.NOTIFIER_SCORE_THRESHOLD) {
      return skipped('below threshold');
    }
    const channel = this.webhook.name;
    let rows: Array<{ status: string }>;
    try {
      rows = await this.db.query(
        `INSERT INTO notifications (lead_id, channel, rule, status, attempts) VALUES ($1, $2, $3, 'sending', 0)
         ON CONFLICT (lead_id, channel, rule) DO UPDATE SET lead_id = notifications.lead_id
         RETURNING status`,
        [lead.leadId, channel, HIGH_SCORE_RULE],
      );
    } catch (error) {
      // The validator stores a lead before announcing it, so a lead that is missing now was
      // erased (notifications reference their lead): nobody is told about an erased person.
      if (isForeignKeyViolation(error)) return skipped('lead erased');
      throw error;
    }
    if (rows[0]?.status === 'sent') return skipped('already notified');
    const deliveryId = uuidv5(`${lead.leadId}:${channel}:${HIGH_SCORE_RULE}`, DELIVERY_NAMESPACE);
    try {
      await this.webhook.send(deliveryId, HIGH_SCORE_RULE, lead);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.db.query(
        `UPDATE notifications SET attempts = attempts + 1, last_error = $4 WHERE lead_id = $1 AND channel = $2 AND rule = $3`,
        [lead.leadId, channel, HIGH_SCORE_RULE, message],
      );
      if (error instanceof WebhookSendError && !error.retryable) {
        await this.db.query(`UPDATE notifications SET status = 'failed' WHERE lead_id = $1 AND channel = $2 AND rule = $3`, [
          lead.leadId,
          channel,
          HIGH_SCORE_RULE,
        ]);
        return deadLetter(`notification refused: ${message}`);
      }
      return retry(message);
    }
    await this.db.query(
      `UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL
        WHERE lead_id = $1 AND channel = $2 AND rule = $3`,
      [lead.leadId, channel, HIGH_SCORE_RULE],
    );
    this.logger.log({ msg: 'lead announced', leadId: lead.leadId, channel, rule: HIGH_SCORE_RULE, score: lead.score });
    return processed();
  }
}

/** PostgreSQL's foreign_key_violation, as TypeORM passes it on. */
function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { driverError?: { code?: string }; code?: string } | null)?.driverError?.code ?? (error as { code?: string } | null)?.code;
  return code === '23503';
}
