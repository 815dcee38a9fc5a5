import { hasIdentityColumn, LeadColumnMapping, mapLeadColumns } from '@leadpipe/contracts';
import type { CreateLeadBody } from '../create-lead.dto';
import { CsvImportError } from './csv-import.error';
import type { CsvRecord } from './csv-records';
import { ImportCounts, ImportTally } from './import-tally';
import { checkLeadRow } from './lead-row';

/** Where an import starts: a new one from nothing, a resumed one from its committed counts. */
export interface ImportStart {
  readonly importId: string;
  /** Rows 1..counts.rows are already handled (a resumed import) and are skipped unread. */
  readonly counts: ImportCounts;
}

export interface CsvImportPlan {
  /** Valid rows per commit. */
  readonly chunkSize: number;
  /** Data rows read at most; the next one stops the import with `row_limit`. */
  readonly maxRows: number;
  readonly maxErrors: number;
  /** Aborting stops the import before its next row (`stopped`); what is committed stays. */
  readonly signal?: AbortSignal;
  /** Called once the header is known good, before any row is accepted: creates or takes over the import. */
  begin(mapping: LeadColumnMapping): Promise<ImportStart>;
  /**
   * Stores `bodies` as accepted leads together with `counts` (the counts through the last row
   * handled), in one transaction. May be called with no bodies to store counts alone. `done`:
   * the file was read to its end and this is its last commit, which completes the import.
   */
  commit(bodies: readonly CreateLeadBody[], counts: ImportCounts, done: boolean): Promise<void>;
  /**
   * Before each commit: the positions of valid rows that must not be stored after all (people
   * who asked to be erased); they are counted as rejected with `reason` instead.
   */
  screen?(bodies: readonly CreateLeadBody[]): Promise<Array<{ index: number; field: string; reason: string }>>;
}

export interface ImportRun {
  readonly importId: string;
  /** The counts as committed: exactly what was accepted. */
  readonly counts: ImportCounts;
  /** Rows skipped because an earlier upload of this import had handled them. */
  readonly resumedAfterRow: number;
}

/** An import that stopped after it began: the failure, and what had been committed by then. */
export class ImportStoppedError extends Error {
  override readonly name = 'ImportStoppedError';

  constructor(
    readonly failure: CsvImportError,
    readonly run: ImportRun,
  ) {
    super(failure.message, { cause: failure });
  }
}

/**
 * Imports the records of one CSV: the header is mapped (400-type errors before anything is
 * written), then valid rows are committed `chunkSize` at a time with the counts through their
 * last row. The next record is read only once the previous chunk is committed, so the upload is
 * paused while the database works and memory holds at most one chunk.
 *
 * When the source fails midway (disconnect, size limit, unreadable CSV) or the row limit is
 * reached, the rows already read in full are committed, then the import stops with
 * {@link ImportStoppedError}. When a commit fails, nothing more is written. Either way, the
 * error carries the committed counts.
 */
export async function runCsvImport(records: AsyncIterable<CsvRecord>, plan: CsvImportPlan): Promise<ImportRun> {
  const iterator = records[Symbol.asyncIterator]();
  try {
    const header = await iterator.next();
    if (header.done) throw new CsvImportError('empty_file', 'the file is empty: expected a header line');
    const mapping = mapLeadColumns(header.value.cells);
    if (!hasIdentityColumn(mapping)) {
      const found = header.value.cells.map((cell) => cell.trim()).filter(Boolean).join(', ').slice(0, 300);
      throw new CsvImportError('no_identity_column', `the header has neither an e-mail nor a LinkedIn column (found: ${found || 'nothing'})`);
    }
    const start = await plan.begin(mapping);
    return await importRows(iterator, mapping, start, plan);
  } finally {
    // Stops the parser when the import ends before the file does.
    await iterator.return?.();
  }
}

async function importRows(
  iterator: AsyncIterator<CsvRecord>,
  mapping: LeadColumnMapping,
  start: ImportStart,
  plan: CsvImportPlan,
): Promise<ImportRun> {
  const resumedAfterRow = start.counts.rows;
  const tally = new ImportTally(plan.maxErrors, start.counts);
  let committed = start.counts;
  let pending: CreateLeadBody[] = [];
  let pendingRows: Array<{ row: number; line: number }> = [];
  const run = (): ImportRun => ({ importId: start.importId, counts: committed, resumedAfterRow });
  const commit = async (done: boolean): Promise<void> => {
    try {
      const refused = pending.length > 0 && plan.screen ? await plan.screen(pending) : [];
      for (const { index, field, reason } of refused) tally.reclassifyAsRejected(pendingRows[index].row, pendingRows[index].line, [{ field, reason }]);
      const dropped = new Set(refused.map((r) => r.index));
      pending = pending.filter((_, i) => !dropped.has(i));
    } catch (error) {
      throw new ImportStoppedError(new CsvImportError('storage_failed', `checking a chunk failed: ${messageOf(error)}`, { cause: error }), run());
    }
    const counts = tally.snapshot();
    if (!done && pending.length === 0 && counts.rows === committed.rows) return;
    try {
      await plan.commit(pending, counts, done);
    } catch (error) {
      const failure = error instanceof CsvImportError ? error : new CsvImportError('storage_failed', `storing a chunk failed: ${messageOf(error)}`, { cause: error });
      throw new ImportStoppedError(failure, run());
    }
    committed = counts;
    pending = [];
    pendingRows = [];
  };

  let stop: CsvImportError | null = null;
  for (let row = 1; ; row++) {
    let next: IteratorResult<CsvRecord>;
    try {
      next = await iterator.next();
    } catch (error) {
      stop = error instanceof CsvImportError ? error : new CsvImportError('client_disconnected', `the upload broke off: ${messageOf(error)}`, { cause: error });
      break;
    }
    if (next.done) break;
    if (row <= resumedAfterRow) continue;
    if (row > plan.maxRows) {
      stop = new CsvImportError('row_limit', `the file has more than INGEST_IMPORT_MAX_ROWS (${plan.maxRows}) rows; rows 1-${plan.maxRows} were handled`);
      break;
    }
    if (plan.signal?.aborted) {
      stop = new CsvImportError('stopped', `ingest is shutting down; rows 1-${row - 1} were handled`);
      break;
    }
    const outcome = checkLeadRow(mapping, next.value.cells);
    if (outcome.kind === 'lead') {
      tally.accept(row);
      pending.push(outcome.body);
      pendingRows.push({ row, line: next.value.line });
      if (pending.length >= plan.chunkSize) await commit(false);
    } else if (outcome.kind === 'blank') {
      tally.skipBlank(row);
    } else {
      tally.reject(row, next.value.line, outcome.errors);
    }
  }
  // Every record read so far was complete (the parser yields only whole records): keep them.
  await commit(stop === null);
  if (stop) throw new ImportStoppedError(stop, run());
  return run();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
