import Redis from 'ioredis';
import { identityKeysOf, LeadInput } from '@leadpipe/contracts';
import { SUPPRESSED_IDENTITIES_KEY, suppressionHash } from '@leadpipe/persistence';

/**
 * The lead's person asked to be erased (possibly while the lead was on its way): nothing is
 * bought, cached or published for it. Not a failure: the event is skipped.
 */
export class IdentitySuppressedError extends Error {
  constructor() {
    super('the person this lead names asked to be erased');
    this.name = 'IdentitySuppressedError';
  }
}

/** What the provider asks of the suppression list. */
export interface SuppressionCheck {
  hash(identityKey: string): string;
  anySuppressed(hashes: readonly string[]): Promise<boolean>;
}

/**
 * The suppression list as the enricher sees it: the Redis mirror that ingest writes at every
 * erasure and keeps complete (the enricher has no database). Shared by every replica, so an
 * erasure is seen by all of them at once.
 */
export class RedisSuppressionList implements SuppressionCheck {
  /** The set's key, for the cache's guarded writes. */
  readonly key = SUPPRESSED_IDENTITIES_KEY;

  constructor(
    private readonly redis: Redis,
    private readonly pepper?: string,
  ) {}

  hash(identityKey: string): string {
    return suppressionHash(identityKey, this.pepper);
  }

  /** The hashes of every identity a received lead names: its key, its e-mail, its LinkedIn profile. */
  hashesOf(event: { identityKey: string; lead: Pick<LeadInput, 'email' | 'linkedinUrl'> }): string[] {
    return [...new Set([event.identityKey, ...identityKeysOf(event.lead)])].map((key) => this.hash(key));
  }

  async anySuppressed(hashes: readonly string[]): Promise<boolean> {
    if (hashes.length === 0) return false;
    const members = await this.redis.smismember(this.key, ...hashes);
    return members.some((member) => member === 1);
  }
}
