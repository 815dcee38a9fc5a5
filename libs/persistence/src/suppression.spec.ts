import { createHash, createHmac } from 'node:crypto';
import { suppressedAmong, suppressionHash } from './suppression';

describe('suppressionHash', () => {
  const key = 'email:jane@acme.com';

  it('is the SHA-256 of the identity key, in hex, without a pepper', () => {
    expect(suppressionHash(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(suppressionHash(key, '')).toBe(suppressionHash(key));
  });

  it('is an HMAC-SHA-256 keyed with the pepper when there is one', () => {
    const pepper = 'a-long-random-secret';
    expect(suppressionHash(key, pepper)).toBe(createHmac('sha256', pepper).update(key).digest('hex'));
    expect(suppressionHash(key, pepper)).not.toBe(suppressionHash(key));
    expect(suppressionHash(key, pepper)).not.toBe(suppressionHash(key, `${pepper}2`));
  });

  it('has the form the suppressions table accepts, and names nobody', () => {
    for (const pepper of [undefined, 'a-long-random-secret']) {
      const hash = suppressionHash(key, pepper);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).not.toContain('jane');
    }
  });

  it('tells identities apart, and the two kinds of key apart', () => {
    expect(suppressionHash('email:jane@acme.com')).not.toBe(suppressionHash('email:jane@acme.co'));
    expect(suppressionHash('linkedin:jane')).not.toBe(suppressionHash('email:jane'));
  });
});

describe('suppressedAmong', () => {
  it('asks once for the distinct hashes and answers those on the list', async () => {
    const query = jest.fn().mockResolvedValue([{ identity_hash: 'b' }]);
    expect(await suppressedAmong({ query }, ['a', 'b', 'a'])).toEqual(new Set(['b']));
    expect(query).toHaveBeenCalledTimes(1);
    expect(query.mock.calls[0][1]).toEqual([['a', 'b']]);
  });

  it('does not ask about nothing', async () => {
    const query = jest.fn();
    expect(await suppressedAmong({ query }, [])).toEqual(new Set());
    expect(query).not.toHaveBeenCalled();
  });
});
