import fc from 'fast-check';
import { messyString, PROPERTY_RUNS } from '../../../../test/support/messy-strings';
import { caseTitle, jobFunctionOf, seniorityOf } from './titles';

describe('caseTitle', () => {
  it.each([
    ['vp of SALES', 'VP of Sales'],
    ['chief technology officer', 'Chief Technology Officer'],
    ['SR. SOFTWARE ENGINEER', 'Sr. Software Engineer'],
    ['head of marketing, EMEA', 'Head of Marketing, EMEA'],
    ['  vp   of \t sales ', 'VP of Sales'],
    ['co-founder & ceo', 'Co-Founder & CEO'],
    ['founder/ceo', 'Founder/CEO'],
    ['SVP, SaaS Partnerships', 'SVP, SaaS Partnerships'],
    ['svp, saas partnerships', 'SVP, SaaS Partnerships'],
    ['it manager', 'IT Manager'],
    ['HR BUSINESS PARTNER', 'HR Business Partner'],
    ['Sales Development Representative (sdr)', 'Sales Development Representative (SDR)'],
    ['head of r&d', 'Head of R&D'],
    ['fp&a manager', 'FP&A Manager'],
    ['Data Scientist ii', 'Data Scientist II'],
    ['senior devops engineer', 'Senior DevOps Engineer'],
    ['IOS DEVELOPER', 'iOS Developer'],
    ['head of b2b growth', 'Head of B2B Growth'],
    ['Partner at McKinsey', 'Partner at McKinsey'],
    ['vIcE pReSiDeNt', 'Vice President'],
    ['of counsel', 'Of Counsel'],
    ['directeur général', 'Directeur Général'],
    ['ÉQUIPE LEAD', 'Équipe Lead'],
    ['Customer Success Manager ', 'Customer Success Manager'],
    ['', null],
    ['  ', null],
    [undefined, null],
  ])('%j → %j', (input, expected) => {
    expect(caseTitle(input)).toBe(expected);
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(messyString, (s) => {
        const once = caseTitle(s);
        expect(once === null ? null : caseTitle(once)).toBe(once);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('seniorityOf', () => {
  it.each([
    ['CEO', 'c_level'],
    ['Chief Technology Officer', 'c_level'],
    ['Co-Founder', 'c_level'],
    ['Cofounder', 'c_level'],
    ['founder & ceo', 'c_level'],
    ['Founder & CEO', 'c_level'],
    ['Director of Engineering', 'director'],
    ['President', 'c_level'],
    ['Owner', 'c_level'],
    ['Managing Director', 'c_level'],
    ['Geschäftsführer', 'c_level'],
    ['Vice President of Sales', 'vp'],
    ['Vice-President, Sales', 'vp'],
    ['Senior Vice President, Marketing', 'vp'],
    ['VP of Sales', 'vp'],
    ['SVP Engineering', 'vp'],
    ['Head of Growth', 'vp'],
    ['head of people', 'vp'],
    ['Chief of Staff', 'director'],
    ['Director', 'director'],
    ['Director, Business Development', 'director'],
    ['Engineering Manager', 'manager'],
    ['Tech Lead', 'manager'],
    ['TEAM LEAD', 'manager'],
    ['Product Owner', 'individual'],
    ['Executive Assistant to the CEO', 'individual'],
    ['Software Engineer', 'individual'],
    ['Account Executive', 'individual'],
    ['Data Scientist II', 'individual'],
    ['', null],
    ['   ', null],
    [null, null],
  ])('%j → %j', (title, expected) => {
    expect(seniorityOf(title)).toBe(expected);
  });

  it('does not depend on how the title was cased, and never throws', () => {
    fc.assert(
      fc.property(messyString, (s) => {
        const cased = caseTitle(s);
        expect(seniorityOf(cased)).toBe(seniorityOf(s));
      }),
      PROPERTY_RUNS,
    );
  });
});

describe('jobFunctionOf', () => {
  it.each([
    ['VP of Sales', 'sales'],
    ['Account Executive', 'sales'],
    ['Sales Development Representative (SDR)', 'sales'],
    ['Director, Business Development', 'sales'],
    ['Chief Revenue Officer', 'sales'],
    ['Head of Marketing', 'marketing'],
    ['Growth Marketing Lead', 'marketing'],
    ['Product Marketing Manager', 'marketing'],
    ['VP of Sales & Marketing', 'sales'],
    ['Marketing & Sales Director', 'marketing'],
    ['Software Engineer', 'engineering'],
    ['SR. SOFTWARE ENGINEER', 'engineering'],
    ['Chief Technology Officer', 'engineering'],
    ['CTO & Co-Founder', 'engineering'],
    ['Data Scientist II', 'engineering'],
    ['Senior Product Manager', 'product'],
    ['Product Owner', 'product'],
    ['UX Designer', 'design'],
    ['CFO', 'finance'],
    ['Financial Controller', 'finance'],
    ['HR Business Partner', 'hr'],
    ['head of people', 'hr'],
    ['Talent Acquisition Specialist', 'hr'],
    ['COO', 'operations'],
    ['Supply Chain Manager', 'operations'],
    ['IT Manager', 'it'],
    ['CISO', 'it'],
    ['General Counsel', 'legal'],
    ['Customer Success Manager', 'customer_success'],
    ['founder & ceo', 'executive'],
    ['Co-Founder', 'executive'],
    ['Vice President', 'other'],
    ['Principal Consultant', 'other'],
    ['', null],
    [null, null],
  ])('%j → %j', (title, expected) => {
    expect(jobFunctionOf(title)).toBe(expected);
  });

  it('does not depend on how the title was cased, and never throws', () => {
    fc.assert(
      fc.property(messyString, (s) => {
        expect(jobFunctionOf(caseTitle(s))).toBe(jobFunctionOf(s));
      }),
      PROPERTY_RUNS,
    );
  });
});
