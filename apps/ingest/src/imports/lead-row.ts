import { LeadColumnMapping, toLeadFieldValues } from '@leadpipe/contracts';
import { CreateLeadBody, FieldError, parseCreateLeadBody } from '../create-lead.dto';

/** The `field` of an error about the row as a whole rather than one of its cells. */
export const ROW_FIELD = '(row)';

export type LeadRowOutcome =
  | { kind: 'lead'; body: CreateLeadBody }
  /** Every lead cell empty (a spacer row, a row with only notes): skipped, not an error. */
  | { kind: 'blank' }
  | { kind: 'invalid'; errors: FieldError[] };

/**
 * Turns one data record into a lead body, with the same validation as `POST /api/leads`.
 *
 * A record shorter than the header is read as if its missing trailing cells were empty
 * (exporters drop them). A record with non-empty cells past the header is refused: it usually
 * means an unquoted comma shifted the cells, and the shifted values would be taken for the
 * wrong fields.
 */
export function checkLeadRow(mapping: LeadColumnMapping, cells: readonly string[]): LeadRowOutcome {
  const width = mapping.columns.length;
  if (cells.length > width && cells.slice(width).some((cell) => cell.trim() !== '')) {
    return {
      kind: 'invalid',
      errors: [{ field: ROW_FIELD, reason: `has ${cells.length} cells but the header has ${width} columns (an unquoted comma?)` }],
    };
  }
  const values = toLeadFieldValues(mapping, cells);
  if (Object.keys(values).length === 0) return { kind: 'blank' };
  const parsed = parseCreateLeadBody(values);
  return parsed.ok ? { kind: 'lead', body: parsed.value } : { kind: 'invalid', errors: parsed.errors };
}
