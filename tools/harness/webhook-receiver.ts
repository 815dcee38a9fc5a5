import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';

/** A planned answer: take the request in and never answer it. */
export const HOLD = 0;

export interface ReceivedWebhook {
  id: string;
  headers: IncomingMessage['headers'];
  body: { type: string; rule: string; lead: { id: string; score: number; tier?: string | null; url?: string | null } };
}

/** A request whose Standard Webhooks signature did not verify (answered 401, never recorded as received). */
export interface RejectedWebhook {
  headers: IncomingMessage['headers'];
  reason: string;
}

/**
 * A local HTTP endpoint that records every webhook the notifier sends, after verifying its
 * Standard Webhooks signature with the reference library (`Webhook.verify`: HMAC over id,
 * timestamp and raw body, timestamp within five minutes). A request that fails verification is
 * answered 401 and kept in `rejected`, so a test can assert it is empty.
 */
export class WebhookReceiver {
  /** Requests it accepted (2xx), in arrival order; a redelivery shows up twice. */
  readonly received: ReceivedWebhook[] = [];
  readonly rejected: RejectedWebhook[] = [];
  /** Every verified request with the status it got, accepted or not. */
  readonly attempts: Array<{ id: string; leadId: string | null; status: number }> = [];
  /** The signing secret the notifier must be given (NOTIFIER_WEBHOOK_SECRET). */
  readonly secret = `whsec_${randomBytes(32).toString('base64')}`;
  private readonly verifier = new Webhook(this.secret);

  /** `signed: false` accepts unsigned requests too (an alert receiver given no secret). */
  constructor(private readonly options: { signed?: boolean } = {}) {}
  /**
   * Answers planned per lead id, used one per request, before falling back to `status`. `HOLD`
   * takes the request in (it counts as received) and never answers: the sender cannot know it
   * arrived, as when it is killed between sending and recording.
   */
  private readonly plans = new Map<string, number[]>();
  private server?: Server;
  private readonly held = new Set<ServerResponse>();
  url = '';
  /** Status to answer with; tests flip it to simulate an unhealthy receiver. */
  status = 200;

  /** The next requests about `leadId` get these statuses, in order (e.g. [500, 200]). */
  plan(leadId: string, statuses: number[]): void {
    this.plans.set(leadId, [...statuses]);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: ReceivedWebhook['body'];
        try {
          const unsigned = this.options.signed === false && !req.headers['webhook-signature'];
          body = (unsigned ? JSON.parse(raw) : this.verifier.verify(raw, headerStrings(req.headers))) as ReceivedWebhook['body'];
        } catch (error) {
          this.rejected.push({ headers: req.headers, reason: error instanceof Error ? error.message : String(error) });
          res.statusCode = 401;
          res.end();
          return;
        }
        const id = String(req.headers['webhook-id'] ?? '');
        const leadId = body.lead?.id ?? null;
        const status = (leadId !== null ? this.plans.get(leadId)?.shift() : undefined) ?? this.status;
        this.attempts.push({ id, leadId, status });
        if (status < 300) this.received.push({ id, headers: req.headers, body });
        if (status === HOLD) {
          this.held.add(res);
          res.on('close', () => this.held.delete(res));
          return;
        }
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}/hooks/leads`;
  }

  forLead(leadId: string): ReceivedWebhook[] {
    return this.received.filter((w) => w.body.lead?.id === leadId);
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function headerStrings(headers: IncomingMessage['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : [])));
}
