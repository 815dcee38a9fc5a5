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

  it('keys spellings that differ only in case alike', () => {
    expect(caseKey('TypeScript')).toBe(caseKey('TYPESCRIPT'));
    expect(caseKey('Ｎｏｄｅ')).toBe(caseKey('node'));
  });
});
