import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells listeners (ingest's live status streams) when a lead's status or score changes:
 * `NOTIFY leadpipe_lead_changed, '<lead id>'`, delivered at commit to every ingest replica.
 */
export class LeadChangeNotify1796040200000 implements MigrationInterface {
  name = 'LeadChangeNotify1796040200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION leadpipe_notify_lead_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('leadpipe_lead_changed', NEW.id::text);
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER leads_notify_changed AFTER UPDATE OF status, score ON leads FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.score IS DISTINCT FROM NEW.score)
        EXECUTE FUNCTION leadpipe_notify_lead_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER leads_notify_changed ON leads`);
    await q.query(`DROP FUNCTION leadpipe_notify_lead_changed()`);
  }
}
