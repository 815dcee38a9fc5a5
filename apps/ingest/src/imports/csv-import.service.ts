import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { LeadsService } from '../leads.service';
import { CsvImportError } from './csv-import.error';
import { ImportStoppedError, runCsvImport } from './csv-import.runner';
import { readCsvRecords } from './csv-records';
import { discardRest, openCsvUpload } from './csv-upload';
import { ImportCounts } from './import-tally';
import { ImportStore } from './import.store';
import { importSummary, ImportSummary, importView, ImportView } from './import.view';
import { ImportMetrics } from './imports.metrics';

/** How long a refused upload's rest is read before the connection is closed on it (nginx's lingering_time). */
export const DISCARD_TIMEOUT_MS = 30_000;

/** An import that stopped after it began; `summary` says what it had committed. */
export class ImportFailedError extends Error {
  override readonly name = 'ImportFailedError';

  constructor(
    readonly failure: CsvImportError,
    readonly summary: ImportSummary,
  ) {
    super(failure.message, { cause: failure });
  }
}

export interface ImportRequest {
  /** A client-chosen id: lets the client find the import after a broken connection and resume it. */
  importId?: string;
  correlationId?: string;
}

/**
 * `POST /api/leads/import`: streams an uploaded CSV into accepted leads, a chunk per transaction
 * (see {@link runCsvImport}), and keeps the `imports` record in step with every chunk.
 */
@Injectable()
export class CsvImportService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CsvImportService.name);
  private readonly shutdown = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly leads: LeadsService,
    private readonly store: ImportStore,
    private readonly metrics: ImportMetrics,
    @Inject(APP_CONFIG) private readonly config: IngestEnv,
  ) {}

  /**
   * Resolves with the summary of a completed import. Rejects with a {@link CsvImportError} for
   * an upload refused before any row was accepted, and with {@link ImportFailedError} for one
   * that stopped midway (its committed chunks stay accepted).
   */
  async importCsv(req: IncomingMessage, request: ImportRequest): Promise<ImportSummary> {
    if (this.shutdown.signal.aborted) throw this.refused(new CsvImportError('stopped', 'ingest is shutting down; send the file again'));
    const work = this.run(req, request);
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  /**
   * Reads and drops the rest of an upload refused before it was read in full, so the client sees
   * the refusal rather than a reset connection. Gives up (false: close the connection) on an upload
   * over the byte limit, after {@link DISCARD_TIMEOUT_MS}, or when ingest shuts down.
   */
  async discardRest(req: IncomingMessage, refusal: unknown): Promise<boolean> {
    const code = refusal instanceof ImportFailedError ? refusal.failure.code : refusal instanceof CsvImportError ? refusal.code : null;
    if (code === 'byte_limit' || code === 'client_disconnected' || code === 'stopped') return req.complete;
    return discardRest(req, { maxBytes: this.config.INGEST_IMPORT_MAX_BYTES, timeoutMs: DISCARD_TIMEOUT_MS, signal: this.shutdown.signal });
  }

  async find(id: string): Promise<ImportView | null> {
    const record = await this.store.find(id);
    if (!record) return null;
    return importView(record, await this.store.leadCounts(id));
  }

  /** SIGTERM: running imports stop before their next row, commit what they read in full, and answer 503. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(req: IncomingMessage, request: ImportRequest): Promise<ImportSummary> {
    const startedAt = Date.now();
    const importId = request.importId ?? randomUUID();
    const correlationId = request.correlationId || importId;
    let upload;
    try {
      upload = await openCsvUpload(req, this.config.INGEST_IMPORT_MAX_BYTES);
    } catch (error) {
      throw this.refused(error);
    }
    // A read waiting for the client's next bytes is interrupted too, not only the next row.
    const source = upload.stream;
    const stopReading = (): void => {
      source.destroy(new CsvImportError('stopped', 'ingest is shutting down'));
    };
    this.shutdown.signal.addEventListener('abort', stopReading, { once: true });

    let attempt = 0;
    let committed: ImportCounts | null = null;
    try {
      const run = await runCsvImport(readCsvRecords(source), {
        chunkSize: this.config.INGEST_IMPORT_CHUNK_SIZE,
        maxRows: this.config.INGEST_IMPORT_MAX_ROWS,
        maxErrors: this.config.INGEST_IMPORT_MAX_ERRORS,
        signal: this.shutdown.signal,
        begin: async () => {
          const started = await this.store.begin(importId, upload.fileName);
          attempt = started.attempt;
          committed = started.counts;
          return { importId, counts: started.counts };
        },
        // A row naming a person who asked to be erased is refused like an invalid one.
        screen: async (bodies) =>
          (await this.leads.suppressedIndexes(bodies)).map((index) => ({
            index,
            field: bodies[index].email ? 'email' : 'linkedin_url',
            reason: 'suppressed: this person asked to be erased',
          })),
        commit: async (bodies, counts, done) => {
          await this.leads.acceptMany(bodies, correlationId, 'csv', {
            importId,
            inTransaction: (tx) => this.store.saveCounts(tx, importId, attempt, counts, done),
          });
          if (committed) this.metrics.committed(committed, counts);
          committed = counts;
        },
      });
      this.metrics.ended('completed');
      const summary = importSummary(importId, 'completed', null, run.counts, run.resumedAfterRow);
      this.logger.log({ msg: 'import completed', importId, correlationId, attempt, ...this.logCounts(summary), ms: Date.now() - startedAt });
      return summary;
    } catch (error) {
      if (error instanceof ImportStoppedError) {
        const { failure, run } = error;
        // A superseded upload leaves the record to the upload that took over.
        if (failure.code !== 'superseded') await this.markFailed(importId, attempt, failure.message);
        this.metrics.ended(failure.code);
        const summary = importSummary(importId, 'failed', failure.message, run.counts, run.resumedAfterRow);
        this.logger.warn({ msg: 'import stopped', importId, correlationId, attempt, code: failure.code, failure: failure.message, ...this.logCounts(summary), ms: Date.now() - startedAt });
        throw new ImportFailedError(failure, summary);
      }
      if (attempt > 0) {
        // Not a failure the runner knows (a bug): the record must not stay `running`.
        await this.markFailed(importId, attempt, `internal error: ${messageOf(error)}`);
        throw error;
      }
      throw this.refused(error);
    } finally {
      this.shutdown.signal.removeEventListener('abort', stopReading);
    }
  }

  /** An upload refused before its import began: nothing was written. */
  private refused(error: unknown): unknown {
    const refusal =
      error instanceof CsvImportError ? error : new CsvImportError('storage_failed', `the import could not be started: ${messageOf(error)}`, { cause: error });
    this.metrics.ended(refusal.code);
    return refusal;
  }

  private async markFailed(importId: string, attempt: number, failure: string): Promise<void> {
    try {
      await this.store.fail(importId, attempt, failure);
    } catch (error) {
      // The record stays `running` with the counts of its last commit, which are still exact.
      this.logger.error({ msg: 'could not mark the import failed', importId, attempt, error: messageOf(error) });
    }
  }

  private logCounts(summary: ImportSummary): Record<string, number> {
    const { rows, accepted, rejected, blank, errors_truncated, resumed_after_row } = summary;
    return { rows, accepted, rejected, blank, errors: summary.errors.length + errors_truncated, resumedAfterRow: resumed_after_row };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
