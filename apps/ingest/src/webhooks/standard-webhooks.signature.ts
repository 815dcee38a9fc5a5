import { createHmac, timingSafeEqual } from 'node:crypto';
import { FieldError } from '../create-lead.dto';
import { WebhookRejection } from './webhook-rejection';

/** The headers of a Standard Webhooks delivery (https://www.standardwebhooks.com/), lower-cased as Node gives them. */
export const STANDARD_WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** A delivery whose signature and timestamp checked out. */
export interface VerifiedStandardWebhook {
  id: string;
  timestamp: number;
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, the signature a sender puts in `webhook-signature`. */
export function signStandardWebhook(key: Buffer, id: string, timestamp: number | string, body: Buffer | string): string {
  return `v1,${hmac(key, id, String(timestamp), body).toString('base64')}`;
}

/**
 * Checks a Standard Webhooks delivery: the three headers are present and well formed, one of
 * the `v1` signatures in `webhook-signature` matches one of `keys` (several while a secret is
 * rotated, on either side), and the timestamp is within `toleranceSeconds` of `nowMs`, in the
 * past or the future. The signature covers the id and the timestamp too, so neither can be
 * changed to dodge the replay check. Throws a {@link WebhookRejection} saying what failed.
 */
export function verifyStandardWebhook(options: {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  keys: readonly Buffer[];
  toleranceSeconds: number;
  nowMs: number;
}): VerifiedStandardWebhook {
  const [id, timestampText, signatureHeader] = requiredHeaders(options.headers, [
    STANDARD_WEBHOOK_HEADERS.id,
    STANDARD_WEBHOOK_HEADERS.timestamp,
    STANDARD_WEBHOOK_HEADERS.signature,
  ]);
  const headerErrors: FieldError[] = [];
  if (!/^[\x21-\x7e]{1,256}$/.test(id)) {
    headerErrors.push({ field: STANDARD_WEBHOOK_HEADERS.id, reason: 'must be 1 to 256 printable ASCII characters' });
  }
  if (!/^\d{1,15}$/.test(timestampText)) {
    headerErrors.push({ field: STANDARD_WEBHOOK_HEADERS.timestamp, reason: 'must be a Unix time in whole seconds' });
  }
  if (headerErrors.length > 0) throw WebhookRejection.invalidHeaders(headerErrors);

  // Space-separated `version,signature` pairs; versions other than v1 (v1a: ed25519) are not ours.
  const offered = signatureHeader
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  if (offered.length === 0) {
    throw WebhookRejection.badSignature(`${STANDARD_WEBHOOK_HEADERS.signature} has no v1 signature (expected "v1,<base64>")`);
  }
  const matches = options.keys.some((key) => {
    const expected = hmac(key, id, timestampText, options.rawBody);
    return offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  });
  if (!matches) {
    throw WebhookRejection.badSignature(`${STANDARD_WEBHOOK_HEADERS.signature} does not match the body, id and timestamp for any configured secret`);
  }

  const timestamp = Number(timestampText);
  checkWindow(timestamp * 1000, options.nowMs, options.toleranceSeconds, STANDARD_WEBHOOK_HEADERS.timestamp);
  return { id, timestamp };
}

/** Refuses a signed time more than `toleranceSeconds` away from `nowMs`, naming the header. */
export function checkWindow(signedAtMs: number, nowMs: number, toleranceSeconds: number, header: string): void {
  const skewSeconds = Math.round((nowMs - signedAtMs) / 1000);
  if (Math.abs(nowMs - signedAtMs) <= toleranceSeconds * 1000) return;
  throw WebhookRejection.expired(
    skewSeconds > 0
      ? `${header} is ${skewSeconds} s old; deliveries are accepted within ${toleranceSeconds} s of their timestamp`
      : `${header} is ${-skewSeconds} s in the future; deliveries are accepted within ${toleranceSeconds} s of their timestamp`,
  );
}

function hmac(key: Buffer, id: string, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The values of `names`, in order; a 400 naming every one that is absent or empty. */
export function requiredHeaders(headers: Record<string, string | string[] | undefined>, names: readonly string[]): string[] {
  const values = names.map((name) => headers[name]);
  const missing = names.filter((_name, i) => typeof values[i] !== 'string' || values[i] === '');
  if (missing.length > 0) throw WebhookRejection.invalidHeaders(missing.map((field) => ({ field, reason: 'is required' })));
  return values as string[];
}
