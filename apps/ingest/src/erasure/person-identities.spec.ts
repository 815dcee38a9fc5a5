import { identitiesOfStoredLead, profileOfCachedLookup, slugsOf, StoredLeadIdentities, tiedToPerson } from './person-identities';

const row = (overrides: Partial<StoredLeadIdentities> = {}): StoredLeadIdentities => ({
  identity_key: 'email:jane@acme.com',
  email: 'Jane@Acme.com',
  linkedin_url: null,
  matched_username: null,
  matched_profile_url: null,
  ...overrides,
});

describe('identitiesOfStoredLead', () => {
  it.each([
    ['an e-mail-only lead not enriched yet', row(), ['email:jane@acme.com']],
    [
      'an e-mail and a LinkedIn URL, as given',
      row({ linkedin_url: 'https://www.linkedin.com/in/Jane-Doe/?trk=x' }),
      ['email:jane@acme.com', 'linkedin:jane-doe'],
    ],
    [
      'the profile the provider matched to an e-mail',
      row({ matched_username: 'Jane-Doe-Acme-1a2b', matched_profile_url: 'https://www.linkedin.com/in/jane-doe-acme-1a2b/' }),
      ['email:jane@acme.com', 'linkedin:jane-doe-acme-1a2b'],
    ],
    [
      'the normalised profile URL when the raw answer had no username',
      row({ matched_profile_url: 'https://www.linkedin.com/in/jane-doe-acme-1a2b/' }),
      ['email:jane@acme.com', 'linkedin:jane-doe-acme-1a2b'],
    ],
    [
      'a LinkedIn-only lead, its profile once',
      row({ identity_key: 'linkedin:jane-doe', email: null, linkedin_url: 'linkedin.com/in/jane-doe', matched_username: 'jane-doe' }),
      ['linkedin:jane-doe'],
    ],
    [
      'a stored key that the inputs would no longer give (kept: it is what the pipeline used)',
      row({ identity_key: 'email:old@acme.com', email: 'jane@acme.com' }),
      ['email:old@acme.com', 'email:jane@acme.com'],
    ],
  ])('%s', (_case, input, keys) => {
    expect(identitiesOfStoredLead(input)).toEqual(keys);
  });
});

describe('profileOfCachedLookup', () => {
  it.each([
    ['a found lookup', JSON.stringify({ found: true, data: { username: 'Jane-Doe' } }), 'linkedin:jane-doe'],
    ['a remembered miss', JSON.stringify({ found: false }), null],
    ['no entry', null, null],
    ['an entry that is not JSON', 'not json', null],
    ['JSON null', 'null', null],
    ['a blank username', JSON.stringify({ found: true, data: { username: ' ' } }), null],
    ['a username that is not text', JSON.stringify({ found: true, data: { username: 42 } }), null],
  ])('%s', (_case, cached, identity) => {
    expect(profileOfCachedLookup(cached)).toBe(identity);
  });
});

describe('tiedToPerson', () => {
  const person = new Set(['email:jane@acme.com', 'linkedin:jane-doe']);

  it.each([
    ['stored under one of the identities', row({ identity_key: 'email:jane@acme.com' }), true],
    ['another e-mail naming the profile (its enrichment is that profile)', row({ identity_key: 'email:jd@home.example', email: 'jd@home.example', linkedin_url: 'https://de.linkedin.com/in/Jane-Doe' }), true],
    ['another e-mail the provider matched to the profile', row({ identity_key: 'email:jd@home.example', email: 'jd@home.example', matched_username: 'jane-doe' }), true],
    ['somebody else', row({ identity_key: 'email:john@acme.com', email: 'john@acme.com', matched_username: 'john' }), false],
    ['a URL the query matched loosely but that is not a LinkedIn profile', row({ identity_key: 'email:x@y.io', email: 'x@y.io', linkedin_url: 'https://evil-linkedin.com/in/jane-doe' }), false],
  ])('%s', (_case, input, tied) => {
    expect(tiedToPerson(input, person)).toBe(tied);
  });
});

describe('slugsOf', () => {
  it('keeps the LinkedIn identities, as slugs', () => {
    expect(slugsOf(['email:jane@acme.com', 'linkedin:jane-doe', 'linkedin:josé'])).toEqual(['jane-doe', 'josé']);
  });
});
