import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The JSON columns big enough to be compressed (the provider's answers, twice, and what the
 * validator made of them), set to `method`. `SET COMPRESSION` changes the catalogue only: rows
 * are not rewritten.
 */
const setCompression = (method: 'lz4' | 'default'): string => `
  ALTER TABLE enrichments
    ALTER COLUMN raw_person SET COMPRESSION ${method}, ALTER COLUMN raw_company SET COMPRESSION ${method},
    ALTER COLUMN person SET COMPRESSION ${method}, ALTER COLUMN company SET COMPRESSION ${method};
  ALTER TABLE enrichment_history
    ALTER COLUMN raw_person SET COMPRESSION ${method}, ALTER COLUMN raw_company SET COMPRESSION ${method};`;

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
    await q.query(`
      DO $$
      BEGIN
        ${setCompression('lz4')}
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this PostgreSQL has no LZ4: the JSON columns stay compressed with pglz (%)', SQLERRM;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(setCompression('default'));
  }
}
