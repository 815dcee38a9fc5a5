import fc from 'fast-check';
import { messyString, PROPERTY_RUNS } from '../../../../test/support/messy-strings';
import { caseKey } from './text';
import { normaliseSkills } from './skills';

describe('normaliseSkills', () => {
  it.each([
    ['Netrows objects', [{ name: 'TypeScript' }, { name: 'Kafka' }], ['TypeScript', 'Kafka']],
    ['duplicates in any case, first spelling kept', [{ name: 'TypeScript' }, { name: 'typescript ' }, { name: 'TYPESCRIPT' }], ['TypeScript']],
    ['empties and whitespace', [{ name: '' }, { name: '   ' }, {}, { name: '  Kafka  ' }], ['Kafka']],
    ['inner whitespace', [{ name: 'Public   Speaking' }, { name: 'public speaking' }], ['Public Speaking']],
    ['the same letters, composed or not', [{ name: 'Café' }, { name: 'Cafe\u0301' }], ['Café']],
    ['full-width letters', [{ name: 'SaaS' }, { name: 'ＳａａＳ' }], ['SaaS']],
    ['unicode', [{ name: 'Gestión de proyectos' }, { name: 'GESTIÓN DE PROYECTOS' }, { name: '项目管理' }], ['Gestión de proyectos', '项目管理']],
    ['plain strings', ['Python', 'python', 'Go'], ['Python', 'Go']],
    ['non-strings', [{ name: 42 }, null, 7, { name: 'B2B' }], ['B2B']],
    ['order as given', [{ name: 'Sales' }, { name: 'B2B' }, { name: 'sales' }, { name: 'Leadership' }], ['Sales', 'B2B', 'Leadership']],
    ['an empty list', [], []],
    ['no list', undefined, []],
    ['not a list', 'Python', []],
  ])('%s', (_case, input, expected) => {
    expect(normaliseSkills(input)).toEqual(expected);
  });

  it('is idempotent, leaves no case-insensitive duplicates and never throws', () => {
    const skills = fc.array(fc.oneof(messyString, messyString.map((name) => ({ name })), fc.anything()), { maxLength: 12 });
    fc.assert(
      fc.property(skills, (input) => {
        const once = normaliseSkills(input);
        expect(normaliseSkills(once)).toEqual(once);
        expect(new Set(once.map(caseKey)).size).toBe(once.length);
      }),
      PROPERTY_RUNS,
    );
  });
});
