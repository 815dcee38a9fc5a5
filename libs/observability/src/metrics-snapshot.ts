export interface ScrapeSnapshotOptions {
  /** A load younger than this serves the next scrape as is: one load per scrape, not one per gauge. */
  maxAgeMs?: number;
  /** A scrape waits at most this long for a load in flight, then answers with the last values. */
  timeoutMs?: number;
  /** Called with each failure whose message differs from the previous one (a dead broker logs once, not every scrape). */
  onError: (error: unknown) => void;
}

/**
 * Values read at scrape time that cost a round trip (database counts, broker offsets).
 * Every gauge of a scrape, and overlapping scrapes, share one load; a load that fails or
 * is slow leaves the last values in place, so a scrape is cheap and never fails because a
 * dependency is down (the dependency's own probe and metrics say that).
 */
export class ScrapeSnapshot<T> {
  private last: T | undefined;
  private loadedAt = -Infinity;
  private inflight?: Promise<void>;
  private lastError: string | null = null;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly options: ScrapeSnapshotOptions,
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 2_000;
  }

  /** The freshest values available within the timeout; undefined until a load has succeeded. */
  async get(): Promise<T | undefined> {
    if (!this.inflight && Date.now() - this.loadedAt >= this.maxAgeMs) this.inflight = this.refresh();
    if (this.inflight) await withTimeout(this.inflight, this.timeoutMs);
    return this.last;
  }

  private async refresh(): Promise<void> {
    try {
      this.last = await this.load();
      this.loadedAt = Date.now();
      this.lastError = null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== this.lastError) this.options.onError(error);
      this.lastError = message;
    } finally {
      this.inflight = undefined;
    }
  }
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
