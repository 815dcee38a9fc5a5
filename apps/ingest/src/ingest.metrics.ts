import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { LEAD_STATUSES, LeadStatus } from '@leadpipe/contracts';
import { MetricsRegistry, ScrapeSnapshot } from '@leadpipe/observability';
import { FieldError } from './create-lead.dto';

/**
 * A lead still `received` after this long is stuck: enrichment normally takes seconds, and
 * the longest retry chain about 15 s, so a quarter of an hour means a stage is down or
 * backed up far beyond its usual lag.
 */
export const STUCK_AFTER_MS = 15 * 60_000;

const FIELDS = new Set(['email', 'first_name', 'last_name', 'company_domain', 'linkedin_url']);

/**
 * The `reason` label of a rejected request, from its first error: a small fixed set (field
 * names come from the client, so unknown ones are never used as label values).
 */
export function rejectionReason(errors: readonly FieldError[]): string {
  const first = errors[0];
  if (!first || first.field === '(body)') return 'not_an_object';
  if (first.reason === 'unknown field') return 'unknown_field';
  if (first.reason.startsWith('at least one of')) return 'missing_identity';
  return FIELDS.has(first.field) ? `invalid_${first.field}` : 'invalid_field';
}

interface DatabaseCounts {
  leads: Record<LeadStatus, number>;
  stuck: number;
  outboxPending: number;
}

/** The ingest service's metrics: what it accepted and refused, what it relayed, and the database view operators watch. */
@Injectable()
export class IngestMetrics {
  private readonly logger = new Logger(IngestMetrics.name);
  readonly leadsAccepted: Counter<'source'>;
  readonly requestsRejected: Counter<'reason'>;
  readonly outboxRelayed: Counter;
  readonly outboxRelayFailures: Counter;
  readonly outboxDeadLettered: Counter;

  constructor(registry: MetricsRegistry, @InjectDataSource() private readonly db: DataSource) {
    const registers = [registry];
    this.leadsAccepted = new Counter({
      name: 'leadpipe_ingest_leads_accepted_total',
      help: 'Leads accepted (durable, answered 202), by source.',
      labelNames: ['source'],
      registers,
    });
    this.requestsRejected = new Counter({
      name: 'leadpipe_ingest_requests_rejected_total',
      help: 'Lead requests refused by validation (400), by the reason of their first error.',
      labelNames: ['reason'],
      registers,
    });
    this.outboxRelayed = new Counter({
      name: 'leadpipe_outbox_relayed_total',
      help: 'Outbox events the relay delivered to Kafka.',
      registers,
    });
    this.outboxRelayFailures = new Counter({
      name: 'leadpipe_outbox_relay_failures_total',
      help: 'Relay attempts that failed (broker or database unavailable); the events stay in the outbox.',
      registers,
    });
    this.outboxDeadLettered = new Counter({
      name: 'leadpipe_outbox_dead_lettered_total',
      help: 'Outbox rows the relay sent to the dead-letter topic instead: their payload fails the schema of their topic.',
      registers,
    });

    // Three gauges, one pair of queries per scrape.
    const snapshot = new ScrapeSnapshot(() => this.countRows(), {
      onError: (error) => this.logger.warn(`database counts unavailable, keeping the last values: ${error instanceof Error ? error.message : String(error)}`),
    });
    new Gauge({
      name: 'leadpipe_outbox_pending',
      help: 'Events in the outbox not yet relayed to Kafka.',
      registers,
      async collect() {
        const counts = await snapshot.get();
        if (counts) this.set(counts.outboxPending);
      },
    });
    new Gauge({
      name: 'leadpipe_leads',
      help: 'Leads in the database, by status.',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await snapshot.get();
        if (counts) for (const status of LEAD_STATUSES) this.set({ status }, counts.leads[status]);
      },
    });
    new Gauge({
      name: 'leadpipe_leads_stuck',
      help: `Leads still received more than ${STUCK_AFTER_MS / 60_000} minutes after they were accepted.`,
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await snapshot.get();
        if (counts) this.set({ status: 'received' }, counts.stuck);
      },
    });
  }

  private async countRows(): Promise<DatabaseCounts> {
    // Both read the (status, received_at) index; the outbox is near empty unless Kafka is away.
    const [byStatus, [other]] = await Promise.all([
      this.db.query<Array<{ status: LeadStatus; count: number }>>(`SELECT status, count(*)::int AS count FROM leads GROUP BY status`),
      this.db.query<Array<{ stuck: number; outbox_pending: number }>>(
        `SELECT (SELECT count(*)::int FROM leads WHERE status = 'received' AND received_at < now() - $1 * interval '1 millisecond') AS stuck,
                (SELECT count(*)::int FROM outbox) AS outbox_pending`,
        [STUCK_AFTER_MS],
      ),
    ]);
    const leads = Object.fromEntries(LEAD_STATUSES.map((status) => [status, 0])) as Record<LeadStatus, number>;
    for (const row of byStatus) leads[row.status] = row.count;
    return { leads, stuck: other.stuck, outboxPending: other.outbox_pending };
  }
}
