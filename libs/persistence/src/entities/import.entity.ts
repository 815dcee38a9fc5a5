import { Column, Entity, PrimaryColumn } from 'typeorm';

export const IMPORT_STATUSES = ['running', 'completed', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** One refused row of an import: the 1-based data row (header excluded), the file line it ends on, and why. */
export interface ImportRowError {
  row: number;
  line: number;
  field: string;
  reason: string;
}

/**
 * One CSV import (`POST /api/leads/import`). The counts describe the rows up to `rows` and move
 * in the same transaction as the leads of each chunk, so they always match what was accepted;
 * `attempt` fences a resumed upload against an older one still writing.
 */
@Entity({ name: 'imports' })
export class ImportEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  status!: ImportStatus;

  /** Why a `failed` import stopped. */
  @Column({ type: 'text', nullable: true })
  failure!: string | null;

  /** Uploads of this import so far; each one takes over from the previous. */
  @Column({ type: 'integer', default: 1 })
  attempt!: number;

  /** The multipart file name, when there was one. */
  @Column({ name: 'file_name', type: 'text', nullable: true })
  fileName!: string | null;

  /** Data rows handled and committed: rows 1..rows are accepted, rejected or blank. */
  @Column({ type: 'integer', default: 0 })
  rows!: number;

  @Column({ type: 'integer', default: 0 })
  accepted!: number;

  @Column({ type: 'integer', default: 0 })
  rejected!: number;

  /** Rows whose lead cells were all empty: skipped, neither accepted nor rejected. */
  @Column({ type: 'integer', default: 0 })
  blank!: number;

  /** The first errors (bounded by INGEST_IMPORT_MAX_ERRORS); no cell values, so no personal data. */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  errors!: ImportRowError[];

  @Column({ name: 'errors_truncated', type: 'integer', default: 0 })
  errorsTruncated!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
