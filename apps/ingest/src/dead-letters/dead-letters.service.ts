import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { HEADERS, topicName } from '@leadpipe/contracts';
import { DeadLetterFilter, DeadLetterListQuery, encodeDeadLetterCursor } from './dead-letter-list.query';
import { DeadLetterMetrics } from './dead-letters.metrics';
import { planReplay, ReplayPlan } from './replay-plan';

/** A dead letter in a list: what failed, why, where, and whether it was replayed. */
export interface DeadLetterSummary {
  id: string;
  lead_id: string | null;
  /** The lead's status now (null when ingest has no row for it: unreadable, or produced straight to Kafka). */
  lead_status: string | null;
  stage: string;
  error_code: string;
  reason: string;
  attempts: number;
  origin: { topic: string; partition: number; offset: string };
  first_failure_at: string;
  failed_at: string;
  recorded_at: string;
  replayed_at: string | null;
  replay_count: number;
}

/** `GET /api/dead-letters/:id`: the summary and the failed message itself. */
export interface DeadLetterView extends DeadLetterSummary {
  message_key: string | null;
  correlation_id: string | null;
  /** The original message value: UTF-8 text, or base64 when it was not text. */
  payload: string;
  payload_encoding: 'utf8' | 'base64';
}

export interface DeadLetterPage {
  data: DeadLetterSummary[];
  next_cursor: string | null;
}

export interface ReplayedAnswer {
  id: string;
  /** The topic the event was put back on (physical name). */
  replayed_to: string;
  lead_id: string | null;
}

export type ReplayOutcome =
  | { status: 'replayed'; answer: ReplayedAnswer }
  | { status: 'not_found' }
  | { status: 'already_replayed'; replayedAt: string }
  | { status: 'unreplayable'; reason: string };

export interface ReplayAllReport {
  replayed: number;
  unreplayable: Array<{ id: string; reason: string }>;
}

interface DeadLetterRow {
  id: string;
  lead_id: string | null;
  lead_status: string | null;
  stage: string;
  error_code: string;
  reason: string;
  attempts: number;
  origin_topic: string;
  origin_partition: number;
  origin_offset: string;
  first_failure_at: Date;
  failed_at: Date;
  failed_at_text: string;
  recorded_at: Date;
  replayed_at: Date | null;
  replay_count: number;
}

/** What a replay reads, under the row lock. */
interface ReplayRow {
  id: string;
  lead_id: string | null;
  stage: string;
  origin_topic: string;
  message_key: string | null;
  payload: Buffer;
  payload_encoding: 'utf8' | 'base64';
  correlation_id: string | null;
  replayed_at: Date | null;
  failed_at_text: string;
}

const SUMMARY_COLUMNS = `d.id, d.lead_id, l.status AS lead_status, d.stage, d.error_code, d.reason, d.attempts,
  d.origin_topic, d.origin_partition, d.origin_offset, d.first_failure_at, d.failed_at, d.failed_at::text AS failed_at_text,
  d.recorded_at, d.replayed_at, d.replay_count`;

const REPLAY_COLUMNS = `id, lead_id, stage, origin_topic, message_key, payload, payload_encoding, correlation_id, replayed_at,
  failed_at::text AS failed_at_text`;

/**
 * Dead letters recorded by the validator, listed and put back into the pipeline. A replay is
 * one transaction: the event goes into the outbox (the relay sends it, even if Kafka is away
 * now), the dead letter is marked replayed, and its lead, if it was `dead_lettered`, is
 * `received` again. The dead letter's row is locked first, so two replays of one dead letter
 * cannot both enqueue it.
 */
