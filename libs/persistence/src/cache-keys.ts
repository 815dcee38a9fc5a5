/**
 * Names of the enricher's cache entries that other services must find too (erasure deletes a
 * person's): one place, so the writer and the eraser cannot drift apart.
 *
 * A person's answers live under `person:<identity key>`: `person:email:<e-mail>` holds what the
 * reverse lookup said (the profile's username), `person:linkedin:<slug>` the profile. Company
 * entries (`company:id:<handle>`, `company:domain:<domain>`) describe companies, not people.
 */
export function personCacheKey(identityKey: string): string {
  return `person:${identityKey}`;
}

/** The short-lived claim a replica holds on a cache key while it buys the answer. */
export function cacheLockKey(cacheKey: string): string {
  return `lock:${cacheKey}`;
}
