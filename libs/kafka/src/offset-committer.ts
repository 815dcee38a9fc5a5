import type { EachBatchPayload } from 'kafkajs';

/** What commits in a kafkajs batch payload: both act on the consumer's whole group, not on one batch. */
export type OffsetCommits = Pick<EachBatchPayload, 'commitOffsetsIfNecessary' | 'uncommittedOffsets'>;

/**
 * Commits the offsets a consumer has resolved, at most once per `intervalMs` (Kafka's
 * `auto.commit.interval.ms`), instead of once per slice and partition.
 *
 * An offset is resolved only after its messages' outcomes are durable, so committing it later
 * keeps the promise (offsets move only past durable effects); what a crash replays grows to at
 * most one interval of work, which the idempotent handlers absorb. A graceful stop and a
 * rebalance commit at once ({@link flush}), so neither replays. With `intervalMs` 0 every
 * {@link resolved} commits before it returns: one OffsetCommit, awaited, per slice.
 *
 * Why: at moderate rates the slices are small, and the commit after each one was the broker's
 * most frequent request and a round trip on every partition's critical path (BENCHMARKS.md).
 */
export class OffsetCommitter {
  private source?: OffsetCommits;
  private timer?: NodeJS.Timeout;
  private last: Promise<void> = Promise.resolve();

  /** `onError` gets the failures of the commits a timer started (the next commit retries them). */
  constructor(
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Offsets were resolved through `source`: commits them now (interval 0) or within the interval. */
  async resolved(source: OffsetCommits): Promise<void> {
    this.source = source;
    if (this.intervalMs <= 0) return this.flush();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(this.onError);
    }, this.intervalMs);
  }

  /**
   * Commits every resolved offset not committed yet, after any commit in flight (so commits
   * reach the broker in order). Rejects when this commit fails; the offsets stay uncommitted.
   */
  flush(): Promise<void> {
    this.cancelTimer();
    const source = this.source;
    const commit = this.last
      .catch(() => undefined)
      .then(async () => {
        if (!source) return;
        const offsets = source.uncommittedOffsets();
        if (offsets.topics.length > 0) await source.commitOffsetsIfNecessary(offsets);
      });
    this.last = commit;
    return commit;
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
