import { signStandardWebhook, verifyStandardWebhook } from './standard-webhooks.signature';
import { WebhookRejection } from './webhook-rejection';

/** The example of the Standard Webhooks reference libraries (and Svix's), so our HMAC is theirs. */
const REFERENCE = {
  key: Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'),
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const KEY = Buffer.from('a-test-secret-of-at-least-24-bytes');
const OLD_KEY = Buffer.from('the-previous-secret-still-rotating-out');
const NOW_MS = 1_750_000_000_000;
const NOW = NOW_MS / 1000;
const BODY = Buffer.from('{"email":"jane@acme.com"}');

function headers(overrides: Record<string, string | undefined> = {}, key = KEY, body: Buffer | string = BODY) {
  const id = overrides['webhook-id'] ?? 'msg_1';
  const timestamp = overrides['webhook-timestamp'] ?? String(NOW);
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signStandardWebhook(key, id, timestamp, body), ...overrides };
}

function verify(h: Record<string, string | undefined>, options: { body?: Buffer; keys?: Buffer[]; nowMs?: number } = {}) {
  return verifyStandardWebhook({ headers: h, rawBody: options.body ?? BODY, keys: options.keys ?? [KEY], toleranceSeconds: 300, nowMs: options.nowMs ?? NOW_MS });
}

function rejectionOf(run: () => unknown): { result: string; status: number; body: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof WebhookRejection)) throw error;
    return { result: error.result, status: error.getStatus(), body: error.getResponse() as Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

describe('Standard Webhooks signatures', () => {
  it('signs as the reference libraries do', () => {
    expect(signStandardWebhook(REFERENCE.key, REFERENCE.id, REFERENCE.timestamp, REFERENCE.body)).toBe(REFERENCE.signature);
  });

  it('verifies the reference example at its own time', () => {
    const verified = verifyStandardWebhook({
      headers: { 'webhook-id': REFERENCE.id, 'webhook-timestamp': String(REFERENCE.timestamp), 'webhook-signature': REFERENCE.signature },
      rawBody: Buffer.from(REFERENCE.body),
      keys: [REFERENCE.key],
      toleranceSeconds: 300,
      nowMs: REFERENCE.timestamp * 1000 + 10_000,
    });
    expect(verified).toEqual({ id: REFERENCE.id, timestamp: REFERENCE.timestamp });
  });

  describe('accepts', () => {
    it('a delivery signed with the current secret', () => {
      expect(verify(headers())).toEqual({ id: 'msg_1', timestamp: NOW });
    });

    it('a delivery signed with a secret still listed while rotating', () => {
      expect(verify(headers({}, OLD_KEY), { keys: [KEY, OLD_KEY] }).id).toBe('msg_1');
    });

    it('a header with several signatures of which one matches (the sender rotating)', () => {
      const h = headers();
      const stale = signStandardWebhook(OLD_KEY, 'msg_1', NOW, BODY);
      expect(verify({ ...h, 'webhook-signature': `${stale} v1a,ZWQyNTUxOQ== ${h['webhook-signature']}` }).id).toBe('msg_1');
    });

    it.each([
      ['299 s old', NOW_MS + 299_000],
      ['299 s early', NOW_MS - 299_000],
      ['exactly at the edge', NOW_MS + 300_000],
    ])('a timestamp %s', (_case, nowMs) => {
      expect(verify(headers(), { nowMs }).id).toBe('msg_1');
    });
  });

  describe('refuses as bad_signature (401)', () => {
    it.each([
      ['a tampered body', () => verify(headers(), { body: Buffer.from('{"email":"mallory@evil.io"}') })],
      ['another secret', () => verify(headers({}, Buffer.from('somebody-elses-secret-of-24-bytes')))],
      ['a changed id (the replay check cannot be dodged)', () => verify({ ...headers(), 'webhook-id': 'msg_2' })],
      ['a changed timestamp', () => verify({ ...headers(), 'webhook-timestamp': String(NOW + 1) })],
      ['a signature that is not base64 of an HMAC', () => verify({ ...headers(), 'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl' })],
    ])('%s', (_case, run) => {
      expect(rejectionOf(run)).toMatchObject({ result: 'bad_signature', status: 401 });
    });

    it('a header without any v1 signature, saying so', () => {
      const rejection = rejectionOf(() => verify({ ...headers(), 'webhook-signature': 'v1a,ZWQyNTUxOQ==' }));
      expect(rejection).toMatchObject({ result: 'bad_signature', status: 401 });
      expect(rejection.body.message).toMatch(/no v1 signature/);
    });

    it('checks the signature before the time, so an old forgery is a bad signature, not an expired one', () => {
      expect(rejectionOf(() => verify({ ...headers(), 'webhook-signature': 'v1,AAAA' }, { nowMs: NOW_MS + 3_600_000 })).result).toBe('bad_signature');
    });
  });

  describe('refuses as expired (401)', () => {
    it('an authentic delivery older than the window', () => {
      const rejection = rejectionOf(() => verify(headers(), { nowMs: NOW_MS + 301_000 }));
      expect(rejection).toMatchObject({ result: 'expired', status: 401 });
      expect(rejection.body.message).toBe('webhook-timestamp is 301 s old; deliveries are accepted within 300 s of their timestamp');
    });

    it('an authentic delivery from too far in the future', () => {
      const rejection = rejectionOf(() => verify(headers(), { nowMs: NOW_MS - 400_000 }));
      expect(rejection).toMatchObject({ result: 'expired', status: 401 });
      expect(rejection.body.message).toMatch(/400 s in the future/);
    });

    it('a timestamp in milliseconds (a common sender mistake) as far in the future', () => {
      const h = headers({ 'webhook-timestamp': String(NOW_MS) });
      expect(rejectionOf(() => verify(h)).result).toBe('expired');
    });
  });

  describe('refuses as invalid (400), naming each header', () => {
    it('missing headers, all of them at once', () => {
      const rejection = rejectionOf(() => verify({ 'webhook-signature': 'v1,AAAA' }));
      expect(rejection).toMatchObject({ result: 'invalid', status: 400 });
      expect(rejection.body.errors).toEqual([
        { field: 'webhook-id', reason: 'is required' },
        { field: 'webhook-timestamp', reason: 'is required' },
      ]);
    });

    it('a timestamp that is not whole seconds and an id with spaces', () => {
      const rejection = rejectionOf(() => verify({ ...headers(), 'webhook-id': 'msg 1', 'webhook-timestamp': '2025-06-15T00:00:00Z' }));
      expect(rejection.body.errors).toEqual([
        { field: 'webhook-id', reason: 'must be 1 to 256 printable ASCII characters' },
        { field: 'webhook-timestamp', reason: 'must be a Unix time in whole seconds' },
      ]);
    });
  });
});
