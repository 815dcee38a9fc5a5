import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `GET /api/leads?min_score=&max_score=`: a selective score range otherwise walks
 * `leads_received_at_id_idx` row by row (the whole table when few or no leads match). Scored
 * leads only; the (received_at, id) tail serves the keyset order within a score.
 */
export class LeadScoreIndex1796040600000 implements MigrationInterface {
  name = 'LeadScoreIndex1796040600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX leads_score_received_at_id_idx ON leads (score, received_at DESC, id DESC) WHERE score IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX leads_score_received_at_id_idx`);
  }
}
