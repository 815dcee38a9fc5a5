import { createServer, IncomingMessage, Server } from 'node:http';

export interface ReceivedWebhook {
  id: string;
  headers: IncomingMessage['headers'];
  body: { type: string; rule: string; lead: { id: string; score: number } };
}

/** A local HTTP endpoint that records every webhook the notifier sends. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server?: Server;
  url = '';
  /** Status to answer with; tests flip it to simulate an unhealthy receiver. */
  status = 200;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.status < 300) {
          this.received.push({
            id: String(req.headers['webhook-id'] ?? ''),
            headers: req.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedWebhook['body'],
          });
        }
        res.statusCode = this.status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}/hooks/leads`;
  }

  forLead(leadId: string): ReceivedWebhook[] {
    return this.received.filter((w) => w.body.lead.id === leadId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
