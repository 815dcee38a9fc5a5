import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { HEADERS, identityKeyOf, LeadReceived } from '@leadpipe/contracts';
import { EnrichmentEntity, LeadEntity } from '@leadpipe/persistence';
import { CreateLeadBody } from './create-lead.dto';
import { IngestMetrics } from './ingest.metrics';
import { SuppressionService } from './erasure/suppression.service';

export type LeadSource = LeadReceived['source'];

export interface AcceptedLead {
  id: string;
  status: 'received';
}

/** The read model served by `GET /api/leads/:id`. */
export interface LeadView {
  id: string;
  status: string;
  status_reason: string | null;
  reasons: string[];
  score: number | null;
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
  } | null;
}

@Injectable()
export class LeadsService {
  private readonly priorityDomains: ReadonlySet<string>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly metrics: IngestMetrics,
    @Inject(APP_CONFIG) config: IngestEnv,
    private readonly suppressions: SuppressionService,
  ) {
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
   * Stores the lead and its received event in one transaction. Once this resolves the lead
   * is durable: the outbox relay delivers the event to Kafka, even if the broker is down now.
   */
  async accept(body: CreateLeadBody, correlationId: string, source: LeadSource = 'api'): Promise<AcceptedLead> {
    const [accepted] = await this.acceptMany([body], correlationId, source);
    return accepted;
  }

  /**
   * Stores many validated leads and their received events in one transaction (multi-row
   * inserts): either all of them are accepted or none is. The caller bounds the batch size.
   * Throws IdentitySuppressedError (409) when any names a person who asked to be erased.
   */
  async acceptMany(bodies: readonly CreateLeadBody[], correlationId: string, source: LeadSource = 'api'): Promise<AcceptedLead[]> {
    if (bodies.length === 0) return [];
    const now = new Date();
    const events = bodies.map((body) => this.receivedEvent(body, source, now));
    await this.db.transaction(async (tx) => {
      await this.suppressions.refuseSuppressed(tx, events.map((event) => event.lead));
      await tx.insert(
        LeadEntity,
        events.map((event) => ({
          id: event.leadId,
          identityKey: event.identityKey,
          status: 'received',
          statusReason: null,
          reasons: [],
          score: null,
          email: event.lead.email ?? null,
          firstName: event.lead.firstName ?? null,
          lastName: event.lead.lastName ?? null,
          companyDomain: event.lead.companyDomain ?? null,
          linkedinUrl: event.lead.linkedinUrl ?? null,
          source: event.source,
          priority: event.priority,
          receivedAt: now,
          updatedAt: now,
        })),
      );
      const headers = JSON.stringify({ [HEADERS.correlationId]: correlationId });
      const params: string[] = [];
      const rows = events.map((event, i) => {
        params.push(event.priority === 'high' ? 'leadReceivedPriority' : 'leadReceived', event.identityKey, JSON.stringify(event), headers);
        return `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`;
      });
      await tx.query(`INSERT INTO outbox (topic_key, message_key, payload, headers) VALUES ${rows.join(', ')}`, params);
    });
    this.metrics.leadsAccepted.inc({ source }, events.length);
    return events.map((event) => ({ id: event.leadId, status: 'received' as const }));
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
          }
        : null,
    };
  }
}
