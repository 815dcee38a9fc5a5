import { Injectable, Logger } from '@nestjs/common';
import { CreateLeadBody } from '../create-lead.dto';
import { AcceptedLead, LeadsService } from '../leads.service';
import { WebhookIdempotencyStore } from './webhook-idempotency.store';
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
 * Accepts a verified webhook delivery's leads exactly once: it claims the delivery in Redis,
 * stores the leads and their events in one transaction (`LeadsService.acceptMany`), and then
 * records their ids under the delivery, so a retry or replay is answered with those ids.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    private readonly leads: LeadsService,
    private readonly store: WebhookIdempotencyStore,
    private readonly metrics: WebhookMetrics,
  ) {}

  async accept(delivery: Delivery): Promise<DeliveryOutcome> {
    const { source, key, fingerprint } = delivery;
    let claim;
    try {
      claim = await this.store.claim(source, key, fingerprint);
    } catch (error) {
      // Without the check a retry could become a second lead: refuse, and let the sender retry.
      this.logger.error(`${source} webhook refused, replay protection unavailable: ${messageOf(error)}`);
      throw WebhookRejection.unavailable('replay protection is unavailable (Redis); nothing was stored, retry later');
    }
    if (claim.state === 'done') return { replayed: true, leads: claim.leads };
    if (claim.state === 'in_flight') throw WebhookRejection.conflict('this delivery is being processed by another request; retry later');
    if (claim.state === 'mismatch') throw WebhookRejection.conflict('this delivery id was already used for a different body');

    let accepted: AcceptedLead[];
    try {
      accepted = await this.leads.acceptMany(delivery.leads, delivery.correlationId, 'webhook');
    } catch (error) {
      // One transaction: nothing of the delivery is stored. Free the claim so the retry is processed.
      this.logger.error(`${source} webhook refused, leads could not be stored: ${messageOf(error)}`);
      await this.store.release(source, key, claim.token, fingerprint).catch((releaseError: unknown) => {
        this.logger.warn(`${source} webhook claim not released, it expires by itself: ${messageOf(releaseError)}`);
      });
      throw WebhookRejection.unavailable('the leads could not be stored; nothing was stored, retry later');
    }
    try {
      await this.store.complete(source, key, fingerprint, accepted);
    } catch (error) {
      // The leads are durable, so the answer is still 202; only a retry after the claim expires could duplicate them.
      this.logger.error(`${source} webhook accepted but not recorded for replay protection: ${messageOf(error)}`);
    }
    return { replayed: false, leads: accepted };
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
