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

describe('WebhookChannel', () => {
  let fetchMock: jest.SpyInstance;
  afterEach(() => fetchMock.mockRestore());

  const answer = (status: number, body = '') => {
    fetchMock = jest.spyOn(global, 'fetch').mockResolvedValue(new Response(body || null, { status }));
  };
  const sent = () => {
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    return { url, headers: init.headers as Record<string, string>, body: init.body as string };
  };

  it('signs per Standard Webhooks: the reference library verifies what it sends', async () => {
    answer(204);
    await new WebhookChannel('http://receiver.test/hooks', SECRET, 1_000).send(delivery);
    const { url, headers, body } = sent();
    expect(url).toBe('http://receiver.test/hooks');
    expect(headers['webhook-id']).toBe(delivery.id);
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    const verified = new Webhook(SECRET).verify(body, headers) as { type: string; rule: string; lead: Record<string, unknown> };
    expect(verified).toMatchObject({ type: 'lead.high_value', rule: 'score-threshold', lead: { id: delivery.lead.leadId, score: 91, tier: 'A', status: 'enriched' } });
  });

  it('signs the exact bytes: a changed body fails verification', async () => {
    answer(200);
    await new WebhookChannel('http://receiver.test/hooks', SECRET, 1_000).send(delivery);
    const { headers, body } = sent();
    expect(() => new Webhook(SECRET).verify(body.replace('91', '19'), headers)).toThrow();
  });

  it('sends unsigned without a secret (an alert receiver may not want one)', async () => {
    answer(200);
    await new WebhookChannel('http://receiver.test/hooks', null, 1_000).post('id-1', { type: 'ops.breaker_open' });
    expect(sent().headers['webhook-signature']).toBeUndefined();
  });

  it.each([
    [500, true],
    [503, true],
    [408, true],
    [429, true],
    [400, false],
    [401, false],
    [404, false],
    [410, false],
  ])('classifies %i as retryable=%s', async (status, retryable) => {
    answer(status, 'no_service');
    const error = await new WebhookChannel('http://receiver.test/hooks', SECRET, 1_000).send(delivery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable, message: `answered ${status} no_service` });
  });

  it('calls an unreachable receiver retryable', async () => {
    fetchMock = jest.spyOn(global, 'fetch').mockRejectedValue(new TypeError('fetch failed'));
    await expect(new WebhookChannel('http://receiver.test/hooks', SECRET, 1_000).send(delivery)).rejects.toMatchObject({
      retryable: true,
      message: 'unreachable: fetch failed',
    });
  });
});
