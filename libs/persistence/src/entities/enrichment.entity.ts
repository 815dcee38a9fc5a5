import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import type { LeadEntity } from './lead.entity';

/** The enrichment of one lead: normalised fields for reading, raw provider responses for audit. */
@Entity({ name: 'enrichments' })
export class EnrichmentEntity {
  @PrimaryColumn('uuid', { name: 'lead_id' })
  leadId!: string;

  @OneToOne('LeadEntity', (l: LeadEntity) => l.enrichment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'lead_id' })
  lead?: LeadEntity;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ type: 'text' })
  outcome!: 'enriched' | 'not_found';

  @Column({ name: 'provider_calls', type: 'integer' })
  providerCalls!: number;

  @Column({ name: 'fetched_at', type: 'timestamptz' })
  fetchedAt!: Date;

  @Column({ type: 'jsonb', nullable: true })
  person!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  company!: Record<string, unknown> | null;

  @Column({ name: 'raw_person', type: 'jsonb', nullable: true })
  rawPerson!: Record<string, unknown> | null;

  @Column({ name: 'raw_company', type: 'jsonb', nullable: true })
  rawCompany!: Record<string, unknown> | null;

  /** Field → `{ source, fetched_at }`: `input` for what the lead's sender entered, else the provider. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  provenance!: Record<string, { source: string; fetched_at: string }>;

  /** The enriched event this row came from: a redelivery of it changes nothing. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
