import fc from 'fast-check';
import { messyString, PROPERTY_RUNS } from '../../../../test/support/messy-strings';
import { caseKey, cleanText, foldAccents } from './text';

describe('cleanText', () => {
  it.each([
    ['  Jane  ', 'Jane'],
    ['Sales\tleader\n at  Acme', 'Sales leader at Acme'],
    ['\u00A0Munich\u00A0', 'Munich'],
    ['Jose\u0301', 'José'],
    ['zero\u200Bwidth', 'zero width'],
    ['\uFEFFBOM', 'BOM'],
    ['half \uD800 pair', 'half \uFFFD pair'],
    ['', null],
    ['   ', null],
    ['\u200B', null],
    [undefined, null],
    [42, null],
  ])('%j → %j', (input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it.each([
    ['Senior Software Engineer', 'Senior Software Engineer'],
    ['a b', 'a b'],
    ['a  b', 'a b'],
    ['a ', 'a'],
    [' a', 'a'],
    ['a\x7Fb', 'a b'],
    ['x', 'x'],
  ])('ASCII %j → %j (the already-clean fast path and the full one agree)', (input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it('gives what the full normalisation gives, for ASCII and for any string', () => {
    const full = (s: string): string | null => {
      const text = s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
        .replace(/[\p{Cc}\u200B\u2060\uFEFF]/gu, ' ').replace(/\s+/gu, ' ').trim().normalize('NFC');
      return text === '' ? null : text;
    };
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary-ascii' }), messyString), (s) => {
        expect(cleanText(s)).toBe(full(s));
      }),
      PROPERTY_RUNS,
    );
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(messyString, (s) => {
        const once = cleanText(s);
        expect(once === null ? null : cleanText(once)).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('foldAccents and caseKey', () => {
  it.each([
    ['Łukasz', 'lukasz'],
    ['MÜLLER', 'muller'],
    ['Søren', 'soren'],
    ['Yılmaz', 'yilmaz'],
    ['Straße', 'strasse'],
    ['Lefèvre', 'lefevre'],
  ])('folds %j to %j', (input, expected) => {
    expect(foldAccents(input)).toBe(expected);
  });

  it('folds ASCII as the full folding does', () => {
    const full = (s: string): string => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), (s) => {
        expect(foldAccents(s)).toBe(full(s));
      }),
      PROPERTY_RUNS,
    );
  });

  it('keys spellings that differ only in case alike', () => {
    expect(caseKey('TypeScript')).toBe(caseKey('TYPESCRIPT'));
    expect(caseKey('Ｎｏｄｅ')).toBe(caseKey('node'));
  });
});
