import { disqualifications, qualificationRulesFrom } from './lead-qualifier';

describe('lead qualification', () => {
  const rules = (overrides: Partial<Parameters<typeof qualificationRulesFrom>[0]> = {}) =>
    qualificationRulesFrom({
      ENRICHER_QUALIFY_REQUIRE_WORK_EMAIL: false,
      ENRICHER_QUALIFY_REQUIRE_NAME: false,
      ENRICHER_QUALIFY_DENY_DOMAINS: '',
      ...overrides,
    });

  it('lets every lead through without rules', () => {
    expect(disqualifications({ email: 'someone@gmail.com' }, rules())).toEqual([]);
    expect(disqualifications({ linkedinUrl: 'https://www.linkedin.com/in/x/' }, rules())).toEqual([]);
  });

  it.each([
    [{ email: 'ada@analytical.io' }, []],
    [{ email: 'ada@gmail.com' }, ['not qualified: no work e-mail address']],
    [{ linkedinUrl: 'https://www.linkedin.com/in/ada/' }, ['not qualified: no work e-mail address']],
  ])('requires a work e-mail when asked: %j', (lead, expected) => {
    expect(disqualifications(lead, rules({ ENRICHER_QUALIFY_REQUIRE_WORK_EMAIL: true }))).toEqual(expected);
  });

  it('requires both names when asked', () => {
    const r = rules({ ENRICHER_QUALIFY_REQUIRE_NAME: true });
    expect(disqualifications({ email: 'a@b.io', firstName: 'Ada', lastName: 'L' }, r)).toEqual([]);
    expect(disqualifications({ email: 'a@b.io', firstName: 'Ada' }, r)).toEqual(['not qualified: first and last name are required']);
  });

  it('excludes denied domains by registrable domain, from the e-mail or the company domain', () => {
    const r = rules({ ENRICHER_QUALIFY_DENY_DOMAINS: 'Competitor.com, https://www.rival.co.uk/' });
    expect(disqualifications({ email: 'spy@mail.competitor.com' }, r)).toEqual(['not qualified: domain competitor.com is excluded']);
    expect(disqualifications({ email: 'x@ok.io', companyDomain: 'rival.co.uk' }, r)).toEqual(['not qualified: domain rival.co.uk is excluded']);
    expect(disqualifications({ email: 'x@competitor.com', companyDomain: 'competitor.com' }, r)).toHaveLength(1);
    expect(disqualifications({ email: 'x@competitor.co' }, r)).toEqual([]);
  });
});
