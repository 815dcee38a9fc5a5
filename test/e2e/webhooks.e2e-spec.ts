import { Consumer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { signStandardWebhook } from '../../apps/ingest/src/webhooks/standard-webhooks.signature';
import { signHubSpotV3 } from '../../apps/ingest/src/webhooks/hubspot.signature';
import { ServiceProcess } from '../support/service-process';
import { TestEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

const KEY = randomBytes(32);
const HUBSPOT_SECRET = 'c0ffee00-1234-4bcd-9abc-0123456789ab';

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/**
 * The webhook routes of the running ingest process, on real PostgreSQL and Kafka: a
 * signed delivery becomes leads with their events; a wrong signature, an expired timestamp
 * and invalid input are refused with nothing written; a replayed or retried delivery is
 * answered with the leads it made the first time, never with new ones.
 */
describe('CRM webhooks', () => {
  const env = new TestEnv();
  let ingest: ServiceProcess;
  let consumer: Consumer;
  const published = new Set<string>();

  beforeAll(async () => {
    await env.setUp();
    ingest = await env.startService('ingest', {
        INGEST_OUTBOX_POLL_MS: '50',
        INGEST_WEBHOOK_SECRETS: `whsec_${KEY.toString('base64')}`,
        INGEST_HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
      });
    consumer = env.kafka.consumer({ groupId: `${env.namespace}.webhooks-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: env.topic('leadReceived'), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        published.add((JSON.parse(message.value!.toString()) as { leadId: string }).leadId);
      },
    });
  }, 240_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await ingest?.stop();
    await env.dispose();
  }, 120_000);

  /** POSTs `body` (a JSON text, sent byte for byte) to the generic route, signed unless `signature` is given. */
  async function postGeneric(
    body: string,
    options: { id?: string; timestamp?: number; key?: Buffer; signature?: string } = {},
  ): Promise<Answer & { id: string; timestamp: number }> {
    const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`;
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const res = await fetch(`${ingest.url}/api/webhooks/leads`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': options.signature ?? signStandardWebhook(options.key ?? KEY, id, timestamp, body),
      },
      body,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown>, id, timestamp };
  }

  async function postHubSpot(body: string, options: { secret?: string; timestamp?: number } = {}): Promise<Answer> {
    const url = `${ingest.url}/api/webhooks/hubspot`;
    const timestamp = String(options.timestamp ?? Date.now());
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hubspot-request-timestamp': timestamp,
        'x-hubspot-signature-v3': signHubSpotV3(options.secret ?? HUBSPOT_SECRET, 'POST', url, body, timestamp),
      },
      body,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  async function leadsWithEmail(...emails: string[]): Promise<Array<{ id: string; email: string; source: string; first_name: string | null }>> {
    return env.db.query(`SELECT id, email, source, first_name FROM leads WHERE email = ANY($1) ORDER BY email`, [emails]);
  }

  const idsOf = (answer: Answer) => (answer.json.leads as Array<{ id: string }>).map((l) => l.id);

  describe('the generic signed route', () => {
    it('accepts a signed delivery: 202, lead rows with source webhook, and their received events on the topic', async () => {
      const body = JSON.stringify([
        { email: 'ada@webhook-co.com', first_name: 'Ada' },
        { email: 'grace@webhook-co.com', company_domain: 'webhook-co.com' },
      ]);
      const answer = await postGeneric(body);
      expect(answer.status).toBe(202);
      expect(answer.json).toMatchObject({ delivery: 'accepted', webhook_id: answer.id, leads: [{ status: 'received' }, { status: 'received' }] });

      const rows = await leadsWithEmail('ada@webhook-co.com', 'grace@webhook-co.com');
      expect(rows.map((r) => [r.email, r.source])).toEqual([
        ['ada@webhook-co.com', 'webhook'],
        ['grace@webhook-co.com', 'webhook'],
      ]);
      expect(rows.map((r) => r.id).sort()).toEqual([...idsOf(answer)].sort());
      await waitFor(() => idsOf(answer).every((id) => published.has(id)), { timeoutMs: 60_000, what: 'both leads on leads.received' });
    });

    it('answers a replayed delivery, and a retry of it with a fresh timestamp, with the same leads and makes none', async () => {
      const body = JSON.stringify({ email: 'replay@webhook-co.com' });
      const first = await postGeneric(body);
      expect(first.status).toBe(202);

      // The captured request sent again as it was.
      const replay = await postGeneric(body, { id: first.id, timestamp: first.timestamp });
      expect(replay.status).toBe(200);
      expect(replay.json).toMatchObject({ delivery: 'replayed', leads: first.json.leads });

      // The sender retrying (same webhook-id, new timestamp and signature).
      const retry = await postGeneric(body, { id: first.id });
      expect(retry.status).toBe(200);
      expect(idsOf(retry)).toEqual(idsOf(first));

      // The same id with another body is not a retry.
      const conflict = await postGeneric(JSON.stringify({ email: 'other@webhook-co.com' }), { id: first.id });
      expect(conflict.status).toBe(409);

      expect(await leadsWithEmail('replay@webhook-co.com', 'other@webhook-co.com')).toHaveLength(1);
    });

    it('refuses a wrong signature with 401 and writes nothing', async () => {
      const body = JSON.stringify({ email: 'forged@webhook-co.com' });
      const wrongKey = await postGeneric(body, { key: randomBytes(32) });
      expect(wrongKey.status).toBe(401);
      expect(wrongKey.json.message).toMatch(/webhook-signature does not match/);
      const garbage = await postGeneric(body, { signature: 'v1,bm90IGEgc2lnbmF0dXJl' });
      expect(garbage.status).toBe(401);
      expect(await leadsWithEmail('forged@webhook-co.com')).toEqual([]);
    });

    it('refuses an expired timestamp with 401 and writes nothing, even when correctly signed', async () => {
      const answer = await postGeneric(JSON.stringify({ email: 'late@webhook-co.com' }), { timestamp: Math.floor(Date.now() / 1000) - 600 });
      expect(answer.status).toBe(401);
      expect(answer.json.message).toMatch(/^webhook-timestamp is 6\d\d s old/);
      expect(await leadsWithEmail('late@webhook-co.com')).toEqual([]);
    });

    it('refuses invalid leads with a 400 naming each field and index, and writes none of the delivery', async () => {
      const answer = await postGeneric(JSON.stringify([{ email: 'valid@webhook-co.com' }, { email: 'not-an-email', fax: '123' }]));
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({
        statusCode: 400,
        message: 'Validation failed',
        errors: [
          { field: '[1].email', reason: 'must be a valid e-mail address' },
          { field: '[1].fax', reason: 'unknown field' },
        ],
      });
      expect(await leadsWithEmail('valid@webhook-co.com')).toEqual([]);
    });

    it('names a missing header', async () => {
      const res = await fetch(`${ingest.url}/api/webhooks/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': 'msg_x', 'webhook-signature': 'v1,AAAA' },
        body: '{"email":"nobody@webhook-co.com"}',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errors: [{ field: 'webhook-timestamp', reason: 'is required' }] });
    });
  });

  describe('the HubSpot route', () => {
    const contact = JSON.stringify({
      vid: 4242,
      'canonical-vid': 4242,
      'portal-id': 62515,
      properties: {
        email: { value: 'lin@hubspot-co.com', versions: [] },
        firstname: { value: 'Lin', versions: [] },
        website: { value: 'https://hubspot-co.com', versions: [] },
      },
    });

    it('turns a signed workflow contact into a lead, and a replay of it into nothing new', async () => {
      const answer = await postHubSpot(contact);
      expect(answer.status).toBe(202);
      expect(answer.json).toMatchObject({ delivery: 'accepted', leads: [{ status: 'received', hubspot_contact: '4242' }], skipped: [] });
      const rows = await leadsWithEmail('lin@hubspot-co.com');
      expect(rows).toEqual([{ id: idsOf(answer)[0], email: 'lin@hubspot-co.com', source: 'webhook', first_name: 'Lin' }]);
      await waitFor(() => published.has(idsOf(answer)[0]), { timeoutMs: 60_000, what: 'the HubSpot lead on leads.received' });

      const retried = await postHubSpot(contact);
      expect(retried.status).toBe(200);
      expect(idsOf(retried)).toEqual(idsOf(answer));
      expect(await leadsWithEmail('lin@hubspot-co.com')).toHaveLength(1);
    });

    it('refuses a request not signed with the client secret, writing nothing', async () => {
      const body = contact.replace('lin@hubspot-co.com', 'mallory@hubspot-co.com');
      const answer = await postHubSpot(body, { secret: 'not-the-apps-client-secret' });
      expect(answer.status).toBe(401);
      expect(answer.json.message).toMatch(/x-hubspot-signature-v3 does not match/);
      expect(await leadsWithEmail('mallory@hubspot-co.com')).toEqual([]);
    });

    it('refuses an expired request', async () => {
      const body = contact.replace('lin@hubspot-co.com', 'old@hubspot-co.com');
      const answer = await postHubSpot(body, { timestamp: Date.now() - 6 * 60_000 });
      expect(answer.status).toBe(401);
      expect(await leadsWithEmail('old@hubspot-co.com')).toEqual([]);
    });
  });

  it('counts the deliveries by source and result', async () => {
    const text = await (await fetch(`${ingest.url}/metrics`)).text();
    const count = (source: string, result: string) =>
      Number(new RegExp(`leadpipe_ingest_webhook_deliveries_total\\{[^}]*source="${source}",result="${result}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(count('generic', 'accepted')).toBe(2);
    expect(count('generic', 'replayed')).toBe(2);
    expect(count('generic', 'conflict')).toBe(1);
    expect(count('generic', 'bad_signature')).toBe(2);
    expect(count('generic', 'expired')).toBe(1);
    expect(count('generic', 'invalid')).toBe(2);
    expect(count('hubspot', 'accepted')).toBe(1);
    expect(count('hubspot', 'replayed')).toBe(1);
    expect(count('hubspot', 'bad_signature')).toBe(1);
    expect(count('hubspot', 'expired')).toBe(1);
  });
});
