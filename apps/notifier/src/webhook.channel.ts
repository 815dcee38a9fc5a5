import { LeadValidated } from '@leadpipe/contracts';

export class WebhookSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * Generic JSON webhook. Every delivery of one (lead, channel, rule) carries the same
 * `webhook-id`, so a receiver can drop the rare resend after a crash between send and record.
 */
export class WebhookChannel {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async send(deliveryId: string, rule: string, lead: LeadValidated): Promise<void> {
    await this.post(deliveryId, {
      type: 'lead.high_value',
      rule,
      lead: { id: lead.leadId, score: lead.score, status: lead.status, ...lead.summary },
    });
  }

  /** POSTs a JSON body; throws WebhookSendError saying whether trying again can help. */
  async post(deliveryId: string, body: Record<string, unknown>): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': deliveryId,
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new WebhookSendError(`webhook unreachable: ${error instanceof Error ? error.message : String(error)}`, true);
    }
    await response.body?.cancel();
    if (response.ok) return;
    // 4xx other than 408/429 will not get better by sending again.
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new WebhookSendError(`webhook answered ${response.status}`, retryable);
  }
}
