import { BadRequestException } from '@nestjs/common';
import { idempotencyKeyFrom, requestHash } from './idempotency';

describe('requestHash', () => {
  it('is the same for the same JSON in another key order, at every depth', () => {
    expect(requestHash({ a: 1, b: { c: [1, { d: 2, e: 3 }], f: null } })).toBe(requestHash({ b: { f: null, c: [1, { e: 3, d: 2 }] }, a: 1 }));
  });

  it.each([
    ['a changed value', { a: 1 }, { a: 2 }],
    ['an added field', { a: 1 }, { a: 1, b: 1 }],
    ['array order', { a: [1, 2] }, { a: [2, 1] }],
    ['a number and its string', { a: 1 }, { a: '1' }],
    ['nesting', { a: { b: 1 } }, { 'a.b': 1 }],
  ])('differs for %s', (_case, one, other) => {
    expect(requestHash(one)).not.toBe(requestHash(other));
  });
});

describe('idempotencyKeyFrom', () => {
  it('passes a key through and an absent header as undefined', () => {
    expect(idempotencyKeyFrom('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(idempotencyKeyFrom(undefined)).toBeUndefined();
  });

  it.each([[''], ['has space'], ['x'.repeat(256)], ['naïve']])('refuses %j with a 400 naming the header', (key) => {
    expect(() => idempotencyKeyFrom(key)).toThrow(BadRequestException);
  });
});
