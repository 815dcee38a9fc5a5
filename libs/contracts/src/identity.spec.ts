import { canonicalLinkedinUrl, identityKeyOf, identityKeysOf, linkedinSlug, normaliseEmail } from './identity';

describe('linkedinSlug', () => {
  it.each([
    ['https://www.linkedin.com/in/Jane-Doe/', 'jane-doe'],
    ['www.linkedin.com/in/jane-doe', 'jane-doe'],
    ['linkedin.com/in/jane-doe/', 'jane-doe'],
    ['http://linkedin.com/in/x?trk=a#b', 'x'],
    ['https://de.linkedin.com/in/max-mustermann-4a1b2c/', 'max-mustermann-4a1b2c'],
    ['HTTPS://WWW.LINKEDIN.COM/IN/JANE/', 'jane'],
    ['https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa', 'josé-garcía'],
    ['https://www.linkedin.com/in/JOS%C3%89/', 'josé'],
    ['https://www.linkedin.com/in/łukasz-nowak/', 'łukasz-nowak'],
    ['https://www.linkedin.com/in/jane-doe/details/experience/', 'jane-doe'],
    ['https://www.linkedin.com/pub/jane-doe/12/345/678', 'jane-doe'],
    ['  https://www.linkedin.com/in/jane-doe/ \n', 'jane-doe'],
  ])('%j → %j', (url, slug) => {
    expect(linkedinSlug(url)).toBe(slug);
  });

  it.each([
    ['a company page', 'https://www.linkedin.com/company/acme/'],
    ['a school page', 'https://www.linkedin.com/school/mit/'],
    ['the feed', 'https://www.linkedin.com/feed/'],
    ['a look-alike host', 'https://linkedin.com.evil.io/in/jane-doe'],
    ['a host that only ends in the name', 'https://evillinkedin.com/in/jane-doe'],
    ['another host', 'https://twitter.com/in/jane-doe'],
    ['the URL in a query string', 'https://evil.io/?next=linkedin.com/in/jane-doe'],
    ['an empty slug', 'https://www.linkedin.com/in/'],
    ['a slug of only whitespace', 'https://www.linkedin.com/in/%20%20/'],
    ['malformed percent-encoding', 'https://www.linkedin.com/in/jos%C3-garcia'],
    ['a truncated escape', 'https://www.linkedin.com/in/jane%E0%A4%A'],
    ['not a URL', 'jane doe'],
    ['an empty string', ''],
  ])('is null for %s', (_case, url) => {
    expect(linkedinSlug(url)).toBeNull();
  });
});

describe('normaliseEmail', () => {
  it.each([
    ['jane@acme.com', 'jane@acme.com'],
    ['  Jane.Doe@ACME.com\t', 'jane.doe@acme.com'],
    ['JOSÉ@Acme.COM', 'josé@acme.com'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });
});

describe('identityKeyOf', () => {
  it.each([
    ['prefers the e-mail', { email: ' Jane@Acme.com ', linkedinUrl: 'https://www.linkedin.com/in/jane-doe/' }, 'email:jane@acme.com'],
    ['uses the e-mail alone', { email: 'jane@acme.com' }, 'email:jane@acme.com'],
    ['falls back to the LinkedIn slug', { linkedinUrl: 'https://www.linkedin.com/in/Jane-Doe/?trk=x' }, 'linkedin:jane-doe'],
    ['falls back when the e-mail is empty', { email: '', linkedinUrl: 'linkedin.com/in/jane-doe' }, 'linkedin:jane-doe'],
    ['falls back when the e-mail is blank', { email: '   ', linkedinUrl: 'linkedin.com/in/jane-doe' }, 'linkedin:jane-doe'],
    ['is null for a blank e-mail alone', { email: ' ' }, null],
    ['is null without either', {}, null],
    ['is null for a non-profile LinkedIn URL', { linkedinUrl: 'https://www.linkedin.com/company/acme/' }, null],
    ['is null for a LinkedIn URL on another host', { linkedinUrl: 'https://linkedin.com.evil.io/in/jane' }, null],
  ])('%s', (_case, lead: { email?: string; linkedinUrl?: string }, expected) => {
    expect(identityKeyOf(lead)).toBe(expected);
  });

  it('gives the same key to the same person typed differently', () => {
    const keys = ['https://www.linkedin.com/in/Jane-Doe/', 'linkedin.com/in/jane-doe', 'http://de.linkedin.com/in/JANE-DOE?trk=a#b'].map((linkedinUrl) =>
      identityKeyOf({ linkedinUrl }),
    );
    expect(new Set(keys)).toEqual(new Set(['linkedin:jane-doe']));
  });
});

describe('canonicalLinkedinUrl', () => {
  it('builds the www profile URL with an encoded slug', () => {
    expect(canonicalLinkedinUrl('jane-doe')).toBe('https://www.linkedin.com/in/jane-doe/');
    expect(canonicalLinkedinUrl('josé-garcía')).toBe('https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa/');
  });

  it.each(['jane-doe', 'josé-garcía', 'łukasz', '李明', 'jane doe', '100%-real', 'a/b', 'what?#now'])('round-trips %j through linkedinSlug', (slug) => {
    expect(linkedinSlug(canonicalLinkedinUrl(slug))).toBe(slug);
  });

  it('is a fixed point: a slug read from any URL canonicalises to the same URL again', () => {
    const once = canonicalLinkedinUrl(linkedinSlug('http://de.linkedin.com/in/Jos%C3%A9-Garc%C3%ADa?trk=a')!);
    expect(canonicalLinkedinUrl(linkedinSlug(once)!)).toBe(once);
    expect(once).toBe('https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa/');
  });
});

describe('identityKeysOf', () => {
  it.each([
    ['both identities, e-mail first', { email: ' Jane@Acme.com ', linkedinUrl: 'https://www.linkedin.com/in/Jane-Doe/?trk=x' }, ['email:jane@acme.com', 'linkedin:jane-doe']],
    ['the e-mail alone', { email: 'jane@acme.com' }, ['email:jane@acme.com']],
    ['the LinkedIn slug alone', { linkedinUrl: 'linkedin.com/in/jane-doe' }, ['linkedin:jane-doe']],
    ['nulls, as stored rows have them', { email: null, linkedinUrl: null }, []],
    ['a blank e-mail and a non-profile URL', { email: '  ', linkedinUrl: 'https://www.linkedin.com/company/acme/' }, []],
  ])('%s', (_case, lead, keys) => {
    expect(identityKeysOf(lead)).toEqual(keys);
  });

  it('always contains the identity key', () => {
    for (const lead of [{ email: 'A@b.io', linkedinUrl: 'linkedin.com/in/x' }, { linkedinUrl: 'linkedin.com/in/X' }]) {
      expect(identityKeysOf(lead)).toContain(identityKeyOf(lead));
    }
  });
});
