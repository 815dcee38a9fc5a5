import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One suppressed identity: a person asked to be erased, and leads naming this identity are
 * neither accepted nor enriched again. Only a hash of the identity key is kept (see
 * `suppressionHash`), never the e-mail address or profile itself.
 */
@Entity({ name: 'suppressions' })
export class SuppressionEntity {
  @PrimaryColumn('text', { name: 'identity_hash' })
  identityHash!: string;

  /** Why: `erasure_request` for the ones `DELETE /api/leads/:id` creates. */
  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
