import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '@leadpipe/observability';
import type { ImportFailureCode } from './csv-import.error';
import type { ImportCounts } from './import-tally';

/** CSV imports: how uploads ended and what became of their rows. */
@Injectable()
export class ImportMetrics {
  private readonly imports: Counter<'outcome'>;
  private readonly rows: Counter<'result'>;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    this.imports = new Counter({
      name: 'leadpipe_ingest_imports_total',
      help: 'CSV uploads by how they ended: completed, or the failure code (refused before any row, or stopped midway).',
      labelNames: ['outcome'],
      registers,
    });
    this.rows = new Counter({
      name: 'leadpipe_ingest_import_rows_total',
      help: 'CSV rows committed by imports, by result: accepted, rejected (per-row errors) or blank.',
      labelNames: ['result'],
      registers,
    });
  }

  ended(outcome: 'completed' | ImportFailureCode): void {
    this.imports.inc({ outcome });
  }

  /** Counts the rows a commit moved from `before` to `after`. */
  committed(before: ImportCounts, after: ImportCounts): void {
    this.rows.inc({ result: 'accepted' }, after.accepted - before.accepted);
    this.rows.inc({ result: 'rejected' }, after.rejected - before.rejected);
    this.rows.inc({ result: 'blank' }, after.blank - before.blank);
  }
}
