import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource, EntityManager } from 'typeorm';
import {
  cacheLockKey,
  lockForErasure,
  personCacheKey,
  REDIS,
  SUPPRESSED_IDENTITIES_KEY,
  SUPPRESSION_REASON_ERASURE,
} from '@leadpipe/persistence';
import { ErasureMetrics } from './erasure.metrics';
import { identitiesOfStoredLead, profileOfCachedLookup, slugsOf, StoredLeadIdentities, tiedToPerson } from './person-identities';
import { SuppressionService } from './suppression.service';

/** Ingest's own Redis connection (erasure only: accepting leads never waits for Redis). */

/** What one erasure removed, as `DELETE /api/leads/:id` answers it. */
export interface ErasureReport {
  id: string;
  erased: {
    leads: number;
    enrichments: number;
    /** Raw provider answers in `enrichment_history`. */
    history: number;
    notifications: number;
    outbox: number;
    dead_letters: number;
    idempotency_keys: number;
    cache_keys: number;
  };
  suppressed: true;
}

interface Person {
  /** The identity key of the lead the request named. */
  identityKey: string;
  leadIds: string[];
  /** Every identity key tied to the person (see identitiesOfStoredLead), sorted. */
  identities: string[];
}

/**
 * Erases the person a lead names, everywhere the pipeline keeps them, and suppresses their
 * identities so that they are not accepted or bought again.
 *
 * The person is every lead stored under one of their identities (the same e-mail or LinkedIn
 * profile submitted again, in any spelling), naming one of their profiles, or matched to one
 * by the provider (its enrichment is that profile's data), followed from lead to lead. Their
 * rows (leads, enrichments, notifications, relay-pending outbox events) go in one transaction
 * that also writes the suppressions; their cache entries (the reverse lookup by e-mail, the
 * profile by slug, and any claim on either) go from Redis. Company entries stay: they
 * describe a company, not the person.
 *
 * Order matters, because events already in Kafka cannot be recalled. Under the exclusive
 * erasure lock (ingest and the validator cannot store a lead meanwhile), the Redis mirror of
 * the suppressions is written first: from then on the enricher buys nothing more for the
 * person and cannot cache an answer it bought just before (its cache write checks the mirror
 * atomically), so the cache entries deleted next stay deleted. The rows go last, and the
 * commit makes the suppressions visible to ingest and the validator at the same time.
 * A failure anywhere rolls the rows back: the lead is still there and the request can be
 * repeated (Redis keeps the extra suppressions until then; the mirror sync drops them if it
 * never is).
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly suppressions: SuppressionService,
    private readonly metrics: ErasureMetrics,
  ) {}

  /** Erases the person lead `leadId` names; null when there is no such lead (or it was erased already). */
  async erase(leadId: string): Promise<ErasureReport | null> {
    // A cheap look before the exclusive lock, which holds every ingest write back.
    const [exists] = await this.db.query<unknown[]>(`SELECT 1 FROM leads WHERE id = $1`, [leadId]);
    if (!exists) return null;

    const outcome = await this.db.transaction(async (tx) => {
      await lockForErasure(tx);
      const person = await this.findPerson(tx, leadId);
      if (!person) return null;
      const hashes = person.identities.map((identity) => this.suppressions.hash(identity));
      await this.redis.sadd(SUPPRESSED_IDENTITIES_KEY, ...hashes);
      const cacheKeys = person.identities.map(personCacheKey).flatMap((key) => [key, cacheLockKey(key)]);
      const cacheKeysDeleted = await this.redis.del(...cacheKeys);
      await tx.query(
        `INSERT INTO suppressions (identity_hash, reason) SELECT unnest($1::text[]), $2 ON CONFLICT (identity_hash) DO NOTHING`,
        [hashes, SUPPRESSION_REASON_ERASURE],
      );
      const count = async (sql: string, params: unknown[]): Promise<number> => {
        const [row] = await tx.query<Array<{ n: number }>>(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, params);
        return row.n;
      };
      // Relay-pending events of the person: by lead, and by Kafka key (their identity).
      const outbox = await count(`DELETE FROM outbox WHERE payload->>'leadId' = ANY($1::text[]) OR message_key = ANY($2::text[])`, [
        person.leadIds,
        person.identities,
      ]);
      const notifications = await count(`DELETE FROM notifications WHERE lead_id = ANY($1::uuid[])`, [person.leadIds]);
      const enrichments = await count(`DELETE FROM enrichments WHERE lead_id = ANY($1::uuid[])`, [person.leadIds]);
      const history = await count(`DELETE FROM enrichment_history WHERE lead_id = ANY($1::uuid[])`, [person.leadIds]);
      // Dead letters hold the original message (the person's data), by lead or by Kafka key.
      const deadLetters = await count(`DELETE FROM dead_letters WHERE lead_id = ANY($1::uuid[]) OR message_key = ANY($2::text[])`, [
        person.leadIds,
        person.identities,
      ]);
      // Stored answers name the lead ids: the keys go too (a repeat is refused as suppressed anyway).
      const idempotencyKeys = await count(
        `DELETE FROM idempotency_keys k WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS l(id) WHERE k.response::text LIKE '%' || l.id || '%')`,
        [person.leadIds],
      );
      const leads = await count(`DELETE FROM leads WHERE id = ANY($1::uuid[])`, [person.leadIds]);
      return {
        hashes,
        identityKey: person.identityKey,
        report: { leads, enrichments, history, notifications, outbox, dead_letters: deadLetters, idempotency_keys: idempotencyKeys, cache_keys: cacheKeysDeleted },
      };
    });
    if (!outcome) return null;

    // Again after the commit: a rebuild of the mirror that read the table just before it would
    // otherwise leave these out until the next sync.
    await this.redis.sadd(SUPPRESSED_IDENTITIES_KEY, ...outcome.hashes).catch((error: unknown) => {
      this.logger.warn(`suppression mirror not confirmed after erasure, the sync will add it: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.metrics.erasures.inc();
    // No personal data: the lead id and the hash of its identity, which names nobody.
    this.logger.log({ msg: 'person erased', leadId, identityHash: this.suppressions.hash(outcome.identityKey), ...outcome.report });
    return { id: leadId, erased: outcome.report, suppressed: true };
  }

  /**
   * The lead, and every lead tied to its person: stored under one of the person's identities,
   * naming one of their LinkedIn profiles, or matched to one by the provider. Each lead found
   * brings its own identities (its inputs, the profile matched to it, the profile a cached
   * reverse lookup of its e-mail points to), until no new one appears. Null when the lead is gone.
   */
  private async findPerson(tx: EntityManager, leadId: string): Promise<Person | null> {
    // Each branch has its index (the slug expressions are the migration's, verbatim); the
    // candidates are then confirmed with the pipeline's own rules (`tiedToPerson`).
    const select = (identities: readonly string[], slugs: readonly string[]) =>
      tx.query<Array<StoredLeadIdentities & { id: string }>>(
        `SELECT l.id, l.identity_key, l.email, l.linkedin_url,
                e.raw_person->>'username' AS matched_username, e.person->>'linkedin_url' AS matched_profile_url
           FROM leads l LEFT JOIN enrichments e ON e.lead_id = l.id
          WHERE l.id IN (
                  SELECT id FROM leads
                   WHERE id = $1 OR identity_key = ANY($2::text[])
                      OR lower(substring(linkedin_url from '(?i)linkedin\\.com/(?:in|pub)/([^/?#]+)')) = ANY($3::text[])
                  UNION
                  SELECT lead_id FROM enrichments WHERE lower(raw_person->>'username') = ANY($4::text[]))`,
        [leadId, identities, slugs.flatMap((slug) => [slug, encodeURIComponent(slug).toLowerCase()]), slugs],
      );
    const named = (await select([], [])).find((row) => row.id === leadId);
    if (!named) return null;
    const leadIds = new Set<string>([leadId]);
    const identities = new Set<string>(identitiesOfStoredLead(named));
    const queried = new Set<string>();
    const lookedUp = new Set<string>();
    for (;;) {
      // A lead not stored with its enrichment yet may already have its reverse lookup cached.
      for (const identity of [...identities]) {
        if (!identity.startsWith('email:') || lookedUp.has(identity)) continue;
        lookedUp.add(identity);
        const profile = profileOfCachedLookup(await this.redis.get(personCacheKey(identity)));
        if (profile) identities.add(profile);
      }
      const fresh = [...identities].filter((identity) => !queried.has(identity));
      if (fresh.length === 0) break;
      for (const identity of fresh) queried.add(identity);
      const rows = await select([...identities], slugsOf(identities));
      for (const row of rows) {
        if (leadIds.has(row.id) || !tiedToPerson(row, identities)) continue;
        leadIds.add(row.id);
        for (const identity of identitiesOfStoredLead(row)) identities.add(identity);
      }
    }
    return { identityKey: named.identity_key, leadIds: [...leadIds], identities: [...identities].sort() };
  }
}
