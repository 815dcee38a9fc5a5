import { MultiBar, type SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';
import { formatDuration, RateMeter } from './rate-meter';

export type ImportPhase = 'submitting' | 'following';

const UNIT: Record<ImportPhase, string> = { submitting: 'rows', following: 'leads' };

/** Progress of one phase: `done` out of `total`, with a short free-text detail. */
export interface ProgressReporter {
  /**
   * `total` is null while it is unknown (the file's rows are still being counted); `done` is
   * what is done already (leads a followed file shows as terminal), which is not pace.
   */
  start(phase: ImportPhase, total: number | null, done?: number): void;
  update(done: number, total: number | null, detail: string): void;
  /** A line that must stay readable above the progress (a lead's outcome under `--follow`). */
  log(line: string): void;
  stop(): void;
}

/** `1200/3000 rows, 410.2 rows/s, ETA 4s`: the count, then the pace and time left once known. */
export function describeProgress(phase: ImportPhase, done: number, total: number | null, meter: RateMeter): string {
  const unit = UNIT[phase];
  // A phase over in under a second still has a pace worth showing on its last line.
  const rate = meter.perSecond() ?? (total !== null && done >= total ? meter.overall() : null);
  const eta = meter.etaSeconds(total);
  return [
    `${done}/${total ?? '?'} ${unit}`,
    rate === null ? `-- ${unit}/s` : `${rate.toFixed(1)} ${unit}/s`,
    `ETA ${eta === null ? '--' : formatDuration(eta)}`,
  ].join(', ');
}

/** An animated bar for a person watching a terminal; log lines are printed above it. */
export class BarProgressReporter implements ProgressReporter {
  private bars: MultiBar | null = null;
  private bar: SingleBar | null = null;
  private phase: ImportPhase = 'submitting';
  private readonly meter: RateMeter;

  constructor(
    private readonly stream: Writable,
    now: () => number = Date.now,
  ) {
    this.meter = new RateMeter(undefined, now);
  }

  start(phase: ImportPhase, total: number | null, done = 0): void {
    this.stop();
    this.phase = phase;
    this.meter.reset(done);
    this.bars = new MultiBar({
      format: `${phase.padEnd(10)} |{bar}| {progress}{detail}`,
      stream: this.stream,
      hideCursor: true,
      clearOnComplete: false,
    });
    this.bar = this.bars.create(Math.max(total ?? 1, 1), total === null ? 0 : done, { progress: describeProgress(phase, done, total, this.meter), detail: '' });
  }

  update(done: number, total: number | null, detail: string): void {
    if (this.bar === null) return;
    this.meter.record(done);
    // While the total is unknown the bar stays empty rather than pretending to a fraction.
    this.bar.setTotal(total === null ? 1 : Math.max(total, done, 1));
    this.bar.update(total === null ? 0 : done, {
      progress: describeProgress(this.phase, done, total, this.meter),
      detail: detail ? `, ${detail}` : '',
    });
  }

  log(line: string): void {
    if (this.bars === null) this.stream.write(`${line}\n`);
    else this.bars.log(`${line}\n`);
  }

  stop(): void {
    // One last redraw prints the lines still buffered for the next frame.
    this.bars?.update();
    this.bars?.stop();
    this.bars = null;
    this.bar = null;
  }
}

/**
 * One plain line every `everyMs` at most, and one at the end of each phase: CI logs and
 * redirected output get progress without carriage returns and escape codes.
 */
export class LineProgressReporter implements ProgressReporter {
  private phase: ImportPhase = 'submitting';
  private lastWrite = 0;
  private last: { done: number; total: number | null; detail: string } | null = null;
  private pendingLine = false;
  private readonly meter: RateMeter;

  constructor(
    private readonly write: (line: string) => void,
    private readonly everyMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {
    this.meter = new RateMeter(undefined, now);
  }

  start(phase: ImportPhase, total: number | null, done = 0): void {
    this.phase = phase;
    this.last = { done, total, detail: '' };
    this.pendingLine = false;
    this.lastWrite = this.now();
    this.meter.reset(done);
  }

  update(done: number, total: number | null, detail: string): void {
    this.meter.record(done);
    this.last = { done, total, detail };
    this.pendingLine = true;
    if (this.now() - this.lastWrite < this.everyMs) return;
    this.flush();
  }

  log(line: string): void {
    this.write(line);
  }

  /** Writes the last state unless it was already written, so a phase that did nothing stays silent. */
  stop(): void {
    if (this.pendingLine) this.flush();
    this.last = null;
  }

  private flush(): void {
    if (this.last === null) return;
    this.pendingLine = false;
    this.lastWrite = this.now();
    const { done, total, detail } = this.last;
    this.write(`[${this.phase}] ${describeProgress(this.phase, done, total, this.meter)}${detail ? `, ${detail}` : ''}`);
  }
}

/** For tests and embedding: progress goes nowhere, log lines too. */
export const SILENT_PROGRESS: ProgressReporter = { start: () => undefined, update: () => undefined, log: () => undefined, stop: () => undefined };
