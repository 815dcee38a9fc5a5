import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, ValidatorEnv } from '@leadpipe/config';

const PURGE_EVERY_MS = 3_600_000;
/** Rows per DELETE: short statements, so the purge never holds many row locks or a long transaction. */
export const PURGE_BATCH_SIZE = 1_000;

/**
 * Keeps `enrichment_history` to VALIDATOR_HISTORY_RETENTION_DAYS: rows recorded longer ago are
 * deleted at boot and then every hour, in batches. A failed purge is retried at the next tick
 * (nothing depends on it finishing sooner); the current enrichment lives in `enrichments` and
 * is not touched.
 */
@Injectable()
export class HistoryRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HistoryRetentionService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: ValidatorEnv,
  ) {}

  /** Deletes the history rows past retention, batch by batch; resolves to how many went. */
  async purge(now = new Date(), batchSize = PURGE_BATCH_SIZE): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.VALIDATOR_HISTORY_RETENTION_DAYS * 86_400_000);
    let total = 0;
    for (;;) {
      const [, deleted] = (await this.db.query(
        `DELETE FROM enrichment_history WHERE id IN (
           SELECT id FROM enrichment_history WHERE recorded_at < $1 ORDER BY recorded_at LIMIT $2)`,
        [cutoff, batchSize],
      )) as [unknown, number];
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }

  onApplicationBootstrap(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), PURGE_EVERY_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.purge()
      .then((deleted) => {
        if (deleted > 0) this.logger.log({ msg: 'enrichment history purged', deleted, retentionDays: this.config.VALIDATOR_HISTORY_RETENTION_DAYS });
      })
      .catch((error: unknown) => this.logger.warn({ msg: 'enrichment history purge failed; retried in an hour', error: String(error) }))
      .finally(() => {
        this.running = undefined;
      });
  }
}
