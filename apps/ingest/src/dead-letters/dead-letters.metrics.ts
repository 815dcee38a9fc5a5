import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsRegistry, ScrapeSnapshot } from '@leadpipe/observability';

/** Stages that write dead letters; any other name (a producer we do not know) is labelled `other`. */
export const STAGE_LABELS = ['ingest', 'enricher', 'validator', 'notifier'] as const;

/** The `stage` label of a dead letter: a small fixed set, since the stage comes from the message. */
export function stageLabel(stage: string): string {
  return (STAGE_LABELS as readonly string[]).includes(stage) ? stage : 'other';
}

export type ReplayResult = 'replayed' | 'unreplayable' | 'already_replayed';

/** Dead-letter replays by ingest, and the dead letters still waiting for one. */
@Injectable()
export class DeadLetterMetrics {
  private readonly logger = new Logger(DeadLetterMetrics.name);
  private readonly replays: Counter<'stage' | 'result'>;

  constructor(registry: MetricsRegistry, @InjectDataSource() private readonly db: DataSource) {
    const registers = [registry];
    this.replays = new Counter({
      name: 'leadpipe_ingest_dead_letters_replayed_total',
      help: 'Dead-letter replays asked of ingest, by stage and result (replayed, unreplayable, already_replayed).',
      labelNames: ['stage', 'result'],
      registers,
    });
    const snapshot = new ScrapeSnapshot(() => this.countUnreplayed(), {
      onError: (error) => this.logger.warn(`dead-letter counts unavailable, keeping the last values: ${error instanceof Error ? error.message : String(error)}`),
    });
    new Gauge({
      name: 'leadpipe_dead_letters_unreplayed',
      help: 'Dead letters recorded and not replayed yet, by stage.',
      labelNames: ['stage'],
      registers,
      async collect() {
        const counts = await snapshot.get();
        if (!counts) return;
        for (const stage of [...STAGE_LABELS, 'other']) this.set({ stage }, counts.get(stage) ?? 0);
      },
    });
  }

  /** Counts results once their transaction committed. */
  replayed(stage: string, result: ReplayResult, count = 1): void {
    if (count > 0) this.replays.inc({ stage: stageLabel(stage), result }, count);
  }

  private async countUnreplayed(): Promise<Map<string, number>> {
    // Only the rows still waiting (a partial index): replayed dead letters pile up, these do not.
    const rows: Array<{ stage: string; count: number }> = await this.db.query(
      `SELECT stage, count(*)::int AS count FROM dead_letters WHERE replayed_at IS NULL GROUP BY stage`,
    );
    const counts = new Map<string, number>();
    for (const { stage, count } of rows) counts.set(stageLabel(stage), (counts.get(stageLabel(stage)) ?? 0) + count);
    return counts;
  }
}
