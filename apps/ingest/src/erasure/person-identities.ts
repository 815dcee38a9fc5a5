import { identityKeysOf, linkedinSlug } from '@leadpipe/contracts';

/** A stored lead as erasure reads it: its identities, and the profile the provider matched to it. */
export interface StoredLeadIdentities {
  identity_key: string;
  email: string | null;
  linkedin_url: string | null;
  /** `raw_person.username` of its enrichment: the profile the provider answered with. */
  matched_username: string | null;
  /** `person.linkedin_url` of its enrichment (the same profile, as stored after normalising). */
  matched_profile_url: string | null;
}

/**
 * Every identity a stored lead ties to its person: its key, its e-mail, its LinkedIn profile,
 * and the profile the provider matched (an e-mail-only lead is bought as that profile, which
 * the enricher caches under it).
 */
export function identitiesOfStoredLead(row: StoredLeadIdentities): string[] {
  const keys = new Set([row.identity_key, ...identityKeysOf({ email: row.email, linkedinUrl: row.linkedin_url })]);
  const matched = row.matched_username?.trim().toLowerCase() || (row.matched_profile_url ? linkedinSlug(row.matched_profile_url) : null);
  if (matched) keys.add(`linkedin:${matched}`);
  return [...keys];
}

/**
 * The profile identity a cached reverse lookup (the value under `person:email:<e-mail>`)
 * points to, if it found one: the enricher caches `{ found: true, data: { username } }`.
 */
export function profileOfCachedLookup(cached: string | null): string | null {
  if (!cached) return null;
  let value: unknown;
  try {
    value = JSON.parse(cached);
  } catch {
    return null;
  }
  const username = (value as { found?: unknown; data?: { username?: unknown } } | null)?.data?.username;
  const found = (value as { found?: unknown } | null)?.found === true;
  return found && typeof username === 'string' && username.trim() ? `linkedin:${username.trim().toLowerCase()}` : null;
}

/** The LinkedIn slugs among identity keys. */
export function slugsOf(identities: Iterable<string>): string[] {
  return [...identities].filter((identity) => identity.startsWith('linkedin:')).map((identity) => identity.slice('linkedin:'.length));
}

/**
 * Whether a stored lead belongs to the person with these identities: it is stored under one
 * of them, or names or was matched to one of their profiles. (Erasure's query finds candidates
 * by indexed approximations; this is the rule.)
 */
export function tiedToPerson(row: StoredLeadIdentities, identities: ReadonlySet<string>): boolean {
  if (identities.has(row.identity_key)) return true;
  return identitiesOfStoredLead(row).some((identity) => identity.startsWith('linkedin:') && identities.has(identity));
}
