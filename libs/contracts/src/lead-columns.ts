/**
 * How a CSV of leads maps onto the ingest API's fields. One set of rules for every reader of
 * such a file (ingest's `POST /api/leads/import`, the CLI), so a file means the same thing
 * whichever way it is sent.
 */

/** The lead fields a CSV column can feed, in the order the CLI's output CSV lists them (ingest's field names). */
export const LEAD_FIELDS = ['email', 'first_name', 'last_name', 'company_domain', 'linkedin_url'] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

/** One CSV row as the ingest API wants it: trimmed values, empty cells left out. */
export type LeadFieldValues = Partial<Record<LeadField, string>>;

/**
 * Header spellings seen in CRM and spreadsheet exports, already normalised by
 * {@link normaliseColumnName}. "company" alone is deliberately absent: in exports it is the
 * company name, and treating a name as a domain would send the enricher after the wrong company.
 */
const HEADER_ALIASES: Readonly<Record<LeadField, readonly string[]>> = {
  email: ['email', 'emailaddress', 'mail', 'workemail', 'businessemail', 'emailwork'],
  first_name: ['firstname', 'first', 'givenname', 'forename', 'fname'],
  last_name: ['lastname', 'last', 'surname', 'familyname', 'lname'],
  company_domain: ['companydomain', 'domain', 'website', 'companywebsite', 'companyurl', 'companysite', 'websiteurl', 'web'],
  linkedin_url: ['linkedin', 'linkedinurl', 'linkedinprofile', 'linkedinprofileurl', 'linkedinlink', 'profileurl', 'liurl'],
};

const FIELD_BY_ALIAS: ReadonlyMap<string, LeadField> = new Map(
  LEAD_FIELDS.flatMap((field) => HEADER_ALIASES[field].map((alias) => [alias, field] as const)),
);

/** Case, spaces, dashes, underscores and dots carry no meaning in a header: `E-mail` = `email`, `First Name` = `first_name`. */
export function normaliseColumnName(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

export interface LeadColumnMapping {
  /** The lead field each column feeds, by column index; null for a column that is ignored. */
  readonly columns: readonly (LeadField | null)[];
  /** Non-empty headers that map to no lead field, as written in the file. */
  readonly ignored: readonly string[];
  /** Fields fed by more than one column; the first non-empty cell wins. */
  readonly duplicated: readonly LeadField[];
}

/** Maps a CSV header row to lead fields, ignoring case and punctuation (see {@link normaliseColumnName}). */
export function mapLeadColumns(headers: readonly string[]): LeadColumnMapping {
  const seen = new Set<LeadField>();
  const duplicated = new Set<LeadField>();
  const ignored: string[] = [];
  const columns = headers.map((header) => {
    const field = FIELD_BY_ALIAS.get(normaliseColumnName(header)) ?? null;
    if (field === null) {
      if (header.trim() !== '') ignored.push(header.trim());
      return null;
    }
    if (seen.has(field)) duplicated.add(field);
    seen.add(field);
    return field;
  });
  return { columns, ignored, duplicated: [...duplicated] };
}

/** A file without an e-mail or LinkedIn column cannot produce a single acceptable lead. */
export function hasIdentityColumn(mapping: LeadColumnMapping): boolean {
  return mapping.columns.some((field) => field === 'email' || field === 'linkedin_url');
}

/** Builds the lead from one record: values trimmed, empty cells dropped, first non-empty cell per field kept. */
export function toLeadFieldValues(mapping: LeadColumnMapping, cells: readonly string[]): LeadFieldValues {
  const values: LeadFieldValues = {};
  mapping.columns.forEach((field, index) => {
    if (field === null || values[field] !== undefined) return;
    const value = (cells[index] ?? '').trim();
    if (value !== '') values[field] = value;
  });
  return values;
}
