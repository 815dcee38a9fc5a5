import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The enrichment's provenance (where each stored field came from, and when) is compressed with
 * LZ4 too, as the JSON columns of migration 1796040800000 are. It is about 2 kB of JSON per
 * enriched lead, so PostgreSQL compresses it, and after that migration it was the pipeline's
 * last column written with pglz. LZ4 writes it in about half the time at the same size
 * (BENCHMARKS.md). A catalogue change only: rows written before keep pglz. A server without
 * LZ4 keeps pglz and says so.
 */
export class ProvenanceLz41796040900000 implements MigrationInterface {
  name = 'ProvenanceLz41796040900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        ALTER TABLE enrichments ALTER COLUMN provenance SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this PostgreSQL has no LZ4: the provenance stays compressed with pglz (%)', SQLERRM;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE enrichments ALTER COLUMN provenance SET COMPRESSION default`);
  }
}
