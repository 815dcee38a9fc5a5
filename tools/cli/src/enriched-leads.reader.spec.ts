import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrackedLeads } from './enriched-leads.reader';
import { writeEnrichedLeads } from './enriched-leads.writer';
import type { TrackedLead } from './tracked-lead';

const enriched: TrackedLead = {
  row: 2,
  id: 'b9d4c1e6-5f0a-4c4e-9d51-0f7c2f0e8a11',
  input: { email: 'zoe.brennan@acme-corp.com', first_name: 'Zoë', company_domain: 'acme-corp.com' },
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
        last_name: null,
        headline: 'VP Sales, EMEA | "Builder"',
        title: 'VP Sales',
        seniority: 'vp',
        company_name: 'Acme Corp',
        city: 'Dublin, Leinster',
        country_code: 'ie',
        linkedin_url: 'https://www.linkedin.com/in/zoe-brennan/',
        skills: ['Negotiation', 'SaaS'],
      },
      company: { name: 'Acme Corp', domain: 'acme-corp.com', industry: 'Software', staff_count: 240, linkedin_url: null, country: 'IE' },
    },
  },
};
const notFound: TrackedLead = {
  row: 3,
  id: 'c0ffee00-0000-4000-8000-000000000003',
  input: { email: 'unknown@acme-corp.com' },
  view: {
    id: 'c0ffee00-0000-4000-8000-000000000003',
    status: 'not_found',
    status_reason: 'person not found',
    reasons: [],
    score: null,
    enrichment: { provider: 'netrows', provider_calls: 1, fetched_at: null, person: null, company: null },
  },
};
const pending: TrackedLead = { row: 1, id: 'a1', input: { linkedin_url: 'https://www.linkedin.com/in/ada/' }, view: null };

describe('readTrackedLeads', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'leadpipe-reader-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads back what writeEnrichedLeads wrote, so writing it again gives the same file', async () => {
    const first = join(dir, 'first.csv');
    const second = join(dir, 'second.csv');
    await writeEnrichedLeads(first, [enriched, notFound, pending]);

    const leads = await readTrackedLeads(createReadStream(first));
    await writeEnrichedLeads(second, leads);

    expect(await readFile(second, 'utf8')).toBe(await readFile(first, 'utf8'));
    expect(leads.map((lead) => [lead.row, lead.id, lead.view?.status ?? null])).toEqual([
      [1, 'a1', 'received'],
      [2, enriched.id, 'enriched'],
      [3, notFound.id, 'not_found'],
    ]);
    expect(leads[1].input).toEqual(enriched.input);
    expect(leads[1].view?.enrichment?.provider_calls).toBe(2);
  });

  it('names the line of a row without a lead id', async () => {
    const file = join(dir, 'broken.csv');
    await writeEnrichedLeads(file, [pending]);
    await writeFile(file, (await readFile(file, 'utf8')).replace(',a1,', ',,'));
    await expect(readTrackedLeads(createReadStream(file))).rejects.toThrow('line 2: expected a row number and a lead_id, got "1" and ""');
  });
});
