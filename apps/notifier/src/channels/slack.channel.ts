import type { LeadDelivery, NotificationChannel } from './channel';
import { postJson } from './post-json';
import { slackLeadMessage, SlackMessage } from './slack.message';

/**
 * A Slack incoming webhook. Slack has no idempotency key: a resend after a crash between the
 * POST and its record shows the message twice (see the notifier's README).
 */
export class SlackChannel implements NotificationChannel {
  readonly name = 'slack';

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  send(delivery: LeadDelivery): Promise<void> {
    return this.post(slackLeadMessage(delivery));
  }

  post(message: SlackMessage): Promise<void> {
    return postJson(this.url, JSON.stringify(message), {}, this.timeoutMs);
  }
}
