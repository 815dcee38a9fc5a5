import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The score's breakdown on the lead, where each stored field came from (and when) on its
 * enrichment, and every provider answer kept in `enrichment_history` (one row per enriched
 * event: a redelivery adds nothing), purged after the validator's retention period.
 */
export class ScoreBreakdownProvenanceHistory1796040500000 implements MigrationInterface {
  name = 'ScoreBreakdownProvenanceHistory1796040500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE leads ADD COLUMN score_breakdown jsonb`);
    await q.query(`ALTER TABLE enrichments ADD COLUMN provenance jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`
      CREATE TABLE enrichment_history (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        lead_id uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
        event_id uuid NOT NULL UNIQUE,
        provider text NOT NULL,
        outcome text NOT NULL,
        fetched_at timestamptz NOT NULL,
        raw_person jsonb,
        raw_company jsonb,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX enrichment_history_lead_id_fetched_at_idx ON enrichment_history (lead_id, fetched_at)`);
    await q.query(`CREATE INDEX enrichment_history_recorded_at_idx ON enrichment_history (recorded_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE enrichment_history`);
    await q.query(`ALTER TABLE enrichments DROP COLUMN provenance`);
    await q.query(`ALTER TABLE leads DROP COLUMN score_breakdown`);
  }
}
