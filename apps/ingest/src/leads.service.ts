import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { HEADERS, identityKeyOf, LeadReceived } from '@leadpipe/contracts';
import { activeTraceHeaders } from '@leadpipe/observability';
import { EnrichmentEntity, jsonbArrayParam, LeadEntity, transactionAgainstErasure } from '@leadpipe/persistence';
import { CreateLeadBody } from './create-lead.dto';
import { IngestMetrics } from './ingest.metrics';
import { encodeCursor, LeadListQuery } from './lead-list.query';
import { claimIdempotencyKey, IdempotencyClaim, purgeExpiredIdempotencyKeys, StoredAnswer } from './idempotency';
import { SuppressionService } from './erasure/suppression.service';

export type LeadSource = LeadReceived['source'];

export interface AcceptOptions {
  /** Tags every lead with the CSV import it came from. */
  importId?: string;
  /**
   * Runs first in the leads' transaction, so that what it writes commits or rolls back with
   * them (a CSV import moves its committed-rows mark this way). Runs also when `bodies` is
   * empty; throwing rolls the whole batch back.
   */
  inTransaction?: (tx: EntityManager) => Promise<void>;
}

export interface AcceptedLead {
  id: string;
  status: 'received';
}

const acceptedLead = (event: LeadReceived): AcceptedLead => ({ id: event.leadId, status: 'received' });

/** The read model served by `GET /api/leads/:id`. */
export interface LeadView {
  id: string;
  status: string;
  status_reason: string | null;
  reasons: string[];
  score: number | null;
  /** The criteria that gave the score its points; null when the lead has no score. */
  score_breakdown: LeadEntity['scoreBreakdown'];
  input: {
    email: string | null;
    first_name: string | null;
    last_name: string | null;
    company_domain: string | null;
    linkedin_url: string | null;
  };
  received_at: string;
  updated_at: string;
  enrichment: {
    provider: string;
    provider_calls: number;
    fetched_at: string;
    person: Record<string, unknown> | null;
    company: Record<string, unknown> | null;
    /** Field → its source (`input` or the provider) and when it was given or fetched. */
    provenance: EnrichmentEntity['provenance'];
  } | null;
}

