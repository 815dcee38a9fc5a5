import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764489600000 implements MigrationInterface {
  name = 'InitialSchema1764489600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE leads (
        id uuid PRIMARY KEY,
        identity_key text NOT NULL,
        status text NOT NULL CHECK (status IN ('received', 'enriched', 'not_found', 'invalid', 'dead_lettered')),
        status_reason text,
        reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
        score smallint CHECK (score BETWEEN 0 AND 100),
        email text,
        first_name text,
        last_name text,
        company_domain text,
        linkedin_url text,
        source text NOT NULL,
        priority text NOT NULL DEFAULT 'normal',
        received_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX leads_status_received_at_idx ON leads (status, received_at)`);
    await q.query(`CREATE INDEX leads_identity_key_idx ON leads (identity_key)`);
    await q.query(`
      CREATE TABLE enrichments (
        lead_id uuid PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
        provider text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('enriched', 'not_found')),
        provider_calls integer NOT NULL,
        fetched_at timestamptz NOT NULL,
        person jsonb,
        company jsonb,
        raw_person jsonb,
        raw_company jsonb,
        event_id uuid NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic_key text NOT NULL,
        message_key text,
        payload jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE notifications (
        lead_id uuid NOT NULL,
        channel text NOT NULL,
        rule text NOT NULL,
        status text NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        PRIMARY KEY (lead_id, channel, rule)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE enrichments`);
    await q.query(`DROP TABLE leads`);
  }
}
