import { canonicalLinkedinUrl, linkedinSlug } from '@leadpipe/contracts';
import { cleanText } from './text';

/**
 * A LinkedIn profile URL in its one canonical form, `https://www.linkedin.com/in/<slug>/`
 * (the slug lower-cased, URL-decoded then encoded once; country subdomains, `/pub/`, query and
 * fragment dropped), as the lead's identity key reads it. Null when it is not a profile URL.
 */
export function normaliseLinkedinProfileUrl(input: unknown): string | null {
  const text = cleanText(input);
  const slug = text === null ? null : linkedinSlug(text);
  return slug === null ? null : canonicalLinkedinUrl(slug);
}

/** The canonical profile URL for a Netrows `username` (the slug itself). */
export function linkedinUrlOfUsername(username: unknown): string | null {
  const text = cleanText(username);
  if (text === null) return null;
  return normaliseLinkedinProfileUrl(`https://www.linkedin.com/in/${encodeURIComponent(text)}/`);
}

/**
 * A LinkedIn company page in its canonical form, `https://www.linkedin.com/company/<handle>/`
 * (also from `/school/` and `/showcase/` pages, which LinkedIn serves for companies too).
 * Null when it is not a LinkedIn company page.
 */
export function normaliseLinkedinCompanyUrl(input: unknown): string | null {
  let text = cleanText(input);
  if (text === null) return null;
  if (!/^[a-z]+:\/\//i.test(text)) text = `https://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (!/(^|\.)linkedin\.com$/i.test(url.hostname)) return null;
  const match = /^\/(company|school|showcase)\/([^/]+)/i.exec(url.pathname);
  if (!match) return null;
  let handle: string;
  try {
    handle = decodeURIComponent(match[2]).trim().toLowerCase();
  } catch {
    return null;
  }
  return handle === '' ? null : `https://www.linkedin.com/${match[1].toLowerCase()}/${encodeURIComponent(handle)}/`;
}
