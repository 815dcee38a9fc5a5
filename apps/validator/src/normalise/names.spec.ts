import fc from 'fast-check';
import { messyString, PROPERTY_RUNS } from '../../../../test/support/messy-strings';
import { caseName, fullNameOf } from './names';

describe('caseName', () => {
  it.each([
    ['JOSÉ', 'José'],
    ['zoë', 'Zoë'],
    ['Jose\u0301', 'José'],
    ["o'brien", "O'Brien"],
    ["o'NEIL", "O'Neil"],
    ["D'ARCY", "D'Arcy"],
    ['d’arcy', 'D’Arcy'],
    ["ng'ang'a", "Ng'ang'a"],
    ['jean-luc', 'Jean-Luc'],
    ['JEAN-LUC', 'Jean-Luc'],
    ['Jean-luc', 'Jean-luc'],
    ['McDonald', 'McDonald'],
    ['mcdonald', 'McDonald'],
    ['MCDONALD', 'McDonald'],
    ['mcDonald', 'McDonald'],
    ['DiCaprio', 'DiCaprio'],
    ['van der Berg', 'van der Berg'],
    ['VAN DER BERG', 'van der Berg'],
    ['van der berg', 'van der Berg'],
    ['DE LA CRUZ', 'de la Cruz'],
    ['Jean DUPONT', 'Jean Dupont'],
    ['JOHN smith', 'John Smith'],
    ['łukasz', 'Łukasz'],
    ['ÅSA', 'Åsa'],
    ['YILMAZ', 'Yilmaz'],
    ['yılmaz', 'Yılmaz'],
    ['ÖZTÜRK', 'Öztürk'],
    ['mary  ann ', 'Mary Ann'],
    ['李明', '李明'],
    ['田中 太郎', '田中 太郎'],
    ['le', 'Le'],
    ['', null],
    ['   ', null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(caseName(input)).toBe(expected);
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(messyString, (s) => {
        const once = caseName(s);
        expect(once === null ? null : caseName(once)).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('fullNameOf', () => {
  it.each([
    ['Jane', 'Doe', 'Jane Doe'],
    ['José', null, 'José'],
    [null, "O'Brien", "O'Brien"],
    [null, null, null],
  ])('%j + %j → %j', (first, last, expected) => {
    expect(fullNameOf(first, last)).toBe(expected);
  });
});
