import { hubspotSignedUri, signHubSpotV3, verifyHubSpotV3 } from './hubspot.signature';
import { WebhookRejection } from './webhook-rejection';

/** Known answers from HubSpot's own SDK test suites (Python and Ruby). */
const SDK = {
  secret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
  uri: 'https://www.example.com/webhook_uri',
  body: "{'example_field':'example_value'}",
};

const SECRET = 'f2a1c3d4-0000-4bcd-9abc-0123456789ab';
const URI = 'https://leads.example.com/api/webhooks/hubspot';
const BODY = Buffer.from('{"vid":101,"properties":{"email":{"value":"jane@acme.com"}}}');
const NOW_MS = 1_750_000_000_000;

function signed(overrides: { secret?: string; method?: string; uri?: string; body?: Buffer; timestamp?: string } = {}) {
  const timestamp = overrides.timestamp ?? String(NOW_MS);
  return {
    'x-hubspot-request-timestamp': timestamp,
    'x-hubspot-signature-v3': signHubSpotV3(overrides.secret ?? SECRET, overrides.method ?? 'POST', overrides.uri ?? URI, overrides.body ?? BODY, timestamp),
  };
}

function verify(headers: Record<string, string | undefined>, options: { uri?: string; body?: Buffer; nowMs?: number; secrets?: string[] } = {}) {
  verifyHubSpotV3({
    headers,
    method: 'POST',
    uri: options.uri ?? URI,
    rawBody: options.body ?? BODY,
    clientSecrets: options.secrets ?? [SECRET],
    toleranceSeconds: 300,
    nowMs: options.nowMs ?? NOW_MS,
  });
}

function resultOf(run: () => void): string {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookRejection) return error.result;
    throw error;
  }
  return 'accepted';
}

describe('HubSpot v3 signatures', () => {
  it.each([
    ['1693657560000', 'K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y='],
    ['1700000300000', 'RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw='],
  ])('signs as the HubSpot SDKs do (timestamp %s)', (timestamp, expected) => {
    expect(signHubSpotV3(SDK.secret, 'POST', SDK.uri, SDK.body, timestamp)).toBe(expected);
  });

  it('decodes only the escapes HubSpot lists in the request URI', () => {
    expect(hubspotSignedUri('https://x.io/hook?src=hs%3Aapp%2Fv3&x=%28a%29&y=a%20b%26c%3dd')).toBe('https://x.io/hook?src=hs:app/v3&x=(a)&y=a%20b%26c%3dd');
  });

  it('accepts a request signed with the client secret, within five minutes either way', () => {
    expect(resultOf(() => verify(signed()))).toBe('accepted');
    expect(resultOf(() => verify(signed(), { nowMs: NOW_MS + 300_000 }))).toBe('accepted');
    expect(resultOf(() => verify(signed(), { nowMs: NOW_MS - 300_000 }))).toBe('accepted');
  });

  it('accepts the old client secret while both are configured (rotation)', () => {
    expect(resultOf(() => verify(signed({ secret: 'the-old-client-secret-0000' }), { secrets: [SECRET, 'the-old-client-secret-0000'] }))).toBe('accepted');
  });

  it('accepts a URI HubSpot signed with percent-escapes decoded', () => {
    const uri = 'https://leads.example.com/api/webhooks/hubspot?tenant=a%3Ab';
    expect(resultOf(() => verify(signed({ uri: 'https://leads.example.com/api/webhooks/hubspot?tenant=a:b' }), { uri }))).toBe('accepted');
  });

  it.each([
    ['a tampered body', () => verify(signed(), { body: Buffer.from('{"vid":101,"properties":{"email":{"value":"mallory@evil.io"}}}') })],
    ['another client secret', () => verify(signed({ secret: 'not-the-apps-client-secret' }))],
    ['another method', () => verify(signed({ method: 'PUT' }))],
    ['http where HubSpot called https', () => verify(signed(), { uri: 'http://leads.example.com/api/webhooks/hubspot' })],
    ['a trailing slash', () => verify(signed(), { uri: `${URI}/` })],
    ['a changed timestamp', () => verify({ ...signed(), 'x-hubspot-request-timestamp': String(NOW_MS + 1) })],
  ])('refuses %s as bad_signature', (_case, run) => {
    expect(resultOf(run)).toBe('bad_signature');
  });

  it.each([
    ['older than five minutes', NOW_MS + 300_001],
    ['more than five minutes ahead', NOW_MS - 300_001],
  ])('refuses an authentic request %s as expired', (_case, nowMs) => {
    expect(resultOf(() => verify(signed(), { nowMs }))).toBe('expired');
  });

  it('names the missing headers, and refuses a timestamp that is not milliseconds', () => {
    let rejection: WebhookRejection | undefined;
    try {
      verify({});
    } catch (error) {
      rejection = error as WebhookRejection;
    }
    expect(rejection?.getStatus()).toBe(400);
    expect((rejection?.getResponse() as { errors: unknown }).errors).toEqual([
      { field: 'x-hubspot-signature-v3', reason: 'is required' },
      { field: 'x-hubspot-request-timestamp', reason: 'is required' },
    ]);
    expect(resultOf(() => verify({ ...signed(), 'x-hubspot-request-timestamp': 'yesterday' }))).toBe('invalid');
  });
});
