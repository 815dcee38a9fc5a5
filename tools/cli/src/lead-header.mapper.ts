/** The lead fields the ingest API accepts, in the order the output CSV lists them. */
export const LEAD_FIELDS = ['email', 'first_name', 'last_name', 'company_domain', 'linkedin_url'] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

/** One CSV row as the ingest API wants it: trimmed values, empty cells left out. */
export type LeadInput = Partial<Record<LeadField, string>>;

/**
 * Header spellings seen in CRM and spreadsheet exports, already normalised by
 * {@link normaliseHeader}. "company" alone is deliberately absent: in exports it is the
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
export function normaliseHeader(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

export interface HeaderMapping {
  /** The lead field each column feeds, by column index; null for a column the tool ignores. */
  readonly columns: readonly (LeadField | null)[];
  /** Non-empty headers that map to no lead field, as written in the file. */
  readonly ignored: readonly string[];
  /** Fields fed by more than one column; the first non-empty cell wins. */
  readonly duplicated: readonly LeadField[];
}

export function mapHeaders(headers: readonly string[]): HeaderMapping {
  const seen = new Set<LeadField>();
  const duplicated = new Set<LeadField>();
  const ignored: string[] = [];
  const columns = headers.map((header) => {
    const field = FIELD_BY_ALIAS.get(normaliseHeader(header)) ?? null;
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
export function hasIdentityColumn(mapping: HeaderMapping): boolean {
  return mapping.columns.some((field) => field === 'email' || field === 'linkedin_url');
}

/** Builds the lead from one record: values trimmed, empty cells dropped, first non-empty cell per field kept. */
export function toLeadInput(mapping: HeaderMapping, cells: readonly string[]): LeadInput {
  const input: LeadInput = {};
  mapping.columns.forEach((field, index) => {
    if (field === null || input[field] !== undefined) return;
    const value = (cells[index] ?? '').trim();
    if (value !== '') input[field] = value;
  });
  return input;
}
