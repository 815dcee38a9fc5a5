import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { OUTPUT_COLUMNS, type OutputColumn } from './enriched-leads.writer';
import type { LeadView } from './ingest-api.schema';
import { CsvInputError } from './lead-csv.reader';
import type { TrackedLead } from './tracked-lead';
import type { LeadFieldValues } from '@leadpipe/contracts';

const REQUIRED: readonly OutputColumn[] = ['row', 'lead_id', 'status'];
const LIST_SEPARATOR = ';';

/**
 * Reads back a CSV written by {@link writeEnrichedLeads} (an earlier `import`, possibly with
 * `--no-wait` or stopped at its timeout) as tracked leads: the ones still `received` are
 * followed again, the terminal ones keep what the file says, so nothing is fetched twice.
 */
export async function readTrackedLeads(source: Readable): Promise<TrackedLead[]> {
  const parser = source.pipe(parse({ bom: true, columns: true, skip_empty_lines: true, info: true }));
  source.once('error', (error) => parser.destroy(error));
  const leads: TrackedLead[] = [];
  for await (const parsed of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    const { record, info } = parsed;
    if (leads.length === 0) {
      const missing = REQUIRED.filter((column) => !(column in record));
      if (missing.length > 0) throw new CsvInputError(`not a file written by leadpipe import: no ${missing.join(', ')} column`);
    }
    const row = Number(record.row);
    if (!Number.isInteger(row) || row < 1 || !record.lead_id) {
      throw new CsvInputError(`line ${info.lines}: expected a row number and a lead_id, got "${record.row}" and "${record.lead_id}"`);
    }
    leads.push(fromOutputRecord(row, record));
  }
  return leads;
}

/** The inverse of `toOutputRecord`: written again, the lead gives the same CSV row. */
export function fromOutputRecord(row: number, record: Readonly<Partial<Record<OutputColumn, string>>>): TrackedLead {
  const cell = (column: OutputColumn): string | null => (record[column] ? record[column] : null);
  const number = (column: OutputColumn): number | null => (cell(column) === null ? null : Number(cell(column)));
  const list = (column: OutputColumn): string[] | null => cell(column)?.split(LIST_SEPARATOR) ?? null;
  const id = record.lead_id ?? '';
  const input: LeadFieldValues = Object.fromEntries(
    (['email', 'first_name', 'last_name', 'company_domain', 'linkedin_url'] as const).flatMap((field) => {
      const value = cell(`input_${field}`);
      return value === null ? [] : [[field, value]];
    }),
  );
  const status = cell('status');
  if (status === null) return { row, id, input, view: null };
  const hasPerson = OUTPUT_COLUMNS.some((column) => column.startsWith('person_') && cell(column) !== null);
  const hasCompany = OUTPUT_COLUMNS.some((column) => column.startsWith('company_') && cell(column) !== null);
  const view: LeadView = {
    id,
    status,
    status_reason: cell('status_reason'),
    reasons: list('reasons') ?? [],
    score: number('score'),
    enrichment:
      cell('provider') === null
        ? null
        : {
            provider: cell('provider') ?? '',
            provider_calls: number('provider_calls') ?? 0,
            fetched_at: cell('fetched_at'),
            person: hasPerson
              ? {
                  full_name: cell('person_full_name'),
                  first_name: cell('person_first_name'),
                  last_name: cell('person_last_name'),
                  headline: cell('person_headline'),
                  title: cell('person_title'),
                  seniority: cell('person_seniority'),
                  company_name: cell('person_company_name'),
                  city: cell('person_city'),
                  country_code: cell('person_country_code'),
                  linkedin_url: cell('person_linkedin_url'),
                  skills: list('person_skills'),
                }
              : null,
            company: hasCompany
              ? {
                  name: cell('company_name'),
                  domain: cell('company_domain'),
                  industry: cell('company_industry'),
                  staff_count: number('company_staff_count'),
                  linkedin_url: cell('company_linkedin_url'),
                  country: cell('company_country'),
                }
              : null,
          },
  };
  return { row, id, input, view };
}
