/**
 * Lead identity: the Kafka key of every event of a lead and the enricher's cache key.
 * A normalised work e-mail when there is one, else the LinkedIn profile slug URL.
 */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Reduces a LinkedIn profile URL to its slug: `linkedin.com/in/<slug>/`, lower-cased,
 * query and fragment dropped, URL-decoded. Returns null when the URL is not a profile URL.
 */
export function linkedinSlug(url: string): string | null {
  let candidate = url.trim();
  if (!/^[a-z]+:\/\//i.test(candidate)) candidate = `https://${candidate}`;
  let parsed: URL;
  try {
    parsed = new URL(candidate);
  } catch {
    return null;
  }
  if (!/(^|\.)linkedin\.com$/i.test(parsed.hostname)) return null;
  const match = /^\/(?:in|pub)\/([^/]+)/i.exec(parsed.pathname);
  if (!match) return null;
  let slug: string;
  try {
    slug = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  slug = slug.trim().toLowerCase();
  return slug.length > 0 ? slug : null;
}

export function canonicalLinkedinUrl(slug: string): string {
  return `https://www.linkedin.com/in/${encodeURIComponent(slug)}/`;
}

export function identityKeyOf(lead: { email?: string; linkedinUrl?: string }): string | null {
  const email = lead.email ? normaliseEmail(lead.email) : '';
  if (email) return `email:${email}`;
  if (lead.linkedinUrl) {
    const slug = linkedinSlug(lead.linkedinUrl);
    return slug ? `linkedin:${slug}` : null;
  }
  return null;
}

/**
 * Every identity a lead names: its e-mail key and its LinkedIn key, each when present. A
 * person is suppressed (erased at their request) by identity, and a lead is suppressed when
 * any of its identities is, whichever of them is its Kafka key.
 */
export function identityKeysOf(lead: { email?: string | null; linkedinUrl?: string | null }): string[] {
  const keys: string[] = [];
  const email = lead.email ? normaliseEmail(lead.email) : '';
  if (email) keys.push(`email:${email}`);
  const slug = lead.linkedinUrl ? linkedinSlug(lead.linkedinUrl) : null;
  if (slug) keys.push(`linkedin:${slug}`);
  return keys;
}
