import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters as rows: written by the validator's dead-letter consumer (with the lead's
 * `dead_lettered` mark, in one transaction), listed and replayed through ingest's
 * `/api/dead-letters`. The id is the dead letter's `eventId`, so a redelivered message is
 * recorded once; the origin is unique too, because a stage that crashed after publishing a
 * dead letter but before committing publishes it again with a new event id.
 *
 * No foreign key to `leads`: a lead produced straight to Kafka has no row until it is
 * validated, and an unreadable message names no lead at all.
 */
export class DeadLetters1796040300000 implements MigrationInterface {
  name = 'DeadLetters1796040300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dead_letters (
        id uuid PRIMARY KEY,
        lead_id uuid,
        stage text NOT NULL,
        error_code text NOT NULL,
        reason text NOT NULL,
        attempts integer NOT NULL,
        origin_topic text NOT NULL,
        origin_partition integer NOT NULL,
        origin_offset text NOT NULL,
        first_failure_at timestamptz NOT NULL,
        failed_at timestamptz NOT NULL,
        message_key text,
        payload bytea NOT NULL,
        payload_encoding text NOT NULL CHECK (payload_encoding IN ('utf8', 'base64')),
        correlation_id text,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        replayed_at timestamptz,
        replay_count integer NOT NULL DEFAULT 0,
        CONSTRAINT dead_letters_origin_key UNIQUE (origin_topic, origin_partition, origin_offset)
      )`);
    // The list, newest first, with or without filters.
    await q.query(`CREATE INDEX dead_letters_failed_at_id_idx ON dead_letters (failed_at DESC, id DESC)`);
    await q.query(`CREATE INDEX dead_letters_lead_id_idx ON dead_letters (lead_id)`);
    // "Replay all" and `replayed=false` walk only what is still waiting.
    await q.query(`CREATE INDEX dead_letters_unreplayed_idx ON dead_letters (failed_at, id) WHERE replayed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letters`);
  }
}
