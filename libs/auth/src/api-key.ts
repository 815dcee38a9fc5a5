import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
/**
 * What a key may do: `ingest` sends leads (single, batch, CSV), `read` reads leads, imports and
 * their live status, `admin` does everything, including refresh, erasure and dead letters.
 */
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

const PREFIX = 'lp_';
const KEY = /^lp_[A-Za-z0-9_-]{43}$/;

/** A new key: `lp_` and 32 random bytes (base64url). Shown once; only its hash is stored. */
export function generateApiKey(): string {
  return `${PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * SHA-256 of the key, hex. A key carries 256 random bits, so a fast hash is enough (no
 * password stretching): it cannot be guessed from the hash, and lookups stay cheap.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The first characters of a key, stored to tell keys apart in listings and logs. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, PREFIX.length + 6);
}

export function looksLikeApiKey(value: string): boolean {
  return KEY.test(value);
}

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`; undefined when neither is sent. */
export function apiKeyFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.trim()) return apiKey.trim();
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

export function grants(scopes: readonly ApiKeyScope[], required: ApiKeyScope): boolean {
  return scopes.includes('admin') || scopes.includes(required);
}
