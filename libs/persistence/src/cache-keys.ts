/**
 * Names of the enricher's cache entries that other services must find too (erasure deletes a
 * person's): one place, so the writer and the eraser cannot drift apart.
 *
 * A person's answers live under `person:<identity key>`: `person:email:<e-mail>` holds what the
 * reverse lookup said (the profile's username), `person:linkedin:<slug>` the profile. Company
 * entries (`company:id:<handle>`, `company:domain:<domain>`) describe companies, not people.
 */
const PERSON_PREFIX = 'person:';

export function personCacheKey(identityKey: string): string {
  return `${PERSON_PREFIX}${identityKey}`;
}

/** The identity key a person entry is stored under, or null for any other key. */
export function identityOfPersonCacheKey(cacheKey: string): string | null {
  return cacheKey.startsWith(PERSON_PREFIX) ? cacheKey.slice(PERSON_PREFIX.length) : null;
}

/** `SCAN MATCH` pattern of every person entry (behind the connection's key prefix, which SCAN does not add). */
export const PERSON_CACHE_KEYS_PATTERN = `${PERSON_PREFIX}*`;

/** The short-lived claim a replica holds on a cache key while it buys the answer. */
export function cacheLockKey(cacheKey: string): string {
  return `lock:${cacheKey}`;
}
