import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, NotifierEnv } from '@leadpipe/config';
import { OpsAlert } from '@leadpipe/contracts';
import { ConsumedEvent, deadLetter, Outcome, processed, retry } from '@leadpipe/kafka';
import { WebhookChannel, WebhookSendError } from './webhook.channel';

/**
 * Delivers operator alerts to their own channel, apart from sales notifications. The alert's
 * event id is the delivery id, so a redelivered alert can be recognised by the receiver.
 */
@Injectable()
export class OpsAlertService {
  private readonly logger = new Logger(OpsAlertService.name);
  private readonly channel: WebhookChannel | null;

  constructor(@Inject(APP_CONFIG) config: NotifierEnv) {
    this.channel = config.NOTIFIER_ALERT_WEBHOOK_URL
      ? new WebhookChannel(config.NOTIFIER_ALERT_WEBHOOK_URL, config.NOTIFIER_WEBHOOK_TIMEOUT_MS)
      : null;
  }

  async deliverBatch(events: ConsumedEvent<OpsAlert>[]): Promise<Outcome[]> {
    return Promise.all(events.map((event) => this.deliver(event.value)));
  }

  private async deliver(alert: OpsAlert): Promise<Outcome> {
    // Always in the logs, whatever the channel does: log-based alerting sees it too.
    this.logger.error({ msg: 'operator alert', kind: alert.kind, severity: alert.severity, source: alert.source, message: alert.message });
    if (!this.channel) return processed();
    try {
      await this.channel.post(alert.eventId, { type: `ops.${alert.kind}`, ...alert });
      return processed();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof WebhookSendError && !error.retryable) return deadLetter(`alert refused: ${message}`);
      return retry(message);
    }
  }
}
