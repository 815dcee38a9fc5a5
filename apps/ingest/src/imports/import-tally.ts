import type { ImportRowError } from '@leadpipe/persistence';
import type { FieldError } from '../create-lead.dto';

/** What an import has done with its rows so far; what the `imports` record stores. */
export interface ImportCounts {
  /** Data rows handled (1-based, header excluded): rows 1..rows are accepted, rejected or blank. */
  readonly rows: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly blank: number;
  /** The first errors, in row order; bounded. */
  readonly errors: readonly ImportRowError[];
  /** Errors past the bound, counted only. */
  readonly errorsTruncated: number;
}

export const NO_ROWS: ImportCounts = { rows: 0, accepted: 0, rejected: 0, blank: 0, errors: [], errorsTruncated: 0 };

/** Counts rows as they are handled, keeping at most `maxErrors` errors so memory stays flat. */
export class ImportTally {
  private rows: number;
  private accepted: number;
  private rejected: number;
  private blank: number;
  private readonly errors: ImportRowError[];
  private errorsTruncated: number;

  /** `from`: the counts of an import being resumed. */
  constructor(
    private readonly maxErrors: number,
    from: ImportCounts = NO_ROWS,
  ) {
    this.rows = from.rows;
    this.accepted = from.accepted;
    this.rejected = from.rejected;
    this.blank = from.blank;
    this.errors = from.errors.slice(0, maxErrors);
    this.errorsTruncated = from.errorsTruncated + Math.max(0, from.errors.length - maxErrors);
  }

  accept(row: number): void {
    this.handled(row);
    this.accepted += 1;
  }

  skipBlank(row: number): void {
    this.handled(row);
    this.blank += 1;
  }

  reject(row: number, line: number, errors: readonly FieldError[]): void {
    this.handled(row);
    this.rejected += 1;
    for (const { field, reason } of errors) {
      if (this.errors.length < this.maxErrors) this.errors.push({ row, line, field, reason });
      else this.errorsTruncated += 1;
    }
  }

  /** A row counted as accepted that its commit refused after all (a suppressed person): rejected, with why. */
  reclassifyAsRejected(row: number, line: number, errors: readonly FieldError[]): void {
    this.accepted -= 1;
    this.rejected += 1;
    for (const { field, reason } of errors) {
      if (this.errors.length < this.maxErrors) this.errors.push({ row, line, field, reason });
      else this.errorsTruncated += 1;
    }
    this.errors.sort((a, b) => a.row - b.row);
  }

  snapshot(): ImportCounts {
    return {
      rows: this.rows,
      accepted: this.accepted,
      rejected: this.rejected,
      blank: this.blank,
      errors: [...this.errors],
      errorsTruncated: this.errorsTruncated,
    };
  }

  private handled(row: number): void {
    if (row !== this.rows + 1) throw new Error(`rows must be handled in order: got ${row} after ${this.rows}`);
    this.rows = row;
  }
}
