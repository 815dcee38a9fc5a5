import type { NormalisedCompany, NormalisedPerson } from './lead-normaliser';
import { sizeBandOf } from './normalise/company';
import { LeadScore, scoreLead } from './lead-scorer';
import { parseScoringRules } from './scoring-rules';

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

/** The size band follows the head count, as the normaliser derives it. */
const company = (overrides: Partial<NormalisedCompany> = {}): NormalisedCompany => {
  const staffCount = 'staffCount' in overrides ? (overrides.staffCount ?? null) : 180;
  return {
    name: 'Acme',
    domain: 'acme.com',
    industry: 'Software Development',
    staffCount,
    sizeBand: sizeBandOf(staffCount),
    linkedinUrl: null,
    country: 'DE',
    ...overrides,
  };
};

/** The breakdown as criterion → points. */
const parts = (score: LeadScore) => Object.fromEntries(score.breakdown.map((p) => [p.criterion, p.points]));

describe('scoreLead with the default rules', () => {
  it('ranks a C-level at a 5000-person company with a work e-mail above an individual at a 5-person company', () => {
    const strong = scoreLead(person({ title: 'CEO', seniority: 'c_level' }), company({ staffCount: 5000 }), true);
    const weak = scoreLead(person({ seniority: 'individual' }), company({ staffCount: 5 }), false);
    expect(strong.total).toBeGreaterThan(weak.total);
    expect(strong.total).toBe(100);
    expect(weak.total).toBe(6 + 3 + 5 + 5 + 5);
  });

  it('gives a full-marks lead exactly 100, with every part and the value each was given for', () => {
    expect(scoreLead(person({ seniority: 'c_level' }), company({ staffCount: 20_000 }), true)).toEqual({
      total: 100,
      breakdown: [
        { criterion: 'seniority', value: 'c_level', points: 45 },
        { criterion: 'company_size', value: '10001+', points: 30 },
        { criterion: 'industry', value: 'Software Development', points: 5 },
        { criterion: 'country', value: 'DE', points: 5 },
        { criterion: 'work_email', value: true, points: 10 },
        { criterion: 'current_position', value: true, points: 5 },
      ],
    });
  });

  it('never exceeds 100 and is the sum of its parts below that', () => {
    for (const seniority of ['c_level', 'vp', 'director', 'manager', 'individual'] as const) {
      for (const staffCount of [null, 1, 11, 51, 201, 1001, 100_000]) {
        for (const hasWorkEmail of [true, false]) {
          const score = scoreLead(person({ seniority }), company({ staffCount }), hasWorkEmail);
          const sum = score.breakdown.reduce((a, p) => a + p.points, 0);
          expect(score.total).toBeLessThanOrEqual(100);
          expect(score.total).toBe(Math.min(100, sum));
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
    expect(parts(scoreLead(person({ seniority }), null, false)).seniority).toBe(points);
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
    expect(parts(scoreLead(null, company({ staffCount }), false)).company_size).toBe(points);
  });

  it('scores the size band when the provider gave a range instead of a head count', () => {
    expect(parts(scoreLead(null, company({ staffCount: null, sizeBand: '1001-5000' }), false)).company_size).toBe(30);
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
    expect(parts(withEmail).work_email).toBe(10);
    expect(parts(without)).not.toHaveProperty('work_email');
  });

  it('handles a lead that was not found', () => {
    expect(scoreLead(null, null, false)).toEqual({ total: 0, breakdown: [] });
    expect(scoreLead(null, null, true)).toEqual({ total: 10, breakdown: [{ criterion: 'work_email', value: true, points: 10 }] });
  });

  it('leaves out the parts whose data is missing', () => {
    const result = scoreLead(
      person({ seniority: null, jobFunction: null, title: null, countryCode: null }),
      company({ staffCount: null, industry: null }),
      false,
    );
    expect(result).toEqual({ total: 0, breakdown: [] });
  });

  it('needs both a title and a company name for the current-position part', () => {
    expect(parts(scoreLead(person({ title: 'CTO' }), company({ name: null }), false))).not.toHaveProperty('current_position');
    expect(parts(scoreLead(person({ title: null }), company(), false))).not.toHaveProperty('current_position');
    expect(parts(scoreLead(person({ title: 'CTO' }), company(), false)).current_position).toBe(5);
  });

  it('scores a person without a company on seniority and location only', () => {
    const score = scoreLead(person({ seniority: 'vp' }), null, true);
    expect(score.total).toBe(38 + 5 + 10);
    expect(parts(score)).toEqual({ seniority: 38, country: 5, work_email: 10 });
  });
});

describe('scoreLead with rules from a file', () => {
  const rules = parseScoringRules(
    `
seniority: { c_level: 30, vp: 25, '*': 5 }
job_function: { sales: 20, marketing: 15, engineering: -10 }
company_size: { '51-200': 20, '201-500': 20 }
industry: { 'Computer Software': 15, '*': 2 }
country: { de: 10, AT: 10, CH: 10 }
signals: { work_email: 10 }
`,
    'rules.yaml',
  );

  it.each<[string, Partial<NormalisedPerson>, Partial<NormalisedCompany>, boolean, Record<string, number>, number]>([
    ['a VP of Sales in Germany at a 180-person software company', { seniority: 'vp', jobFunction: 'sales' }, {}, true, { seniority: 25, job_function: 20, company_size: 20, industry: 15, country: 10, work_email: 10 }, 100],
    ['a manager: the seniority wildcard', { seniority: 'manager', jobFunction: 'sales' }, {}, false, { seniority: 5, job_function: 20, company_size: 20, industry: 15, country: 10 }, 70],
    ['a function the rules do not name scores nothing for it', { seniority: 'vp', jobFunction: 'finance' }, {}, false, { seniority: 25, company_size: 20, industry: 15, country: 10 }, 70],
    ['negative points for a function', { seniority: 'individual', jobFunction: 'engineering' }, {}, false, { seniority: 5, job_function: -10, company_size: 20, industry: 15, country: 10 }, 40],
    ['a country outside the list', { seniority: 'vp', jobFunction: 'sales', countryCode: 'US' }, {}, false, { seniority: 25, job_function: 20, company_size: 20, industry: 15 }, 80],
    ['another industry: its wildcard', { seniority: 'vp', jobFunction: 'sales' }, { industry: 'Banking' }, false, { seniority: 25, job_function: 20, company_size: 20, industry: 2, country: 10 }, 77],
    ['a size band the rules do not name', { seniority: 'vp', jobFunction: 'sales' }, { staffCount: 5000 }, false, { seniority: 25, job_function: 20, industry: 15, country: 10 }, 70],
  ])('%s', (_, p, c, workEmail, expected, total) => {
    const score = scoreLead(person(p), company(c), workEmail, rules);
    expect(parts(score)).toEqual(expected);
    expect(score.total).toBe(total);
  });

  it('keeps the total between 0 and 100', () => {
    const harsh = parseScoringRules('job_function: { engineering: -100 }', 'harsh.yaml');
    expect(scoreLead(person(), company(), true, harsh).total).toBe(0);
    const generous = parseScoringRules('seniority: { "*": 100 }\ncountry: { "*": 100 }', 'generous.yaml');
    expect(scoreLead(person(), company(), true, generous).total).toBe(100);
  });
});
