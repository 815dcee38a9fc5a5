import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure: the suppression list; indexes to find a person's leads by LinkedIn profile; and
 * notifications tied to their lead, so that erasing a lead takes its notification records with
 * it (and a notification can no longer be recorded for a lead that is gone).
 */
export class Suppressions1767830400000 implements MigrationInterface {
  name = 'Suppressions1767830400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE suppressions (
        identity_hash text PRIMARY KEY CHECK (identity_hash ~ '^[0-9a-f]{64}$'),
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Erasure finds a person's leads by the LinkedIn profile they name or were matched to, not
    // only by identity key (see ErasureService); these keep that from scanning the tables. The
    // expressions must stay exactly as the erasure query writes them.
    await q.query(`CREATE INDEX leads_linkedin_slug_idx ON leads (lower(substring(linkedin_url from '(?i)linkedin\\.com/(?:in|pub)/([^/?#]+)')))`);
    await q.query(`CREATE INDEX enrichments_matched_username_idx ON enrichments (lower(raw_person->>'username'))`);
    // NOT VALID: rows written before this migration are not checked (a lead deleted by hand
    // would otherwise fail the upgrade); every new row is, and deletes cascade to all of them.
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_lead_id_fkey
        FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE NOT VALID`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_lead_id_fkey`);
    await q.query(`DROP INDEX enrichments_matched_username_idx`);
    await q.query(`DROP INDEX leads_linkedin_slug_idx`);
    await q.query(`DROP TABLE suppressions`);
  }
}
