import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '@leadpipe/observability';
import { WebhookResult } from './webhook-rejection';

/** Where a webhook came from: the `source` label (the leads themselves all have source `webhook`). */
export type WebhookSource = 'generic' | 'hubspot';

/** Counters of the webhook routes; see docs/metrics.md. */
@Injectable()
export class WebhookMetrics {
  readonly deliveries: Counter<'source' | 'result'>;
  readonly contactsSkipped: Counter<'source'>;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    this.deliveries = new Counter({
      name: 'leadpipe_ingest_webhook_deliveries_total',
      help: 'Webhook deliveries by source and result (accepted, replayed, invalid, bad_signature, expired, conflict, unavailable, disabled, error).',
      labelNames: ['source', 'result'],
      registers,
    });
    this.contactsSkipped = new Counter({
      name: 'leadpipe_ingest_webhook_contacts_skipped_total',
      help: 'Contacts in an accepted webhook delivery that did not become leads because their e-mail and LinkedIn URL were unusable, by source.',
      labelNames: ['source'],
      registers,
    });
  }

  delivery(source: WebhookSource, result: WebhookResult): void {
    this.deliveries.inc({ source, result });
  }
}
