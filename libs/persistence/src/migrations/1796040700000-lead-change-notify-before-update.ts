import { MigrationInterface, QueryRunner } from 'typeorm';

const CONDITION = 'OLD.status IS DISTINCT FROM NEW.status OR OLD.score IS DISTINCT FROM NEW.score';

/** The trigger's function: BEFORE triggers must return the row to write, AFTER ones nothing. */
const notifyFunction = (returns: 'NEW' | 'NULL'): string => `
  CREATE OR REPLACE FUNCTION leadpipe_notify_lead_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('leadpipe_lead_changed', NEW.id::text);
    RETURN ${returns};
  END
  $$`;

const notifyTrigger = (timing: 'BEFORE' | 'AFTER'): string => `
  CREATE TRIGGER leads_notify_changed ${timing} UPDATE OF status, score ON leads FOR EACH ROW
    WHEN (${CONDITION}) EXECUTE FUNCTION leadpipe_notify_lead_changed()`;

/**
 * The lead-change notification (`LeadChangeNotify1796040200000`) from a BEFORE row trigger
 * instead of an AFTER one. An AFTER row trigger queues an event per changed row and reads the
 * row again when the statement ends; the validator changes up to 500 leads per statement, and
 * the pipeline benchmark stored about a tenth more leads per second without that (three runs
 * alternating with three, BENCHMARKS.md). What listeners get is the same: NOTIFY is delivered at
 * commit and dropped on rollback wherever it is called, and neither trigger fires for a row the
 * statement does not update (an upsert whose WHERE is false) or whose status and score stay.
 */
export class LeadChangeNotifyBeforeUpdate1796040700000 implements MigrationInterface {
  name = 'LeadChangeNotifyBeforeUpdate1796040700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER leads_notify_changed ON leads`);
    await q.query(notifyFunction('NEW'));
    await q.query(notifyTrigger('BEFORE'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER leads_notify_changed ON leads`);
    await q.query(notifyFunction('NULL'));
    await q.query(notifyTrigger('AFTER'));
  }
}
