import { MigrationInterface, QueryRunner } from 'typeorm';

/** The JSON columns big enough to be compressed (the provider's answers, twice, and what the validator made of them). */
const COLUMNS: ReadonlyArray<readonly [table: string, column: string]> = [
  ['enrichments', 'raw_person'],
  ['enrichments', 'raw_company'],
  ['enrichments', 'person'],
  ['enrichments', 'company'],
  ['enrichment_history', 'raw_person'],
  ['enrichment_history', 'raw_company'],
];

/** One ALTER TABLE per table: `SET COMPRESSION` changes the catalogue only, rows are not rewritten. */
function setCompression(method: 'lz4' | 'default'): string[] {
  const tables = [...new Set(COLUMNS.map(([table]) => table))];
  return tables.map(
    (table) =>
      `ALTER TABLE ${table} ${COLUMNS.filter(([t]) => t === table)
        .map(([, column]) => `ALTER COLUMN ${column} SET COMPRESSION ${method}`)
        .join(', ')}`,
  );
}

/**
 * The provider's answers are compressed with LZ4 instead of pglz from now on. Every enriched
 * lead writes them twice (its enrichment and its history row, a few kB each), and pglz was
 * PostgreSQL's largest single function in the pipeline benchmark (`perf`: about a tenth of
 * PostgreSQL's time); LZ4 writes the same rows about a third faster at the same size
 * (BENCHMARKS.md). Rows written before keep pglz, and both are read alike.
 *
 * A server built without LZ4 (`--with-lz4`; the official images and the managed services have
 * it) keeps pglz: the migration then only says so.
 */
export class JsonColumnsLz41796040800000 implements MigrationInterface {
  name = 'JsonColumnsLz41796040800000';

  async up(q: QueryRunner): Promise<void> {
    const statements = setCompression('lz4')
      .map((sql) => `EXECUTE ${quoteLiteral(sql)};`)
      .join('\n      ');
    await q.query(`
      DO $$
      BEGIN
      ${statements}
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this PostgreSQL has no LZ4: the JSON columns stay compressed with pglz (%)', SQLERRM;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const sql of setCompression('default')) await q.query(sql);
  }
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
