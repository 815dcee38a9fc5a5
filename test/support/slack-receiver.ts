import { createServer, Server } from 'node:http';

export interface SlackPost {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

/**
 * A stand-in for a Slack incoming webhook: records every message posted to it (answering 200
 * `ok`, as Slack does) and, like Slack, has no idea of delivery ids: a resend is a second message.
 */
export class SlackReceiver {
  readonly received: SlackPost[] = [];
  private server?: Server;
  url = '';
  status = 200;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const ok = this.status < 300;
        if (ok) this.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SlackPost);
        res.statusCode = this.status;
        res.setHeader('content-type', 'text/plain');
        res.end(ok ? 'ok' : 'invalid_payload');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}/services/T0000/B0000/fake`;
  }

  /** Messages whose text (blocks included) mentions `needle`, e.g. a lead id in its link. */
  mentioning(needle: string): SlackPost[] {
    return this.received.filter((post) => JSON.stringify(post).includes(needle));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
