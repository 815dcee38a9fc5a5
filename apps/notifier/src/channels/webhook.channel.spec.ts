import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { LeadDelivery } from './channel';
import { DeliveryError } from './post-json';
import { WebhookChannel } from './webhook.channel';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

const delivery: LeadDelivery = {
  id: '0d9f6a47-5b0e-5c1a-9b3e-8f2d1c0b9a77',
  rule: 'score-threshold',
  url: null,
  lead: {
    leadId: '7d0c1a52-4a0f-4d8e-9a51-2f1c9a0e6b11',
    score: 91,
    tier: 'A',
    fullName: 'Jane Doe',
    email: 'jane@acme.com',
    title: 'VP Sales',
    companyName: 'Acme',
    companyDomain: 'acme.com',
    country: 'DE',
    industry: null,
    seniority: 'vp',
    linkedinUrl: null,
  },
};

/** What the receiver got, and how it answers: a status and body, or `hold` (headers and body never come). */
interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
}
type Answer = { status: number; body?: string } | 'hold' | 'stall-body' | 'accept-then-stall';

/** A real HTTP receiver on a free port, so the requests go through undici as in production. */
class Receiver {
  readonly received: Received[] = [];
  answer: Answer = { status: 204 };
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.received.push({ url: req.url ?? '', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      const answer = this.answer;
      if (answer === 'hold') return;
      if (answer === 'stall-body' || answer === 'accept-then-stall') {
        res.writeHead(answer === 'stall-body' ? 503 : 200, { 'content-length': '100' });
        res.write('partial');
        return;
      }
      res.writeHead(answer.status).end(answer.body ?? '');
    });
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }
}

describe('WebhookChannel', () => {
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answer = { status: 204 };
  });

  const channel = (secret: string | null = SECRET, timeoutMs = 1_000) => new WebhookChannel(receiver.url, secret, timeoutMs);
  const sent = () => receiver.received[0];

  it('signs per Standard Webhooks: the reference library verifies what it sends', async () => {
    await channel().send(delivery);
    const { url, headers, body } = sent();
    expect(url).toBe('/hooks');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-id']).toBe(delivery.id);
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    const verified = new Webhook(SECRET).verify(body, headers) as { type: string; rule: string; lead: Record<string, unknown> };
    expect(verified).toMatchObject({ type: 'lead.high_value', rule: 'score-threshold', lead: { id: delivery.lead.leadId, score: 91, tier: 'A', status: 'enriched' } });
  });

  it('signs the exact bytes: a changed body fails verification', async () => {
    receiver.answer = { status: 200, body: 'ok' };
    await channel().send(delivery);
    const { headers, body } = sent();
    expect(() => new Webhook(SECRET).verify(body.replace('91', '19'), headers)).toThrow();
  });

  it('sends unsigned without a secret (an alert receiver may not want one)', async () => {
    receiver.answer = { status: 200 };
    await channel(null).post('id-1', { type: 'ops.breaker_open' });
    expect(sent().headers['webhook-signature']).toBeUndefined();
    expect(sent().body).toBe('{"type":"ops.breaker_open"}');
  });

  it.each([
    [500, true],
    [503, true],
    [408, true],
    [429, true],
    [301, false],
    [400, false],
    [401, false],
    [404, false],
    [410, false],
  ])('classifies %i as retryable=%s', async (status, retryable) => {
    receiver.answer = { status, body: ' no_service\n' };
    const error = await channel().send(delivery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable, message: `answered ${status} no_service` });
  });

  it('calls an unreachable receiver retryable', async () => {
    const closed = new Receiver();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    const error = await new WebhookChannel(url, SECRET, 1_000).send(delivery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: true, message: expect.stringMatching(/^unreachable: .*ECONNREFUSED/) as unknown });
  });

  it.each([
    ['no answer at all', 'hold' as const],
    ['an answer whose body stalls', 'stall-body' as const],
  ])('bounds the whole request by the timeout: %s', async (_case, answer) => {
    receiver.answer = answer;
    const started = Date.now();
    const error = await channel(SECRET, 200).send(delivery).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject(answer === 'hold' ? { retryable: true, message: 'unreachable: no answer within 200 ms' } : { retryable: true, message: 'answered 503' });
  });

  it('counts a 2xx as accepted even when its body then stalls past the timeout', async () => {
    receiver.answer = 'accept-then-stall';
    const started = Date.now();
    await expect(channel(SECRET, 200).send(delivery)).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(receiver.received).toHaveLength(1);
  });
});
