import { Column, Entity, Index, OneToOne, PrimaryColumn } from 'typeorm';
import type { LeadStatus } from '@leadpipe/contracts';
import type { EnrichmentEntity } from './enrichment.entity';

/** One row per accepted lead: what was given, where it stands, and its score. */
@Entity({ name: 'leads' })
@Index('leads_status_received_at_idx', ['status', 'receivedAt'])
@Index('leads_identity_key_idx', ['identityKey'])
@Index('leads_score_received_at_id_idx', ['score', 'receivedAt', 'id'], { where: 'score IS NOT NULL' })
@Index('leads_import_id_status_idx', ['importId', 'status'], { where: 'import_id IS NOT NULL' })
export class LeadEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'identity_key', type: 'text' })
  identityKey!: string;

  @Column({ type: 'text' })
  status!: LeadStatus;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  reasons!: string[];

  @Column({ type: 'smallint', nullable: true })
  score!: number | null;

  /** How the score was reached: the criteria that gave points, `[{ criterion, value, points }]`. */
  @Column({ name: 'score_breakdown', type: 'jsonb', nullable: true })
  scoreBreakdown!: Array<{ criterion: string; value: string | boolean; points: number }> | null;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ name: 'first_name', type: 'text', nullable: true })
  firstName!: string | null;

  @Column({ name: 'last_name', type: 'text', nullable: true })
  lastName!: string | null;

  @Column({ name: 'company_domain', type: 'text', nullable: true })
  companyDomain!: string | null;

  @Column({ name: 'linkedin_url', type: 'text', nullable: true })
  linkedinUrl!: string | null;

  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'text', default: 'normal' })
  priority!: string;

  /** The CSV import the lead came from (`imports.id`); null for leads sent one by one. */
  @Column({ name: 'import_id', type: 'uuid', nullable: true })
  importId!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @OneToOne('EnrichmentEntity', (e: EnrichmentEntity) => e.lead)
  enrichment?: EnrichmentEntity | null;
}