@Injectable()
export class LeadsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LeadsService.name);
  private readonly priorityDomains: ReadonlySet<string>;
  private readonly idempotencyTtlHours: number;
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly metrics: IngestMetrics,
    @Inject(APP_CONFIG) config: IngestEnv,
    private readonly suppressions: SuppressionService,
  ) {
    this.idempotencyTtlHours = config.INGEST_IDEMPOTENCY_TTL_HOURS;
    this.priorityDomains = new Set(
      config.INGEST_PRIORITY_DOMAINS.split(',')
        .map((d) => d.trim().toLowerCase())
        .filter(Boolean),
    );
  }

  /** Ingest's priority rule: leads from target accounts (by e-mail or company domain). */
  private isPriorityDomain(lead: { email?: string; companyDomain?: string }): boolean {
    if (this.priorityDomains.size === 0) return false;
    const emailDomain = lead.email ? lead.email.slice(lead.email.lastIndexOf('@') + 1).toLowerCase() : undefined;
    return [emailDomain, lead.companyDomain?.toLowerCase()].some((d) => d !== undefined && this.priorityDomains.has(d));
  }

  /**
   * Stores many validated leads and their received events in one transaction (multi-row
   * inserts): either all of them are accepted or none is. The caller bounds the batch size.
   * Once this resolves the leads are durable: the outbox relay delivers their events to Kafka,
   * even if the broker is down now.
   * Throws IdentitySuppressedError (409) when any names a person who asked to be erased.
   */
  async acceptMany(
    bodies: readonly CreateLeadBody[],
    correlationId: string,
    source: LeadSource = 'api',
    options: AcceptOptions = {},
  ): Promise<AcceptedLead[]> {
    if (bodies.length === 0 && !options.inTransaction) return [];
    const events = this.receivedEvents(bodies, source);
    await transactionAgainstErasure(this.db, async (tx) => {
      await options.inTransaction?.(tx);
      await this.store(tx, events, correlationId, options.importId);
    });
    if (events.length > 0) this.metrics.leadsAccepted.inc({ source }, events.length);
    return events.map(acceptedLead);
  }

  /**
   * Positions of the bodies naming a person who asked to be erased: a pre-check for routes
   * that answer per lead (storing checks again, under the erasure lock).
   */
  async suppressedIndexes(bodies: readonly CreateLeadBody[]): Promise<number[]> {
    return this.suppressions.suppressedIndexes(
      this.db.manager,
      bodies.map((body) => ({ email: body.email, linkedinUrl: body.linkedin_url })),
    );
  }

  /**
   * {@link acceptMany} under an `Idempotency-Key`: the first request with the key stores the
   * leads and `answer(leads)`; a repeat with the same body gets that answer back and writes
   * nothing (`replayed`); another body with the same key is refused (422).
   */
  async acceptIdempotently<T>(
    bodies: readonly CreateLeadBody[],
    correlationId: string,
    source: LeadSource,
    claim: IdempotencyClaim,
    answer: (leads: AcceptedLead[]) => StoredAnswer<T>,
  ): Promise<StoredAnswer<T> & { replayed: boolean }> {
    const events = this.receivedEvents(bodies, source);
    // The lead ids are drawn here, so the answer is known before anything is stored.
    const fresh = answer(events.map(acceptedLead));
    const result = await transactionAgainstErasure(this.db, async (tx) => {
      const stored = await claimIdempotencyKey<T>(tx, claim, this.idempotencyTtlHours, fresh);
      if (stored) return { ...stored, replayed: true };
      await this.store(tx, events, correlationId);
      return { ...fresh, replayed: false };
    });
    if (!result.replayed) this.metrics.leadsAccepted.inc({ source }, events.length);
    return result;
  }

  /** Deletes expired idempotency keys (hourly; a claim also takes over an expired key itself). */
  async purgeExpiredIdempotencyKeys(): Promise<number> {
    return purgeExpiredIdempotencyKeys(this.db.manager, this.idempotencyTtlHours);
  }

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => {
      this.purgeExpiredIdempotencyKeys().catch((error: unknown) => this.logger.warn(`idempotency key purge failed: ${String(error)}`));
    }, 3_600_000);
    this.purgeTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.purgeTimer);
  }

  private receivedEvents(bodies: readonly CreateLeadBody[], source: LeadSource): LeadReceived[] {
    const now = new Date();
    return bodies.map((body) => this.receivedEvent(body, source, now));
  }

  /**
   * The leads and their received events (in the outbox), in one statement that also checks the
   * suppression list: the leads' insert and the outbox's are data-modifying CTEs over JSON arrays
   * (TypeORM's query builder spent more time naming and escaping a large batch's parameters than
   * the HTTP layer did on the request, and a small request pays per round trip), and they write
   * nothing when any lead names a person who asked to be erased (IdentitySuppressedError, 409).
   * `tx` must hold the erasure lock (`transactionAgainstErasure`): the statement's snapshot then
   * sees every erasure that committed before, and an erasure waits for this transaction.
   */
  private async store(tx: EntityManager, events: readonly LeadReceived[], correlationId: string, importId?: string): Promise<void> {
    if (events.length === 0) return;
    const hashesByLead = this.suppressions.hashesOf(events.map((event) => event.lead));
    const leads = events.map((event) => ({
      id: event.leadId,
      identity_key: event.identityKey,
      email: event.lead.email ?? null,
      first_name: event.lead.firstName ?? null,
      last_name: event.lead.lastName ?? null,
      company_domain: event.lead.companyDomain ?? null,
      linkedin_url: event.lead.linkedinUrl ?? null,
      source: event.source,
      priority: event.priority,
      received_at: event.receivedAt,
    }));
    const suppressed: Array<{ identity_hash: string }> = await tx.query(
      `WITH suppressed AS (
         SELECT identity_hash FROM suppressions WHERE identity_hash = ANY($5::text[])
       ),
       stored AS (
         INSERT INTO leads (id, identity_key, status, reasons, email, first_name, last_name, company_domain, linkedin_url,
                            source, priority, import_id, received_at, updated_at)
         SELECT id, identity_key, 'received', '[]'::jsonb, email, first_name, last_name, company_domain, linkedin_url,
                source, priority, $4::uuid, received_at, received_at
           FROM jsonb_to_recordset($3::jsonb)
             AS t(id uuid, identity_key text, email text, first_name text, last_name text, company_domain text, linkedin_url text,
                  source text, priority text, received_at timestamptz)
          WHERE NOT EXISTS (SELECT 1 FROM suppressed)
       ),
       queued AS (${outboxInsert('NOT EXISTS (SELECT 1 FROM suppressed)')})
       SELECT identity_hash FROM suppressed`,
      [...outboxParams(events, correlationId), jsonbArrayParam(leads), importId ?? null, [...new Set(hashesByLead.flat())]],
    );
    this.suppressions.refuseAmong(hashesByLead, new Set(suppressed.map((row) => row.identity_hash)));
  }

  /** The events, into the outbox (the relay sends them to Kafka). */
  private async enqueue(tx: EntityManager, events: readonly LeadReceived[], correlationId: string): Promise<void> {
    await tx.query(outboxInsert(), outboxParams(events, correlationId));
  }

  private receivedEvent(body: CreateLeadBody, source: LeadSource, now: Date): LeadReceived {
    const input = {
      email: body.email,
      firstName: body.first_name,
      lastName: body.last_name,
      companyDomain: body.company_domain,
      linkedinUrl: body.linkedin_url,
    };
    const identityKey = identityKeyOf(input);
    if (!identityKey) throw new Error('validated lead has no identity');
    return {
      schemaVersion: 1,
      eventId: randomUUID(),
      leadId: randomUUID(),
      identityKey,
      receivedAt: now.toISOString(),
      source,
      priority: body.priority ?? (this.isPriorityDomain(input) ? 'high' : 'normal'),
      refresh: false,
      lead: input,
    };
  }

  async find(id: string): Promise<LeadView | null> {
    const lead = await this.db.getRepository(LeadEntity).findOne({ where: { id } });
    if (!lead) return null;
    const enrichment = await this.db.getRepository(EnrichmentEntity).findOne({ where: { leadId: id } });
    return {
      id: lead.id,
      status: lead.status,
      status_reason: lead.statusReason,
      reasons: lead.reasons,
      score: lead.score,
      score_breakdown: lead.scoreBreakdown,
      input: {
        email: lead.email,
        first_name: lead.firstName,
        last_name: lead.lastName,
        company_domain: lead.companyDomain,
        linkedin_url: lead.linkedinUrl,
      },
      received_at: lead.receivedAt.toISOString(),
      updated_at: lead.updatedAt.toISOString(),
      enrichment: enrichment
        ? {
            provider: enrichment.provider,
            provider_calls: enrichment.providerCalls,
            fetched_at: enrichment.fetchedAt.toISOString(),
            person: enrichment.person,
            company: enrichment.company,
            provenance: enrichment.provenance,
          }
        : null,
    };
  }

  /**
   * Enriches a stored lead again, buying fresh answers: its received event goes out once more,
   * flagged `refresh` (the enricher then skips the cache and replaces its entries), and the lead
   * is `received` until the new result is stored. Null when there is no such lead.
   */
  async refresh(id: string, correlationId: string): Promise<AcceptedLead | null> {
    return this.db.transaction(async (tx) => {
      const [lead] = (await tx.query(`SELECT * FROM leads WHERE id = $1 FOR UPDATE`, [id])) as Array<{
        id: string;
        identity_key: string;
        email: string | null;
        first_name: string | null;
        last_name: string | null;
        company_domain: string | null;
        linkedin_url: string | null;
        source: LeadSource;
        priority: 'normal' | 'high';
      }>;
      if (!lead) return null;
      const event: LeadReceived = {
        schemaVersion: 1,
        eventId: randomUUID(),
        leadId: lead.id,
        identityKey: lead.identity_key,
        receivedAt: new Date().toISOString(),
        source: lead.source,
        priority: lead.priority,
        refresh: true,
        lead: {
          email: lead.email ?? undefined,
          firstName: lead.first_name ?? undefined,
          lastName: lead.last_name ?? undefined,
          companyDomain: lead.company_domain ?? undefined,
          linkedinUrl: lead.linkedin_url ?? undefined,
        },
      };
      await tx.query(`UPDATE leads SET status = 'received', status_reason = 'refresh requested', updated_at = now() WHERE id = $1`, [id]);
      await this.enqueue(tx, [event], correlationId);
      return acceptedLead(event);
    });
  }

  /** One page of leads, newest first, and the cursor of the next page (null on the last). */
  async list(query: LeadListQuery): Promise<LeadPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.statuses.length > 0) where.push(`status = ANY(${param(query.statuses)}::text[])`);
    if (query.minScore !== undefined) where.push(`score >= ${param(query.minScore)}`);
    if (query.maxScore !== undefined) where.push(`score <= ${param(query.maxScore)}`);
    if (query.receivedSince) where.push(`received_at >= ${param(query.receivedSince)}`);
    if (query.after) where.push(`(received_at, id) < (${param(query.after.receivedAt)}::timestamptz, ${param(query.after.id)}::uuid)`);
    const rows: LeadRow[] = await this.db.query(
      `SELECT id, status, status_reason, reasons, score, email, first_name, last_name, company_domain, linkedin_url,
              source, priority, received_at, received_at::text AS received_at_text, updated_at
         FROM leads ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY received_at DESC, id DESC
        LIMIT ${param(query.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(leadSummary),
      next_cursor: rows.length > query.limit ? encodeCursor({ receivedAt: last.received_at_text, id: last.id }) : null,
    };
  }
}

interface LeadRow {
  id: string;
  status: string;
  status_reason: string | null;
  reasons: string[];
  score: number | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  company_domain: string | null;
  linkedin_url: string | null;
  source: string;
  priority: string;
  received_at: Date;
  received_at_text: string;
  updated_at: Date;
}

/** A lead in a list: where it stands and what was given (`GET /api/leads/:id` has the enrichment). */
export interface LeadSummary {
  id: string;
  status: string;
  status_reason: string | null;
  reasons: string[];
  score: number | null;
  source: string;
  priority: string;
  input: LeadView['input'];
  received_at: string;
  updated_at: string;
}

export interface LeadPage {
  data: LeadSummary[];
  next_cursor: string | null;
}

function leadSummary(row: LeadRow): LeadSummary {
  return {
    id: row.id,
    status: row.status,
    status_reason: row.status_reason,
    reasons: row.reasons,
    score: row.score,
    source: row.source,
    priority: row.priority,
    input: {
      email: row.email,
      first_name: row.first_name,
      last_name: row.last_name,
      company_domain: row.company_domain,
      linkedin_url: row.linkedin_url,
    },
    received_at: row.received_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/**
 * Received events into the outbox, in the order given (the relay sends by id): $1 the events
 * as a JSON array of { topic_key, message_key, payload }, $2 the headers they share; only
 * `when` the condition holds.
 */
const outboxInsert = (when = 'true'): string => `INSERT INTO outbox (topic_key, message_key, payload, headers)
  SELECT e.item->>'topic_key', e.item->>'message_key', e.item->'payload', $2::jsonb
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(item, n)
   WHERE ${when}
   ORDER BY e.n`;

function outboxParams(events: readonly LeadReceived[], correlationId: string): [Buffer, string] {
  const rows = events.map((event) => ({
    topic_key: event.priority === 'high' ? 'leadReceivedPriority' : 'leadReceived',
    message_key: event.identityKey,
    payload: event,
  }));
  // The request's trace (when tracing is on) travels with the events: the relay's send continues it.
  return [jsonbArrayParam(rows), JSON.stringify({ ...activeTraceHeaders(), [HEADERS.correlationId]: correlationId })];
}
