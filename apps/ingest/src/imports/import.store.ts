import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { LEAD_STATUSES, LeadStatus } from '@leadpipe/contracts';
import { ImportEntity, ImportRowError } from '@leadpipe/persistence';
import { CsvImportError } from './csv-import.error';
import { ImportCounts } from './import-tally';

interface CountsRow {
  attempt: number;
  rows: number;
  accepted: number;
  rejected: number;
  blank: number;
  errors: ImportRowError[];
  errors_truncated: number;
}

/**
 * The `imports` table. Each upload of an import gets the next `attempt`; every write of an
 * upload is fenced by it, so when a newer upload takes over (a client resuming after a broken
 * connection) an older one still running cannot commit another chunk.
 */
@Injectable()
export class ImportStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Creates the import, or takes it over from an earlier upload: returns the attempt and the counts to resume from. */
  async begin(id: string, fileName: string | null): Promise<{ attempt: number; counts: ImportCounts }> {
    const [row]: CountsRow[] = await this.db.query(
      `INSERT INTO imports (id, status, attempt, file_name) VALUES ($1, 'running', 1, $2)
       ON CONFLICT (id) DO UPDATE
         SET status = 'running', attempt = imports.attempt + 1, failure = NULL, finished_at = NULL, updated_at = now(),
             file_name = COALESCE(EXCLUDED.file_name, imports.file_name)
       RETURNING attempt, rows, accepted, rejected, blank, errors, errors_truncated`,
      [id, fileName],
    );
    return {
      attempt: row.attempt,
      counts: {
        rows: row.rows,
        accepted: row.accepted,
        rejected: row.rejected,
        blank: row.blank,
        errors: row.errors,
        errorsTruncated: row.errors_truncated,
      },
    };
  }

  /**
   * In the transaction of a chunk's leads: stores the counts through the chunk's last row and,
   * with `done`, completes the import, so a completed import never lacks its last chunk.
   */
  async saveCounts(tx: EntityManager, id: string, attempt: number, counts: ImportCounts, done: boolean): Promise<void> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [, affected]: [unknown[], number] = await tx.query(
      `UPDATE imports SET rows = $3, accepted = $4, rejected = $5, blank = $6, errors = $7::jsonb, errors_truncated = $8, updated_at = now(),
              status = CASE WHEN $9 THEN 'completed' ELSE status END, finished_at = CASE WHEN $9 THEN now() ELSE finished_at END
        WHERE id = $1 AND attempt = $2`,
      [id, attempt, counts.rows, counts.accepted, counts.rejected, counts.blank, JSON.stringify(counts.errors), counts.errorsTruncated, done],
    );
    if (affected !== 1) throw new CsvImportError('superseded', 'a newer upload of this import took over; this one stopped');
  }

  /** Marks an upload that stopped midway, unless a newer upload has taken the import over. */
  async fail(id: string, attempt: number, failure: string): Promise<void> {
    await this.db.query(
      `UPDATE imports SET status = 'failed', failure = $3, finished_at = now(), updated_at = now() WHERE id = $1 AND attempt = $2`,
      [id, attempt, failure],
    );
  }

  find(id: string): Promise<ImportEntity | null> {
    return this.db.getRepository(ImportEntity).findOne({ where: { id } });
  }

  /** The import's leads by status (from the leads_import_id_status_idx index). */
  async leadCounts(id: string): Promise<Record<LeadStatus, number>> {
    const rows: Array<{ status: LeadStatus; count: number }> = await this.db.query(
      `SELECT status, count(*)::int AS count FROM leads WHERE import_id = $1 GROUP BY status`,
      [id],
    );
    const counts = Object.fromEntries(LEAD_STATUSES.map((status) => [status, 0])) as Record<LeadStatus, number>;
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }
}
