import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ChannelName, DEFAULT_RULE, DEFAULT_TIERS, LeadFacts, loadRules, matchRules, parseRules, RulesFileError, tierOf } from './notification-rules';

const both = new Set<ChannelName>(['slack', 'webhook']);

const lead = (overrides: Partial<LeadFacts> = {}): LeadFacts => ({
  leadId: '7d0c1a52-4a0f-4d8e-9a51-2f1c9a0e6b11',
  score: 85,
  tier: 'A',
  fullName: 'Jane Doe',
  email: 'jane@acme.com',
  title: 'VP Sales',
  companyName: 'Acme',
  companyDomain: 'acme.com',
  country: 'DE',
  industry: 'Software Development',
  seniority: 'vp',
  linkedinUrl: null,
  ...overrides,
});

function issuesOf(text: string, channels: ReadonlySet<ChannelName> = both): string[] {
  try {
    parseRules(text, 'rules.yaml', channels);
  } catch (error) {
    if (error instanceof RulesFileError) return error.issues;
    throw error;
  }
  throw new Error('no error');
}

const EXAMPLE = `
tiers:
  - { name: A, min_score: 80 }
  - { name: B, min_score: 60 }
rules:
  - name: dach-decision-makers
    when:
      min_score: 70
      countries: [de, AT, CH]
      seniorities: [c_level, vp, director]
    channels: [slack, webhook]
  - name: tier-a-software
    when:
      tiers: [A]
      industries: [software development]
    channels: [webhook]
  - name: everything
    channels: [slack]
`;

describe('parseRules', () => {
  it('reads tiers (highest first) and rules with their conditions normalised', () => {
    const rules = parseRules(EXAMPLE, 'rules.yaml', both);
    expect(rules.tiers).toEqual([
      { name: 'A', minScore: 80 },
      { name: 'B', minScore: 60 },
    ]);
    expect(rules.rules.map((r) => r.name)).toEqual(['dach-decision-makers', 'tier-a-software', 'everything']);
    expect(rules.rules[0]).toMatchObject({ minScore: 70, countries: new Set(['DE', 'AT', 'CH']), channels: ['slack', 'webhook'] });
    expect(rules.rules[1].industries).toEqual(new Set(['software development']));
    expect(rules.rules[2]).toEqual({ name: 'everything', channels: ['slack'], minScore: undefined, tiers: undefined, industries: undefined, countries: undefined, seniorities: undefined });
  });

  it('reads JSON too, and gives A/B/C tiers when the file has none', () => {
    const rules = parseRules(JSON.stringify({ rules: [{ name: 'hot', when: { tiers: ['C'] }, channels: ['webhook'] }] }), 'rules.json', both);
    expect(rules.tiers).toEqual(DEFAULT_TIERS);
  });

  it.each([
    ['a country that is not ISO 3166-1 alpha-2', 'rules:\n  - { name: uk, when: { countries: [UK] }, channels: [slack] }', 'rules.0.when.countries.0: must be an ISO 3166-1 alpha-2 country code'],
    ['an unknown channel', 'rules:\n  - { name: r, channels: [email] }', 'rules.0.channels.0: Invalid option'],
    ['no channel', 'rules:\n  - { name: r, channels: [] }', 'rules.0.channels: must list at least one entry'],
    ['a channel twice', 'rules:\n  - { name: r, channels: [slack, slack] }', 'rules.0.channels: names a channel twice'],
    ['a score above 100', 'rules:\n  - { name: r, when: { min_score: 101 }, channels: [slack] }', 'rules.0.when.min_score: Too big'],
    ['a misspelt condition', 'rules:\n  - { name: r, when: { minscore: 50 }, channels: [slack] }', 'rules.0.when: Unrecognized key: "minscore"'],
    ['an unknown seniority', 'rules:\n  - { name: r, when: { seniorities: [boss] }, channels: [slack] }', 'rules.0.when.seniorities.0: Invalid option'],
    ['a rule name with spaces', 'rules:\n  - { name: Hot Leads, channels: [slack] }', 'rules.0.name: must be 1–63 lower-case'],
    ['two rules with one name', 'rules:\n  - { name: r, channels: [slack] }\n  - { name: r, channels: [webhook] }', 'rules.1.name: is used twice'],
    ['an undefined tier', 'tiers: [{ name: gold, min_score: 90 }]\nrules:\n  - { name: r, when: { tiers: [A] }, channels: [slack] }', 'rules.0.when.tiers.0: "A" is not a defined tier (gold)'],
    ['two tiers with one score', 'tiers: [{ name: A, min_score: 80 }, { name: B, min_score: 80 }]\nrules:\n  - { name: r, channels: [slack] }', 'tiers.1.min_score: is used by another tier too'],
    ['no rules', 'tiers: [{ name: A, min_score: 80 }]', 'rules: Invalid input'],
    ['a list where a mapping belongs', '- name: r', '(root): Invalid input'],
  ])('refuses %s, saying where and why', (_case, text, expected) => {
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(expected);
  });

  it('refuses YAML that does not parse, with the line', () => {
    const [issue] = issuesOf('rules:\n  - name: r\n   channels: [slack');
    expect(issue).toMatch(/line \d+/);
  });

  it('refuses a rule naming a channel that has no URL, naming the variable', () => {
    expect(issuesOf('rules:\n  - { name: r, channels: [webhook, slack] }', new Set(['webhook']))).toEqual([
      'rules.0.channels.1: "slack" is not configured (NOTIFIER_SLACK_WEBHOOK_URL is empty)',
    ]);
  });

  it('reads the example file the docs point to', () => {
    const file = resolve(__dirname, '../../../../examples/notifier-rules.yaml');
    const rules = parseRules(readFileSync(file, 'utf8'), file, both);
    expect(rules.rules.map((r) => r.name)).toEqual(['score-threshold', 'tier-a', 'dach-decision-makers', 'fintech-and-software']);
    expect(matchRules(rules.rules, lead({ score: 55, tier: 'C', industry: null })).map((r) => r.name)).toEqual(['dach-decision-makers']);
  });

  it('names the file in the error message', () => {
    expect(() => parseRules('rules: []', '/etc/leadpipe/rules.yaml', both)).toThrow(/^Invalid notification rules in \/etc\/leadpipe\/rules.yaml:\n {2}rules: /);
  });
});

