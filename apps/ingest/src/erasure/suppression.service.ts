import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { identityKeysOf, LeadInput } from '@leadpipe/contracts';
import { suppressedAmong, suppressionHash } from '@leadpipe/persistence';

/**
 * Leads whose person asked to be erased. Not an HTTP error itself: the routes answer it with
 * 409 (see IdentitySuppressedFilter); callers that accept leads in bulk can catch it.
 */
export class IdentitySuppressedError extends Error {
  constructor(
    /** Positions, in the accepted batch, of the suppressed leads. */
    readonly indexes: number[],
  ) {
    super(`${indexes.length} lead(s) name a person who asked to be erased`);
    this.name = 'IdentitySuppressedError';
  }
}

type Lead = Pick<LeadInput, 'email' | 'linkedinUrl'>;

/** The suppression list as ingest reads it: which leads must not be accepted. */
@Injectable()
export class SuppressionService {
  private readonly pepper?: string;

  constructor(@Inject(APP_CONFIG) config: IngestEnv) {
    this.pepper = config.SUPPRESSION_PEPPER;
  }

  hash(identityKey: string): string {
    return suppressionHash(identityKey, this.pepper);
  }

  /** Each lead's identity hashes (its e-mail's, its LinkedIn profile's), in the leads' order. */
  hashesOf(leads: readonly Lead[]): string[][] {
    return leads.map((lead) => identityKeysOf(lead).map((key) => this.hash(key)));
  }

  /**
   * Throws IdentitySuppressedError naming (by position) the leads with a hash in `suppressed`.
   * For the statement that stores leads only when none of them is suppressed: it runs under the
   * erasure lock (`transactionAgainstErasure`, so that its snapshot sees every erasure that went
   * before) and returns what it found.
   */
  refuseAmong(hashesByLead: readonly string[][], suppressed: ReadonlySet<string>): void {
    const indexes = indexesAmong(hashesByLead, suppressed);
    if (indexes.length > 0) throw new IdentitySuppressedError(indexes);
  }

  /**
   * Positions of the leads that name a suppressed identity (e-mail or LinkedIn profile). For
   * routes that answer per lead; on its own (outside the storing transaction) it is a
   * pre-check, and the storing statement still guards the write.
   */
  async suppressedIndexes(db: Pick<EntityManager, 'query'>, leads: readonly Lead[]): Promise<number[]> {
    const hashesByLead = this.hashesOf(leads);
    return indexesAmong(hashesByLead, await suppressedAmong(db, hashesByLead.flat()));
  }
}

function indexesAmong(hashesByLead: readonly string[][], suppressed: ReadonlySet<string>): number[] {
  if (suppressed.size === 0) return [];
  return hashesByLead.flatMap((hashes, index) => (hashes.some((hash) => suppressed.has(hash)) ? [index] : []));
}
