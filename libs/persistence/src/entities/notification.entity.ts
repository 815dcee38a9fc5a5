import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per (lead, channel, rule): the key that makes each announcement happen once. */
@Entity({ name: 'notifications' })
export class NotificationEntity {
  @PrimaryColumn('uuid', { name: 'lead_id' })
  leadId!: string;

  @PrimaryColumn('text')
  channel!: string;

  @PrimaryColumn('text')
  rule!: string;

  @Column({ type: 'text' })
  status!: 'sending' | 'sent' | 'failed';

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
