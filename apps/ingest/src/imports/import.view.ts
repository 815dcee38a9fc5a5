import type { LeadStatus } from '@leadpipe/contracts';
import type { ImportEntity, ImportRowError, ImportStatus } from '@leadpipe/persistence';
import type { ImportCounts } from './import-tally';

/** The answer to `POST /api/leads/import` (also inside the body of a failed one). */
export interface ImportSummary {
  import_id: string;
  status: ImportStatus;
  /** Why a `failed` import stopped; null otherwise. */
  failure: string | null;
  /** Data rows handled (header excluded): rows 1..rows were accepted, rejected or blank. */
  rows: number;
  accepted: number;
  rejected: number;
  blank: number;
  /** The first errors, in row order. */
  errors: ImportRowError[];
  /** Errors past the first INGEST_IMPORT_MAX_ERRORS, counted only. */
  errors_truncated: number;
  /** Rows this upload skipped because an earlier upload of the same import had handled them. */
  resumed_after_row: number;
}

/** `GET /api/imports/:id`: the record, and where its leads stand now. */
export interface ImportView extends Omit<ImportSummary, 'resumed_after_row'> {
  file_name: string | null;
  /** Uploads of this import so far (more than 1 once resumed). */
  attempts: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** The import's leads by status; the sum is `accepted` (less any lead erased since). */
  leads: Record<LeadStatus, number>;
}

export function importSummary(
  importId: string,
  status: ImportStatus,
  failure: string | null,
  counts: ImportCounts,
  resumedAfterRow: number,
): ImportSummary {
  return {
    import_id: importId,
    status,
    failure,
    rows: counts.rows,
    accepted: counts.accepted,
    rejected: counts.rejected,
    blank: counts.blank,
    errors: [...counts.errors],
    errors_truncated: counts.errorsTruncated,
    resumed_after_row: resumedAfterRow,
  };
}

export function importView(record: ImportEntity, leads: Record<LeadStatus, number>): ImportView {
  return {
    import_id: record.id,
    status: record.status,
    failure: record.failure,
    rows: record.rows,
    accepted: record.accepted,
    rejected: record.rejected,
    blank: record.blank,
    errors: record.errors,
    errors_truncated: record.errorsTruncated,
    file_name: record.fileName,
    attempts: record.attempt,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
    finished_at: record.finishedAt?.toISOString() ?? null,
    leads,
  };
}
