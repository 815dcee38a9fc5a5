import { MigrationInterface, QueryRunner } from 'typeorm';

/** CSV imports: one row per import, and the import each lead came from. */
export class CsvImports1796038800000 implements MigrationInterface {
  name = 'CsvImports1796038800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE imports (
        id uuid PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        failure text,
        attempt integer NOT NULL DEFAULT 1,
        file_name text,
        rows integer NOT NULL DEFAULT 0,
        accepted integer NOT NULL DEFAULT 0,
        rejected integer NOT NULL DEFAULT 0,
        blank integer NOT NULL DEFAULT 0,
        errors jsonb NOT NULL DEFAULT '[]'::jsonb,
        errors_truncated integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    // Nullable without a default: adding it rewrites nothing, whatever the size of leads.
    await q.query(`ALTER TABLE leads ADD COLUMN import_id uuid REFERENCES imports (id) ON DELETE SET NULL`);
    // Partial: leads sent one by one never enter it. (import_id, status) serves the per-status
    // counts of GET /api/imports/:id.
    await q.query(`CREATE INDEX leads_import_id_status_idx ON leads (import_id, status) WHERE import_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX leads_import_id_status_idx`);
    await q.query(`ALTER TABLE leads DROP COLUMN import_id`);
    await q.query(`DROP TABLE imports`);
  }
}
