import fc from 'fast-check';
import type { NetrowsPerson, NetrowsPosition } from '@leadpipe/netrows';
import { messyString, PROPERTY_RUNS } from '../../../../test/support/messy-strings';
import { analyseEmail } from './email';
import { FlagInput, flagsOf, namesMatch, reasonOf } from './flags';

const NOW = new Date('2026-06-15T12:00:00Z');

const position = (overrides: Partial<NetrowsPosition> = {}): NetrowsPosition => ({
  companyName: 'Acme',
  title: 'VP of Sales',
  start: { year: 2021, month: 4, day: 0 },
  end: { year: 0, month: 0, day: 0 },
  ...overrides,
});

const person = (overrides: Partial<NetrowsPerson> = {}): NetrowsPerson => ({
  username: 'jane-doe',
  firstName: 'Jane',
  lastName: 'Doe',
  position: [position()],
  ...overrides,
});

const input = (overrides: Partial<FlagInput> = {}): FlagInput => ({
  lead: { firstName: 'Jane', lastName: 'Doe', companyDomain: 'acme.com' },
  email: analyseEmail('jane@acme.com'),
  person: person(),
  companyDomain: 'acme.com',
  fetchedAt: NOW.toISOString(),
  now: NOW,
  staleAfterDays: 365,
  ...overrides,
});

const codes = (overrides: Partial<FlagInput>) => flagsOf(input(overrides)).map((f) => f.code);

describe('flagsOf', () => {
  it('flags nothing on a consistent lead', () => {
    expect(flagsOf(input())).toEqual([]);
  });

  it.each<[string, Partial<FlagInput>, string[]]>([
    ['a free-mail address', { email: analyseEmail('jane@gmail.com') }, ['free_mail']],
    ['a disposable address', { email: analyseEmail('jane@mailinator.com') }, ['disposable_email']],
    ['an e-mail at another company', { email: analyseEmail('jane@beta.io') }, ['domain_mismatch']],
    ['a website at another company', { companyDomain: 'acme-inc.com' }, ['domain_mismatch']],
    ["a lead's company domain that is not the e-mail's", { lead: { firstName: 'Jane', lastName: 'Doe', companyDomain: 'https://www.beta.io/' } }, ['domain_mismatch']],
    ['the same company under a country domain', { email: analyseEmail('jane@acme.de'), companyDomain: 'acme.co.uk' }, []],
    ['an e-mail on a subdomain', { email: analyseEmail('jane@eu.mail.acme.com') }, []],
    ['a free-mail address at a company', { email: analyseEmail('jane@gmail.com'), companyDomain: 'acme.com' }, ['free_mail']],
    ['no domains to compare', { email: null, companyDomain: null, lead: {} }, []],
    ['another person', { lead: { firstName: 'John', lastName: 'Smith' } }, ['name_mismatch']],
    ['another last name', { lead: { firstName: 'Jane', lastName: 'Smith' } }, ['name_mismatch']],
    ['no current position', { person: person({ position: [position({ end: { year: 2026, month: 3, day: 0 } })] }) }, ['no_current_position']],
    ['no positions at all', { person: person({ position: [] }) }, ['no_current_position']],
    ['a position that ended years ago', { person: person({ position: [position({ end: { year: 2019, month: 0, day: 0 } })] }) }, ['no_current_position', 'stale_data']],
    ['provider data fetched long ago', { fetchedAt: '2025-01-01T00:00:00Z' }, ['stale_data']],
    ['provider data fetched within the limit', { fetchedAt: '2025-07-01T00:00:00Z' }, []],
    ['a shorter staleness limit', { fetchedAt: '2026-05-01T00:00:00Z', staleAfterDays: 30 }, ['stale_data']],
    ['an unreadable fetch time', { fetchedAt: 'yesterday' }, []],
    ['no person (not found)', { person: null, lead: { firstName: 'John' } }, []],
  ])('%s → %j', (_case, overrides, expected) => {
    expect(codes(overrides)).toEqual(expected);
  });

  it('writes reasons as "<code>: <detail>" without the address', () => {
    const reasons = flagsOf(input({ email: analyseEmail('jane@beta.io'), fetchedAt: '2024-06-15T12:00:00Z' })).map(reasonOf);
    expect(reasons).toEqual([
      'domain_mismatch: e-mail beta.io, lead company acme.com, company website acme.com',
      'stale_data: provider data fetched 730 days ago',
    ]);
    expect(reasons.join(' ')).not.toContain('jane@');
  });

  it('dates a past position by its last possible day when month or day are 0', () => {
    const ended = (end: NetrowsPosition['end']) => flagsOf(input({ person: person({ position: [position({ end })] }) })).map(reasonOf);
    expect(ended({ year: 2025, month: 0, day: 0 })).toEqual(['no_current_position: the profile lists no current position']);
    expect(ended({ year: 2025, month: 5, day: 0 })).toEqual([
      'no_current_position: the profile lists no current position',
      'stale_data: the last position ended 2025-05',
    ]);
  });

  it('never throws', () => {
    const messyPerson = fc.record(
      {
        firstName: messyString,
        lastName: messyString,
        position: fc.array(fc.record({ end: fc.record({ year: fc.integer(), month: fc.integer(), day: fc.integer() }, { requiredKeys: [] }) }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    );
    const arbitraryInput = fc.record({
      lead: fc.record({ firstName: messyString, lastName: messyString, companyDomain: messyString }, { requiredKeys: [] }),
      email: messyString.map(analyseEmail),
      person: fc.option(messyPerson),
      companyDomain: fc.option(messyString),
      fetchedAt: fc.option(messyString),
      now: fc.constant(NOW),
      staleAfterDays: fc.integer({ min: 1, max: 3650 }),
    });
    fc.assert(fc.property(arbitraryInput, (i) => void flagsOf(i)), PROPERTY_RUNS);
  });
});

describe('namesMatch', () => {
  it.each([
    ['Jane', 'Jane', true],
    ['jane', 'JANE', true],
    ['Jose', 'José', true],
    ['Lukasz', 'Łukasz', true],
    ['Muller', 'Müller', true],
    ['Yilmaz', 'Yılmaz', true],
    ['OBrien', "O'Brien", true],
    ['Vanderberg', 'van der Berg', true],
    ['J.', 'Jane', true],
    ['Alex', 'Alexander', true],
    ['García', 'García Fernández', true],
    ['Mary Ann', 'Mary', true],
    ['Tanaka', '田中', true],
    ['Jane', 'John', false],
    ['Al', 'Alexander', false],
    ['Smith', 'Doe', false],
  ])('%j ~ %j → %j', (a, b, expected) => {
    expect(namesMatch(a, b)).toBe(expected);
  });

  it('is symmetric and reflexive', () => {
    fc.assert(
      fc.property(messyString, messyString, (a, b) => {
        expect(namesMatch(a, b)).toBe(namesMatch(b, a));
        expect(namesMatch(a, a)).toBe(true);
      }),
      PROPERTY_RUNS,
    );
  });
});
