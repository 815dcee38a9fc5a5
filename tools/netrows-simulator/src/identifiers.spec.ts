import { NAMESPACE, companyIdOf, domainToHandle, emailUsername, handleToDomain, namespaceDomainOfId, parseEmailUsername } from './identifiers';

describe('identifiers', () => {
  it.each([
    ['acme.com', 'acme'],
    ['acme.io', 'acme-io'],
    ['acme.co.uk', 'acme-co-uk'],
    ['big-data.com', 'big-data'],
    ['acme-de.com', 'acme-de-com'],
    ['acme-com.com', 'acme-com-com'],
  ])('maps %s to handle %s and back', (domain, handle) => {
    expect(domainToHandle(domain)).toBe(handle);
    expect(handleToDomain(handle)).toBe(domain);
  });

  it('round-trips namespace company ids', () => {
    for (const entry of [NAMESPACE[0], NAMESPACE[123], NAMESPACE[NAMESPACE.length - 1]]) {
      expect(namespaceDomainOfId(companyIdOf(entry.domain))).toBe(entry.domain);
    }
    expect(namespaceDomainOfId(companyIdOf('not-in-namespace.com'))).toBeUndefined();
  });

  it('recognises only usernames it issued', () => {
    const username = emailUsername('jane', 'doe', 'acme.co.uk');
    expect(username).toMatch(/^jane-doe-acme-co-uk-[0-9a-f]{4}$/);
    expect(parseEmailUsername(username)).toEqual({ firstToken: 'jane', lastToken: 'doe', domain: 'acme.co.uk' });
    expect(parseEmailUsername('jane-doe-acme-beef')).toBeNull();
    expect(parseEmailUsername('jane-doe')).toBeNull();
  });
});
