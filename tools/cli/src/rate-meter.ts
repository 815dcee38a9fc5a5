/** Below this span of samples a pace is noise (one batch answered in 3 ms is not 60,000 rows/s). */
const MIN_SPAN_MS = 1_000;
/** Updates closer together than this share a sample, so thousands of lookups a second stay cheap. */
const SAMPLE_EVERY_MS = 100;

/**
 * Items per second over a sliding window, and the time left at that pace. The window rather
 * than the whole phase sets the pace, so the ETA follows a pipeline that speeds up or stalls.
 */
export class RateMeter {
  private samples: { at: number; done: number }[] = [];

  constructor(
    /** A minute: ingest throttles per minute, so a shorter window sees its bursts and pauses, not the pace. */
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a new phase at `done`. */
  reset(done = 0): void {
    this.samples = [{ at: this.now(), done }];
  }

  record(done: number): void {
    const at = this.now();
    // The pace starts with the first item done: waiting for a pipeline to fill is latency, not throughput.
    if (this.samples.length === 1 && done === this.samples[0].done) {
      this.samples[0] = { at, done };
      return;
    }
    // The newest sample always moves to now; it is kept as a point of its own once it is far enough from the one before.
    const previous = this.samples.at(-2);
    if (this.samples.length > 2 && previous !== undefined && at - previous.at < SAMPLE_EVERY_MS) this.samples.pop();
    this.samples.push({ at, done });
    // Keep the phase's start (for overall()) and the newest sample at or before the window's
    // start, so the window stays covered.
    const cutoff = at - this.windowMs;
    while (this.samples.length > 3 && this.samples[2].at <= cutoff) this.samples.splice(1, 1);
  }

  /** Items per second over the window, or null until the samples span a second. */
  perSecond(): number | null {
    const last = this.samples.at(-1);
    if (last === undefined) return null;
    // record() keeps the newest sample at or before the window's start second, if there is one.
    const windowStart = this.samples[1];
    const first = windowStart !== undefined && windowStart.at <= last.at - this.windowMs ? windowStart : this.samples[0];
    if (last.at - first.at < MIN_SPAN_MS) return null;
    return (last.done - first.done) / ((last.at - first.at) / 1000);
  }

  /** Items per second since the pace started, however short: for a phase that is over. */
  overall(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.at <= first.at) return null;
    return (last.done - first.done) / ((last.at - first.at) / 1000);
  }

  /** Seconds left until `total` at the current pace; null without a total or a pace (or while stalled). */
  etaSeconds(total: number | null): number | null {
    const last = this.samples.at(-1);
    if (total === null || last === undefined) return null;
    if (last.done >= total) return 0;
    const rate = this.perSecond();
    return rate !== null && rate > 0 ? (total - last.done) / rate : null;
  }
}

/** `42s`, `3m05s`, `2h03m`: short enough for a progress line. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
