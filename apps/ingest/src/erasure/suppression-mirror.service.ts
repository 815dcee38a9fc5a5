import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { identityOfPersonCacheKey, PERSON_CACHE_KEYS_PATTERN, REDIS, SUPPRESSED_IDENTITIES_KEY, suppressionHash } from '@leadpipe/persistence';
import { ErasureMetrics } from './erasure.metrics';

const PAGE = 5_000;
/** An abandoned rebuild (its replica died) is removed by Redis after this. */
const REBUILD_TTL_SECONDS = 3_600;

export type MirrorSync = 'in_step' | 'added' | 'rebuilt';

/**
 * Keeps the Redis set the enricher checks equal to the `suppressions` table. Erasures write
 * both; this repairs what a Redis restart without persistence, a flush or a failed erasure
 * left behind. The set only grows in normal operation, so comparing sizes is enough: fewer
 * members than rows means some were lost (they are added again, nothing is removed); more
 * means suppressions were lifted in the table or an erasure rolled back (the set is rebuilt
 * aside and swapped in, so it is never seen half-filled).
 *
 * While members were missing the enricher could buy and cache an erased person's answers, so
 * adding them back is followed by a sweep of the person entries in the cache: those of a
 * suppressed identity are deleted. The sweep starts once the set is complete, so an entry the
 * enricher writes during it is refused by the set (its writes check it atomically) and every
 * entry written before is seen by the scan.
 */
@Injectable()
export class SuppressionMirror implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SuppressionMirror.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopping = false;
  private lastError: string | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: IngestEnv,
    private readonly metrics: ErasureMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.SUPPRESSION_PEPPER && this.config.NODE_ENV === 'production') {
      this.logger.warn('SUPPRESSION_PEPPER is not set: the suppression list is stored as plain SHA-256, which guessed e-mail addresses can be tested against');
    }
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Compares the set with the table once and repairs it when they differ. */
  async syncOnce(): Promise<MirrorSync> {
    const [{ rows }] = await this.db.query<Array<{ rows: number }>>(`SELECT count(*)::int AS rows FROM suppressions`);
    const members = await this.redis.scard(SUPPRESSED_IDENTITIES_KEY);
    if (members === rows) return 'in_step';
    if (members < rows) {
      await this.eachPage((hashes) => this.redis.sadd(SUPPRESSED_IDENTITIES_KEY, ...hashes));
      const purged = await this.purgeSuppressedPeople();
      this.record('added', rows, members, purged);
      return 'added';
    }
    const aside = `${SUPPRESSED_IDENTITIES_KEY}:rebuild:${randomUUID()}`;
    try {
      let filled = false;
      await this.eachPage(async (hashes) => {
        await this.redis.sadd(aside, ...hashes);
        if (!filled) await this.redis.expire(aside, REBUILD_TTL_SECONDS);
        filled = true;
      });
      if (filled) await this.redis.multi().rename(aside, SUPPRESSED_IDENTITIES_KEY).persist(SUPPRESSED_IDENTITIES_KEY).exec();
      else await this.redis.del(SUPPRESSED_IDENTITIES_KEY);
    } finally {
      await this.redis.del(aside).catch(() => undefined);
    }
    this.record('rebuilt', rows, members);
    return 'rebuilt';
  }

  /** Counts and logs a repair; `purged`: the cached answers of suppressed people the sweep after it deleted. */
  private record(result: MirrorSync, rows: number, members: number, purged?: number): void {
    this.metrics.mirrorRepairs.inc();
    const swept = purged === undefined ? '' : `; ${purged} cached answers of suppressed people deleted`;
    this.logger.warn(`suppression mirror ${result}: Redis had ${members} of ${rows} suppressions${swept}`);
  }

  /** Deletes the person entries of the cache whose identity is in the set; returns how many. */
  private async purgeSuppressedPeople(): Promise<number> {
    // SCAN neither adds the connection's key prefix to its pattern nor strips it from the keys.
    const prefix = this.config.REDIS_KEY_PREFIX;
    const stream = this.redis.scanStream({ match: `${globEscape(prefix)}${PERSON_CACHE_KEYS_PATTERN}`, count: 1_000 });
    let purged = 0;
    for await (const page of stream as AsyncIterable<string[]>) {
      const entries = page.flatMap((prefixed) => {
        const key = prefixed.slice(prefix.length);
        const identity = identityOfPersonCacheKey(key);
        return identity === null ? [] : [{ key, hash: suppressionHash(identity, this.config.SUPPRESSION_PEPPER) }];
      });
      if (entries.length === 0) continue;
      const suppressed = await this.redis.smismember(SUPPRESSED_IDENTITIES_KEY, ...entries.map((e) => e.hash));
      const doomed = entries.filter((_, i) => suppressed[i] === 1).map((e) => e.key);
      if (doomed.length > 0) purged += await this.redis.del(...doomed);
    }
    return purged;
  }

  private async eachPage(handle: (hashes: string[]) => Promise<unknown>): Promise<void> {
    for (let after = ''; ; ) {
      const rows = await this.db.query<Array<{ identity_hash: string }>>(
        `SELECT identity_hash FROM suppressions WHERE identity_hash > $1 ORDER BY identity_hash LIMIT $2`,
        [after, PAGE],
      );
      if (rows.length === 0) return;
      await handle(rows.map((row) => row.identity_hash));
      after = rows[rows.length - 1].identity_hash;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.syncOnce()
        .then(() => {
          if (this.lastError) this.logger.log('suppression mirror sync recovered');
          this.lastError = null;
        })
        .catch((error: unknown) => {
          // Retried at the next interval; said once per distinct failure.
          const message = error instanceof Error ? error.message : String(error);
          if (message !== this.lastError) this.logger.error(`suppression mirror sync failed, will retry: ${message}`);
          this.lastError = message;
        })
        .finally(() => this.schedule(this.config.INGEST_SUPPRESSION_SYNC_MS));
    }, delayMs);
  }
}

/** `text` matched literally by a Redis glob pattern. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
