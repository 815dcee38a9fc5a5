import type { NormalisedCompany, NormalisedPerson } from './lead-normaliser';
import { scoreLead } from './lead-scorer';

const person = (overrides: Partial<NormalisedPerson> = {}): NormalisedPerson => ({
  fullName: 'Jane Doe',
  firstName: 'Jane',
  lastName: 'Doe',
  headline: null,
  title: 'Software Engineer',
  seniority: 'individual',
  jobFunction: 'engineering',
  companyName: 'Acme',
  city: 'Munich',
  region: 'Bavaria',
  countryCode: 'DE',
  linkedinUrl: 'https://www.linkedin.com/in/jane-doe/',
  skills: [],
  ...overrides,
});

const company = (overrides: Partial<NormalisedCompany> = {}): NormalisedCompany => ({
  name: 'Acme',
  domain: 'acme.com',
  industry: 'Software Development',
  staffCount: 180,
  sizeBand: '51-200',
  linkedinUrl: null,
  country: 'DE',
  ...overrides,
});

describe('scoreLead', () => {
  it('ranks a C-level at a 5000-person company with a work e-mail above an individual at a 5-person company', () => {
    const strong = scoreLead(person({ title: 'CEO', seniority: 'c_level' }), company({ staffCount: 5000 }), true);
    const weak = scoreLead(person({ seniority: 'individual' }), company({ staffCount: 5 }), false);
    expect(strong.total).toBeGreaterThan(weak.total);
    expect(strong.total).toBe(100);
    expect(weak.total).toBe(6 + 3 + 5 + 5 + 5);
  });

  it('gives a full-marks lead exactly 100, with every part', () => {
    expect(scoreLead(person({ seniority: 'c_level' }), company({ staffCount: 20_000 }), true)).toEqual({
      total: 100,
      parts: { seniority: 45, companySize: 30, workEmail: 10, location: 5, industry: 5, currentPosition: 5 },
    });
  });

  it('never exceeds 100 and is the sum of its parts below that', () => {
    for (const seniority of ['c_level', 'vp', 'director', 'manager', 'individual'] as const) {
      for (const staffCount of [null, 1, 11, 51, 201, 1001, 100_000]) {
        for (const hasWorkEmail of [true, false]) {
          const { total, parts } = scoreLead(person({ seniority }), company({ staffCount }), hasWorkEmail);
          const sum = Object.values(parts).reduce((a, b) => a + b, 0);
          expect(total).toBeLessThanOrEqual(100);
          expect(total).toBe(Math.min(100, sum));
        }
      }
    }
  });

  it.each([
    ['c_level', 45],
    ['vp', 38],
    ['director', 30],
    ['manager', 18],
    ['individual', 6],
  ] as const)('scores seniority %s as %i', (seniority, points) => {
    expect(scoreLead(person({ seniority }), null, false).parts.seniority).toBe(points);
  });

  it('never ranks a more senior person below a less senior one, all else equal', () => {
    const order = ['individual', 'manager', 'director', 'vp', 'c_level'] as const;
    const totals = order.map((seniority) => scoreLead(person({ seniority }), company(), true).total);
    expect([...totals].sort((a, b) => a - b)).toEqual(totals);
    expect(new Set(totals).size).toBe(order.length);
  });

  it.each([
    [1, 3],
    [10, 3],
    [11, 8],
    [50, 8],
    [51, 16],
    [200, 16],
    [201, 24],
    [1000, 24],
    [1001, 30],
    [5000, 30],
  ])('scores a company of %i people as %i', (staffCount, points) => {
    expect(scoreLead(null, company({ staffCount }), false).parts.companySize).toBe(points);
  });

  it('never ranks a bigger company below a smaller one, all else equal', () => {
    const sizes = [1, 10, 11, 50, 51, 200, 201, 1000, 1001, 5000, 50_000];
    const totals = sizes.map((staffCount) => scoreLead(person(), company({ staffCount }), false).total);
    expect([...totals].sort((a, b) => a - b)).toEqual(totals);
  });

  it('adds 10 for a work e-mail', () => {
    const without = scoreLead(person(), company(), false);
    const withEmail = scoreLead(person(), company(), true);
    expect(withEmail.total - without.total).toBe(10);
    expect(withEmail.parts.workEmail).toBe(10);
    expect(without.parts).not.toHaveProperty('workEmail');
  });

  it('handles a lead that was not found', () => {
    expect(scoreLead(null, null, false)).toEqual({ total: 0, parts: {} });
    expect(scoreLead(null, null, true)).toEqual({ total: 10, parts: { workEmail: 10 } });
  });

  it('leaves out the parts whose data is missing', () => {
    const result = scoreLead(
      person({ seniority: null, title: null, countryCode: null }),
      company({ staffCount: null, industry: null }),
      false,
    );
    expect(result).toEqual({ total: 0, parts: {} });
  });

  it('needs both a title and a company name for the current-position part', () => {
    expect(scoreLead(person({ title: 'CTO' }), company({ name: null }), false).parts).not.toHaveProperty('currentPosition');
    expect(scoreLead(person({ title: null }), company(), false).parts).not.toHaveProperty('currentPosition');
    expect(scoreLead(person({ title: 'CTO' }), company(), false).parts.currentPosition).toBe(5);
  });

  it('scores a person without a company on seniority and location only', () => {
    expect(scoreLead(person({ seniority: 'vp' }), null, true)).toEqual({ total: 38 + 10 + 5, parts: { seniority: 38, workEmail: 10, location: 5 } });
  });
});