describe('loadRules', () => {
  const env = { NOTIFIER_SCORE_THRESHOLD: 70, NOTIFIER_WEBHOOK_URL: 'http://hooks.example/leads', NOTIFIER_SLACK_WEBHOOK_URL: '' };

  it('without a file, is the score threshold on every configured channel under the old rule name', () => {
    expect(loadRules(env).rules).toEqual([{ name: DEFAULT_RULE, minScore: 70, channels: ['webhook'] }]);
    expect(loadRules({ ...env, NOTIFIER_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X' }).rules[0].channels).toEqual(['slack', 'webhook']);
  });

  it('reads the file NOTIFIER_RULES_FILE names', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rules-')), 'rules.yaml');
    writeFileSync(file, 'rules:\n  - { name: all, channels: [webhook] }\n');
    expect(loadRules({ ...env, NOTIFIER_RULES_FILE: file }).rules.map((r) => r.name)).toEqual(['all']);
  });

  it('says so when the file cannot be read', () => {
    expect(() => loadRules({ ...env, NOTIFIER_RULES_FILE: '/nonexistent/rules.yaml' })).toThrow(/\/nonexistent\/rules.yaml:\n {2}cannot be read: .*ENOENT/);
  });
});

describe('tierOf', () => {
  it.each([
    [100, 'A'],
    [80, 'A'],
    [79, 'B'],
    [60, 'B'],
    [0, 'C'],
  ])('puts %i in tier %s', (score, tier) => {
    expect(tierOf(DEFAULT_TIERS, score)).toBe(tier);
  });

  it('is null below the lowest tier', () => {
    expect(tierOf([{ name: 'hot', minScore: 90 }], 89)).toBeNull();
  });
});

describe('matchRules', () => {
  const rules = parseRules(EXAMPLE, 'rules.yaml', both).rules;
  const names = (facts: LeadFacts) => matchRules(rules, facts).map((r) => r.name);

  it('gives every rule a lead satisfies: one lead may match several', () => {
    expect(names(lead())).toEqual(['dach-decision-makers', 'tier-a-software', 'everything']);
  });

  it('needs every condition of a rule, and any entry of a list', () => {
    expect(names(lead({ country: 'CH', seniority: 'director' }))).toContain('dach-decision-makers');
    expect(names(lead({ country: 'FR' }))).not.toContain('dach-decision-makers');
    expect(names(lead({ seniority: 'individual' }))).not.toContain('dach-decision-makers');
    expect(names(lead({ score: 69, tier: 'B' }))).toEqual(['everything']);
  });

  it('compares industries without case and countries in upper case', () => {
    expect(names(lead({ industry: 'SOFTWARE DEVELOPMENT', country: 'de' }))).toEqual(['dach-decision-makers', 'tier-a-software', 'everything']);
  });

  it('does not match a condition on a fact the lead lacks', () => {
    expect(names(lead({ industry: null, country: null, seniority: null, tier: null }))).toEqual(['everything']);
  });
});
