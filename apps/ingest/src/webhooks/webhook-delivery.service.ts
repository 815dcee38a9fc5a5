import { Injectable, Logger } from '@nestjs/common';
import { CreateLeadBody } from '../create-lead.dto';
import { AcceptedLead, LeadsService } from '../leads.service';
import { IdempotencyKeyReusedError } from '../idempotency';
import { IdentitySuppressedError } from '../erasure/suppression.service';
import { WebhookMetrics, WebhookSource } from './webhook.metrics';
import { WebhookRejection } from './webhook-rejection';

/** A verified delivery's leads, and what identifies the delivery across retries. */
export interface Delivery {
  source: WebhookSource;
  /** Stable across the sender's retries of this delivery: `webhook-id`, or a hash of what HubSpot sent. */
  key: string;
  /** The content (a hash of the body): the same key with other content is refused. */
  fingerprint: string;
  leads: readonly CreateLeadBody[];
  correlationId: string;
}

export interface DeliveryOutcome {
  /** True when this delivery had been accepted before: `leads` are the ones made then. */
  replayed: boolean;
  leads: AcceptedLead[];
}

/**
 * Accepts a verified webhook delivery's leads exactly once. The delivery's key (`webhook-id`,
 * or a hash of what HubSpot sent) is an idempotency key claimed in PostgreSQL in the same
 * transaction that stores the leads and their events (`LeadsService.acceptIdempotently`): a
 * retry or replay, even racing the first request on another replica, gets the same lead ids.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    private readonly leads: LeadsService,
    private readonly metrics: WebhookMetrics,
  ) {}

  async accept(delivery: Delivery): Promise<DeliveryOutcome> {
    const { source, key, fingerprint } = delivery;
    try {
      const result = await this.leads.acceptIdempotently(
        delivery.leads,
        delivery.correlationId,
        'webhook',
        { scope: `webhook:${source}`, key, requestHash: fingerprint },
        (leads) => ({ statusCode: 202, body: leads }),
      );
      return { replayed: result.replayed, leads: result.body };
    } catch (error) {
      if (error instanceof IdempotencyKeyReusedError) throw WebhookRejection.conflict('this delivery id was already used for a different body');
      // 409 `suppressed` with the refused positions (IdentitySuppressedFilter): retrying will not help.
      if (error instanceof IdentitySuppressedError) throw error;
      // One transaction: nothing of the delivery is stored, and the retry will be processed.
      this.logger.error(`${source} webhook refused, leads could not be stored: ${messageOf(error)}`);
      throw WebhookRejection.unavailable('the leads could not be stored; nothing was stored, retry later');
    }
  }

  /**
   * Runs a route's work and counts its result: `accepted` or `replayed` from the outcome, the
   * refusal's own result for a {@link WebhookRejection}, `error` for anything else.
   */
  async track<T extends { replayed: boolean }>(source: WebhookSource, work: () => Promise<T>): Promise<T> {
    try {
      const answer = await work();
      this.metrics.delivery(source, answer.replayed ? 'replayed' : 'accepted');
      return answer;
    } catch (error) {
      this.metrics.delivery(source, error instanceof WebhookRejection ? error.result : 'error');
      throw error;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
