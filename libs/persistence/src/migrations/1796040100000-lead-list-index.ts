import { MigrationInterface, QueryRunner } from 'typeorm';

/** `GET /api/leads` pages newest first by (received_at, id) with or without filters. */
export class LeadListIndex1796040100000 implements MigrationInterface {
  name = 'LeadListIndex1796040100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX leads_received_at_id_idx ON leads (received_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX leads_received_at_id_idx`);
  }
}