@Injectable()
export class DeadLettersService {
  private readonly logger = new Logger(DeadLettersService.name);
  private readonly namespace: string;
  private readonly chunkSize: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly metrics: DeadLetterMetrics,
    @Inject(APP_CONFIG) config: IngestEnv,
  ) {
    this.namespace = config.KAFKA_NAMESPACE;
    this.chunkSize = config.INGEST_DEAD_LETTER_REPLAY_CHUNK_SIZE;
  }

  /** One page, newest first, and the cursor of the next page (null on the last). */
  async list(query: DeadLetterListQuery): Promise<DeadLetterPage> {
    const params: unknown[] = [];
    const where = filterClauses(query, params);
    if (query.replayed !== undefined) where.push(query.replayed ? 'd.replayed_at IS NOT NULL' : 'd.replayed_at IS NULL');
    if (query.after) {
      params.push(query.after.failedAt, query.after.id);
      where.push(`(d.failed_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows: DeadLetterRow[] = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS}
         FROM dead_letters d LEFT JOIN leads l ON l.id = d.lead_id
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY d.failed_at DESC, d.id DESC
        LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(summary),
      next_cursor: rows.length > query.limit ? encodeDeadLetterCursor({ failedAt: last.failed_at_text, id: last.id }) : null,
    };
  }

  async find(id: string): Promise<DeadLetterView | null> {
    const [row]: Array<DeadLetterRow & Pick<ReplayRow, 'message_key' | 'correlation_id' | 'payload' | 'payload_encoding'>> = await this.db.query(
      `SELECT ${SUMMARY_COLUMNS}, d.message_key, d.correlation_id, d.payload, d.payload_encoding
         FROM dead_letters d LEFT JOIN leads l ON l.id = d.lead_id
        WHERE d.id = $1`,
      [id],
    );
    if (!row) return null;
    return {
      ...summary(row),
      message_key: row.message_key,
      correlation_id: row.correlation_id,
      payload: row.payload.toString(row.payload_encoding),
      payload_encoding: row.payload_encoding,
    };
  }

  /**
   * Puts one dead letter's event back into the pipeline. A dead letter replayed before is
   * refused unless `force`: its event is already back in the pipeline, and if it failed again
   * that failure is a dead letter of its own.
   */
  async replay(id: string, force: boolean): Promise<ReplayOutcome> {
    let stage = '';
    const outcome = await this.db.transaction(async (tx): Promise<ReplayOutcome> => {
      const [row]: ReplayRow[] = await tx.query(`SELECT ${REPLAY_COLUMNS} FROM dead_letters WHERE id = $1 FOR UPDATE`, [id]);
      if (!row) return { status: 'not_found' };
      stage = row.stage;
      if (row.replayed_at && !force) return { status: 'already_replayed', replayedAt: row.replayed_at.toISOString() };
      const plan = this.plan(row);
      if (!plan.ok) return { status: 'unreplayable', reason: plan.reason };
      await this.enqueue(tx, [{ row, plan }]);
      return { status: 'replayed', answer: { id: row.id, replayed_to: topicName(plan.topicKey, this.namespace), lead_id: row.lead_id } };
    });
    if (outcome.status === 'replayed') {
      this.logger.log({ msg: 'dead letter replayed', deadLetterId: id, leadId: outcome.answer.lead_id, topic: outcome.answer.replayed_to, force });
      this.metrics.replayed(stage, 'replayed');
    } else if (outcome.status !== 'not_found') {
      this.metrics.replayed(stage, outcome.status);
    }
    return outcome;
  }

  /**
   * Replays every dead letter not replayed yet that matches `filter`, oldest first, in chunks
   * of `INGEST_DEAD_LETTER_REPLAY_CHUNK_SIZE`, each chunk one transaction: a failure part-way
   * keeps what was replayed, and asking again replays the rest. Dead letters that cannot be
   * replayed are reported and left as they are.
   */
  async replayAll(filter: DeadLetterFilter): Promise<ReplayAllReport> {
    const report: ReplayAllReport = { replayed: 0, unreplayable: [] };
    let after: { failedAt: string; id: string } | undefined;
    for (;;) {
      const chunk = await this.db.transaction(async (tx) => {
        const params: unknown[] = [];
        const where = ['replayed_at IS NULL', ...filterClauses(filter, params, '')];
        if (after) {
          params.push(after.failedAt, after.id);
          where.push(`(failed_at, id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
        }
        params.push(this.chunkSize);
        // Waits for a concurrent replay of the same rows, then sees them replayed and leaves them out.
        const rows: ReplayRow[] = await tx.query(
          `SELECT ${REPLAY_COLUMNS} FROM dead_letters WHERE ${where.join(' AND ')}
            ORDER BY failed_at, id LIMIT $${params.length} FOR UPDATE`,
          params,
        );
        const planned = rows.map((row) => ({ row, plan: this.plan(row) }));
        const replayable = planned.filter((p): p is { row: ReplayRow; plan: Extract<ReplayPlan, { ok: true }> } => p.plan.ok);
        await this.enqueue(tx, replayable);
        return { rows, planned };
      });
      if (chunk.rows.length === 0) break;
      for (const { row, plan } of chunk.planned) {
        if (plan.ok) report.replayed += 1;
        else report.unreplayable.push({ id: row.id, reason: plan.reason });
        this.metrics.replayed(row.stage, plan.ok ? 'replayed' : 'unreplayable');
      }
      const last = chunk.rows[chunk.rows.length - 1];
      after = { failedAt: last.failed_at_text, id: last.id };
    }
    this.logger.log({ msg: 'dead letters replayed', filter, replayed: report.replayed, unreplayable: report.unreplayable.length });
    return report;
  }

  private plan(row: ReplayRow): ReplayPlan {
    return planReplay(
      { originTopic: row.origin_topic, messageKey: row.message_key, payload: row.payload, payloadEncoding: row.payload_encoding },
      this.namespace,
    );
  }

  /** The events into the outbox, the dead letters marked replayed, their leads waiting again: all in `tx`. */
  private async enqueue(tx: EntityManager, items: Array<{ row: ReplayRow; plan: Extract<ReplayPlan, { ok: true }> }>): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `INSERT INTO outbox (topic_key, message_key, payload, headers)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[])`,
      [
        items.map(({ plan }) => plan.topicKey),
        items.map(({ plan }) => plan.key),
        items.map(({ plan }) => JSON.stringify(plan.event)),
        items.map(({ row }) => JSON.stringify({ [HEADERS.correlationId]: row.correlation_id ?? randomUUID() })),
      ],
    );
    const ids = items.map(({ row }) => row.id);
    await tx.query(`UPDATE dead_letters SET replayed_at = now(), replay_count = replay_count + 1 WHERE id = ANY($1::uuid[])`, [ids]);
    await tx.query(
      `UPDATE leads l SET status = 'received', status_reason = 'replayed from dead letter ' || d.id, reasons = '[]'::jsonb, updated_at = now()
         FROM dead_letters d
        WHERE d.id = ANY($1::uuid[]) AND l.id = d.lead_id AND l.status = 'dead_lettered'`,
      [ids],
    );
  }
}

/** WHERE clauses of a filter; `alias` is the dead_letters alias with its dot ('d.' or ''). */
function filterClauses(filter: DeadLetterFilter, params: unknown[], alias = 'd.'): string[] {
  const where: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.stages.length > 0) where.push(`${alias}stage = ANY(${param(filter.stages)}::text[])`);
  if (filter.codes.length > 0) where.push(`${alias}error_code = ANY(${param(filter.codes)}::text[])`);
  if (filter.leadId) where.push(`${alias}lead_id = ${param(filter.leadId)}::uuid`);
  return where;
}

function summary(row: DeadLetterRow): DeadLetterSummary {
  return {
    id: row.id,
    lead_id: row.lead_id,
    lead_status: row.lead_status,
    stage: row.stage,
    error_code: row.error_code,
    reason: row.reason,
    attempts: row.attempts,
    origin: { topic: row.origin_topic, partition: row.origin_partition, offset: row.origin_offset },
    first_failure_at: row.first_failure_at.toISOString(),
    failed_at: row.failed_at.toISOString(),
    recorded_at: row.recorded_at.toISOString(),
    replayed_at: row.replayed_at ? row.replayed_at.toISOString() : null,
    replay_count: row.replay_count,
  };
}
