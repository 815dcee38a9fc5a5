import { stringify } from 'csv-stringify';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { statusOf, type TrackedLead } from './tracked-lead';

export const OUTPUT_COLUMNS = [
  'row',
  'lead_id',
  'status',
  'status_reason',
  'reasons',
  'score',
  'input_email',
  'input_first_name',
  'input_last_name',
  'input_company_domain',
  'input_linkedin_url',
  'person_full_name',
  'person_first_name',
  'person_last_name',
  'person_headline',
  'person_title',
  'person_seniority',
  'person_company_name',
  'person_city',
  'person_country_code',
  'person_linkedin_url',
  'person_skills',
  'company_name',
  'company_domain',
  'company_industry',
  'company_staff_count',
  'company_linkedin_url',
  'company_country',
  'provider',
  'provider_calls',
  'fetched_at',
] as const;
export type OutputColumn = (typeof OUTPUT_COLUMNS)[number];
export type OutputRecord = Record<OutputColumn, string | number | null>;

/** Lists inside one CSV cell are joined with ';' since ',' would force quoting in every row. */
const LIST_SEPARATOR = ';';

export function toOutputRecord(lead: TrackedLead): OutputRecord {
  const view = lead.view;
  const person = view?.enrichment?.person ?? null;
  const company = view?.enrichment?.company ?? null;
  return {
    row: lead.row,
    lead_id: lead.id,
    status: statusOf(lead),
    status_reason: view?.status_reason ?? null,
    reasons: view?.reasons?.join(LIST_SEPARATOR) ?? null,
    score: view?.score ?? null,
    input_email: lead.input.email ?? null,
    input_first_name: lead.input.first_name ?? null,
    input_last_name: lead.input.last_name ?? null,
    input_company_domain: lead.input.company_domain ?? null,
    input_linkedin_url: lead.input.linkedin_url ?? null,
    person_full_name: person?.full_name ?? null,
    person_first_name: person?.first_name ?? null,
    person_last_name: person?.last_name ?? null,
    person_headline: person?.headline ?? null,
    person_title: person?.title ?? null,
    person_seniority: person?.seniority ?? null,
    person_company_name: person?.company_name ?? null,
    person_city: person?.city ?? null,
    person_country_code: person?.country_code ?? null,
    person_linkedin_url: person?.linkedin_url ?? null,
    person_skills: person?.skills?.join(LIST_SEPARATOR) ?? null,
    company_name: company?.name ?? null,
    company_domain: company?.domain ?? null,
    company_industry: company?.industry ?? null,
    company_staff_count: company?.staff_count ?? null,
    company_linkedin_url: company?.linkedin_url ?? null,
    company_country: company?.country ?? null,
    provider: view?.enrichment?.provider ?? null,
    provider_calls: view?.enrichment?.provider_calls ?? null,
    fetched_at: view?.enrichment?.fetched_at ?? null,
  };
}

function* outputRecords(leads: readonly TrackedLead[]): Generator<OutputRecord> {
  for (const lead of leads) yield toOutputRecord(lead);
}

/**
 * Streams one row per accepted lead, in input order, to `path`. Written to a temporary
 * sibling and renamed at the end so a crash never leaves a half-written file that looks complete.
 */
export async function writeEnrichedLeads(path: string, leads: readonly TrackedLead[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const ordered = [...leads].sort((a, b) => a.row - b.row);
  try {
    await pipeline(
      Readable.from(outputRecords(ordered)),
      stringify({ header: true, columns: [...OUTPUT_COLUMNS] }),
      createWriteStream(partial, { encoding: 'utf8' }),
    );
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
