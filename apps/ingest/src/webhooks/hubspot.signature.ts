import { createHmac, timingSafeEqual } from 'node:crypto';
import { checkWindow, requiredHeaders } from './standard-webhooks.signature';
import { WebhookRejection } from './webhook-rejection';

export const HUBSPOT_HEADERS = {
  signature: 'x-hubspot-signature-v3',
  timestamp: 'x-hubspot-request-timestamp',
} as const;

/**
 * The percent-encodings HubSpot's request-validation guide says to decode in the request URI
 * before signing; every other escape (`%20`, `%26`, ...) stays as it is.
 */
const DECODED_IN_URI: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The request URI as HubSpot signs it: the full URL it called, with the escapes above decoded. */
export function hubspotSignedUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => DECODED_IN_URI[escape.toUpperCase()]);
}

/**
 * HubSpot's v3 request signature: base64 HMAC-SHA256, keyed with the app's client secret, of
 * `method + uri + body + timestamp` (the `X-HubSpot-Request-Timestamp` text, milliseconds).
 */
export function signHubSpotV3(clientSecret: string, method: string, uri: string, body: Buffer | string, timestamp: string): string {
  return createHmac('sha256', clientSecret).update(`${method}${hubspotSignedUri(uri)}`).update(body).update(timestamp).digest('base64');
}

/**
 * Checks `X-HubSpot-Signature-v3` against each configured client secret (constant-time), then
 * that `X-HubSpot-Request-Timestamp` is within `toleranceSeconds` of `nowMs`. HubSpot itself
 * documents five minutes and only "older than"; a timestamp as far in the future is refused
 * too. The older `X-HubSpot-Signature` (v1/v2) carries no timestamp and is ignored.
 */
export function verifyHubSpotV3(options: {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  uri: string;
  rawBody: Buffer;
  clientSecrets: readonly string[];
  toleranceSeconds: number;
  nowMs: number;
}): void {
  const [signature, timestamp] = requiredHeaders(options.headers, [HUBSPOT_HEADERS.signature, HUBSPOT_HEADERS.timestamp]);
  if (!/^\d{1,16}$/.test(timestamp)) {
    throw WebhookRejection.invalidHeaders([{ field: HUBSPOT_HEADERS.timestamp, reason: 'must be a Unix time in milliseconds' }]);
  }

  const offered = Buffer.from(signature, 'base64');
  const matches = options.clientSecrets.some((secret) => {
    const expected = Buffer.from(signHubSpotV3(secret, options.method, options.uri, options.rawBody, timestamp), 'base64');
    return offered.length === expected.length && timingSafeEqual(offered, expected);
  });
  if (!matches) {
    throw WebhookRejection.badSignature(
      `${HUBSPOT_HEADERS.signature} does not match for any configured client secret (signed URI: ${hubspotSignedUri(options.uri)})`,
    );
  }
  checkWindow(Number(timestamp), options.nowMs, options.toleranceSeconds, HUBSPOT_HEADERS.timestamp);
}
