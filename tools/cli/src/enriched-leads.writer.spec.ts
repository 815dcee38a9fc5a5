import { parse } from 'csv-parse/sync';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTPUT_COLUMNS, toOutputRecord, writeEnrichedLeads } from './enriched-leads.writer';
import type { TrackedLead } from './tracked-lead';

const enriched: TrackedLead = {
  row: 2,
  id: 'b9d4c1e6-5f0a-4c4e-9d51-0f7c2f0e8a11',
  input: { email: 'zoe.brennan@acme-corp.com', first_name: 'Zoë', last_name: 'Brennan', company_domain: 'acme-corp.com' },
  view: {
    id: 'b9d4c1e6-5f0a-4c4e-9d51-0f7c2f0e8a11',
    status: 'enriched',
    status_reason: null,
    reasons: ['work_email', 'senior_title'],
    score: 81,
    enrichment: {
      provider: 'netrows',
      provider_calls: 2,
      fetched_at: '2025-01-01T00:00:01.000Z',
      person: {
        full_name: 'Zoë Brennan',
        first_name: 'Zoë',
        last_name: 'Brennan',
        headline: 'VP Sales, EMEA | "Builder"',
        title: 'VP Sales',
        seniority: 'vp',
        company_name: 'Acme Corp',
        city: 'Dublin, Leinster',
        country_code: 'ie',
        linkedin_url: 'https://www.linkedin.com/in/zoe-brennan/',
        skills: ['Negotiation', 'SaaS', 'CRM'],
      },
      company: { name: 'Acme Corp', domain: 'acme-corp.com', industry: 'Software', staff_count: 240, linkedin_url: null, country: 'IE' },
    },
  },
};
const pending: TrackedLead = { row: 1, id: 'a1', input: { linkedin_url: 'https://www.linkedin.com/in/ada/' }, view: null };

describe('toOutputRecord', () => {
  it('flattens a pending lead with only its input', () => {
    const record = toOutputRecord(pending);
    expect(record).toMatchObject({ row: 1, lead_id: 'a1', status: 'received', input_linkedin_url: 'https://www.linkedin.com/in/ada/' });
    expect(record.person_full_name).toBeNull();
    expect(record.provider_calls).toBeNull();
  });
});

describe('writeEnrichedLeads', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'leadpipe-cli-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes one row per lead in input order, with quoting and joined skills', async () => {
    const out = join(dir, 'nested', 'enriched.csv');
    await writeEnrichedLeads(out, [enriched, pending]);

    const text = await readFile(out, 'utf8');
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual([...OUTPUT_COLUMNS]);
    expect(rows.map((r) => r[0])).toEqual(['1', '2']);
    const row = Object.fromEntries(header.map((column, i) => [column, rows[1][i]]));
    expect(row).toMatchObject({
      lead_id: enriched.id,
      status: 'enriched',
      reasons: 'work_email;senior_title',
      score: '81',
      input_first_name: 'Zoë',
      person_headline: 'VP Sales, EMEA | "Builder"',
      person_city: 'Dublin, Leinster',
      person_skills: 'Negotiation;SaaS;CRM',
      company_staff_count: '240',
      company_linkedin_url: '',
      provider_calls: '2',
    });
    expect(await readdir(join(dir, 'nested'))).toEqual(['enriched.csv']);
  });

  it('writes a header-only file when nothing was accepted', async () => {
    const out = join(dir, 'empty.csv');
    await writeEnrichedLeads(out, []);
    expect(await readFile(out, 'utf8')).toBe(`${OUTPUT_COLUMNS.join(',')}\n`);
  });
});
