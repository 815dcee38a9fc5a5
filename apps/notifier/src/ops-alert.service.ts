import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, NotifierEnv } from '@leadpipe/config';
import { OpsAlert } from '@leadpipe/contracts';
import { ConsumedEvent, deadLetter, Outcome, processed, retry } from '@leadpipe/kafka';
import { DeliveryError } from './channels/post-json';
import { SlackChannel } from './channels/slack.channel';
import { slackAlertMessage } from './channels/slack.message';
import { WebhookChannel } from './channels/webhook.channel';

/**
 * Delivers operator alerts to their own channel, apart from sales notifications: a Slack
 * message, or JSON signed like the lead webhook (when NOTIFIER_ALERT_WEBHOOK_SECRET is set) whose
 * `webhook-id` is the alert's event id, so a redelivered alert can be recognised by the receiver.
 * Alerts are at-least-once: they are not recorded (they belong to no lead).
 */
@Injectable()
export class OpsAlertService {
  private readonly logger = new Logger(OpsAlertService.name);
  private readonly post: ((alert: OpsAlert) => Promise<void>) | null;

  constructor(@Inject(APP_CONFIG) config: NotifierEnv) {
    const url = config.NOTIFIER_ALERT_WEBHOOK_URL;
    if (!url) this.post = null;
    else if (alertFormat(config) === 'slack') {
      const slack = new SlackChannel(url, config.NOTIFIER_WEBHOOK_TIMEOUT_MS);
      this.post = (alert) => slack.post(slackAlertMessage(alert));
    } else {
      const webhook = new WebhookChannel(url, config.NOTIFIER_ALERT_WEBHOOK_SECRET ?? null, config.NOTIFIER_WEBHOOK_TIMEOUT_MS);
      this.post = (alert) => webhook.post(alert.eventId, { type: `ops.${alert.kind}`, ...alert });
    }
  }

  async deliverBatch(events: ConsumedEvent<OpsAlert>[]): Promise<Outcome[]> {
    return Promise.all(events.map((event) => this.deliver(event.value)));
  }

  private async deliver(alert: OpsAlert): Promise<Outcome> {
    // Always in the logs, whatever the channel does: log-based alerting sees it too.
    this.logger.error({ msg: 'operator alert', kind: alert.kind, severity: alert.severity, source: alert.source, message: alert.message });
    if (!this.post) return processed();
    try {
      await this.post(alert);
      return processed();
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      return error.retryable ? retry(`alert: ${error.message}`) : deadLetter(`alert refused: ${error.message}`);
    }
  }
}

/** `auto` means Slack's format for a Slack incoming-webhook URL, JSON otherwise. */
export function alertFormat(config: Pick<NotifierEnv, 'NOTIFIER_ALERT_FORMAT' | 'NOTIFIER_ALERT_WEBHOOK_URL'>): 'slack' | 'webhook' {
  if (config.NOTIFIER_ALERT_FORMAT !== 'auto') return config.NOTIFIER_ALERT_FORMAT;
  return URL.canParse(config.NOTIFIER_ALERT_WEBHOOK_URL) && new URL(config.NOTIFIER_ALERT_WEBHOOK_URL).hostname === 'hooks.slack.com' ? 'slack' : 'webhook';
}
