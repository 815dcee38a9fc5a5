import { Webhook } from 'standardwebhooks';
import type { LeadDelivery, NotificationChannel } from './channel';
import { postJson } from './post-json';

/**
 * Generic JSON webhook, signed per Standard Webhooks: `webhook-id`, `webhook-timestamp` (Unix
 * seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`). Every
 * attempt of one (lead, channel, rule) carries the same `webhook-id`, so a receiver can drop
 * the rare resend after a crash between send and record.
 */
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';
  private readonly signer: Webhook | null;

  /** Without a secret (an alert receiver may not want one) requests go unsigned. */
  constructor(
    private readonly url: string,
    secret: string | null,
    private readonly timeoutMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.signer = secret ? new Webhook(secret) : null;
  }

  async send(delivery: LeadDelivery): Promise<void> {
    const { lead } = delivery;
    await this.post(delivery.id, {
      type: 'lead.high_value',
      rule: delivery.rule,
      lead: {
        id: lead.leadId,
        status: 'enriched',
        score: lead.score,
        tier: lead.tier,
        fullName: lead.fullName,
        email: lead.email,
        title: lead.title,
        seniority: lead.seniority,
        companyName: lead.companyName,
        companyDomain: lead.companyDomain,
        industry: lead.industry,
        country: lead.country,
        linkedinUrl: lead.linkedinUrl,
        url: delivery.url,
      },
    });
  }

  /** POSTs `body` as JSON with the Standard Webhooks headers. */
  async post(id: string, body: Record<string, unknown>): Promise<void> {
    const payload = JSON.stringify(body);
    const timestamp = this.now();
    const headers: Record<string, string> = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    };
    if (this.signer) headers['webhook-signature'] = this.signer.sign(id, timestamp, payload);
    await postJson(this.url, payload, headers, this.timeoutMs);
  }
}
