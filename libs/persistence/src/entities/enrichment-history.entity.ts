import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One provider answer as it came, per enriched event; kept for the validator's retention period. */
@Entity({ name: 'enrichment_history' })
@Index('enrichment_history_lead_id_fetched_at_idx', ['leadId', 'fetchedAt'])
@Index('enrichment_history_recorded_at_idx', ['recordedAt'])
export class EnrichmentHistoryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'lead_id', type: 'uuid' })
  leadId!: string;

  /** The enriched event the answer came in: a redelivery of it adds no row. */
  @Column({ name: 'event_id', type: 'uuid', unique: true })
  eventId!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ type: 'text' })
  outcome!: 'enriched' | 'not_found';

  @Column({ name: 'fetched_at', type: 'timestamptz' })
  fetchedAt!: Date;

  @Column({ name: 'raw_person', type: 'jsonb', nullable: true })
  rawPerson!: Record<string, unknown> | null;

  @Column({ name: 'raw_company', type: 'jsonb', nullable: true })
  rawCompany!: Record<string, unknown> | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
