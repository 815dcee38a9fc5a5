import { describeError } from './batch-consumer';

describe('describeError (what the consumer logs when a handler or a publish fails)', () => {
  it.each<[string, unknown, string]>([
    ['an Error', new Error('connect ECONNREFUSED 127.0.0.1:5432'), 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['a plain object with a message', { message: 'invalid byte sequence for encoding "UTF8": 0x00', code: '22021' }, 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['a plain object without one', { code: '22021', severity: 'ERROR' }, "{ code: '22021', severity: 'ERROR' }"],
    ['a string', 'timeout', 'timeout'],
    ['undefined', undefined, 'undefined'],
  ])('names %s by its content, never as [object Object]', (_case, error, text) => {
    expect(describeError(error)).toBe(text);
  });

  it('masks the e-mail addresses a database error quotes', () => {
    expect(describeError(new Error('Key (email)=(ada.lovelace@example.com) already exists.'))).toBe('Key (email)=(a***@example.com) already exists.');
  });

  it('describes an object that refers to itself', () => {
    const cyclic: Record<string, unknown> = { code: 'E1' };
    cyclic.self = cyclic;
    expect(describeError(cyclic)).toBe("<ref *1> { code: 'E1', self: [Circular *1] }");
  });
});
