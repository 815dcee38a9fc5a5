import { isStorableText } from './storable-text';

describe('isStorableText', () => {
  it.each([
    ['plain text', 'Jane Doe', true],
    ['accents and CJK', 'José 李明', true],
    ['a surrogate pair (emoji)', 'hi 😀', true],
    ['the replacement character', '\uFFFD', true],
    ['a NUL character', 'a\u0000b', false],
    ['a lone high surrogate', 'a\uD800b', false],
    ['a lone high surrogate at the end', 'a\uD83D', false],
    ['a lone low surrogate', '\uDC00a', false],
    ['two high surrogates', '\uD800\uD800\uDC00', false],
  ])('%s', (_case, text, storable) => {
    expect(isStorableText(text)).toBe(storable);
  });
});
