import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_SCORING_RULES, loadScoringRules, parseScoringRules, ScoringRulesError } from './scoring-rules';

/** The ScoringRulesError `load` throws; fails the test when it loads. */
function errorOf(load: () => unknown): ScoringRulesError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ScoringRulesError);
    return error as ScoringRulesError;
  }
  throw new Error('expected a ScoringRulesError, but the rules loaded');
}

describe('scoring rules', () => {
  it('uses the built-in rules when no file is configured', () => {
    expect(loadScoringRules(undefined)).toBe(DEFAULT_SCORING_RULES);
  });

  it('reads the example file of the repository', () => {
    const rules = loadScoringRules(resolve(__dirname, '../../../examples/scoring.yaml'));
    expect(rules.seniority.c_level).toBeGreaterThan(0);
    expect(Object.keys(rules.country).every((code) => /^([A-Z]{2}|\*)$/.test(code))).toBe(true);
  });

  it('reads JSON as well as YAML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scoring-'));
    const file = join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ seniority: { vp: 40 }, signals: { work_email: 5 } }));
    expect(loadScoringRules(file)).toMatchObject({ seniority: { vp: 40 }, job_function: {}, signals: { work_email: 5, current_position: 0 } });
  });

  it('normalises industry names and country codes as the lead values are', () => {
    const rules = parseScoringRules("industry: { 'Computer Software': 10, 'information technology & services': 8 }\ncountry: { de: 5, '*': 1 }", 'r.yaml');
    expect(rules.industry).toEqual({ 'Software Development': 10, 'IT Services and IT Consulting': 8 });
    expect(rules.country).toEqual({ DE: 5, '*': 1 });
  });

  it.each([
    ['seniority: { ceo: 10 }', 'seniority.ceo: unknown value; expected one of c_level, vp, director, manager, individual, *'],
    ['job_function: { sales: "ten" }', 'job_function.sales: Invalid input: expected number, received string'],
    ['company_size: { "51-200": 12.5 }', 'company_size.51-200: must be a whole number'],
    ['country: { Germany: 5 }', 'country.Germany: must be an ISO 3166-1 alpha-2 code (e.g. DE) or *'],
    ['seniority: { vp: 500 }', 'seniority.vp: must be between -100 and 100'],
    ['signals: { linkedin: 5 }', 'signals: Unrecognized key: "linkedin"'],
    ['titles: { vp: 5 }', '(root): Unrecognized key: "titles"'],
    ['version: 2', 'version: Invalid input: expected 1'],
    ['seniority: [vp]', 'seniority: Invalid input: expected record, received array'],
  ])('refuses %s naming where and why', (text, issue) => {
    const error = errorOf(() => parseScoringRules(text, '/etc/leadpipe/scoring.yaml'));
    expect(error.issues).toEqual([issue]);
    expect(error.message).toContain('VALIDATOR_SCORING_FILE /etc/leadpipe/scoring.yaml');
  });

  it('names a file that is missing or not YAML', () => {
    expect(errorOf(() => loadScoringRules('/nonexistent/scoring.yaml')).issues).toEqual(['(file): cannot be read: ENOENT']);
    expect(errorOf(() => parseScoringRules('seniority: { vp: 1', 'broken.yaml')).issues[0]).toMatch(/^\(file\): not YAML or JSON: /);
  });
});
