import { SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';

export type ImportPhase = 'submitting' | 'following';

/** Progress of one phase: `done` out of `total`, with a short free-text detail. */
export interface ProgressReporter {
  start(phase: ImportPhase, total: number): void;
  update(done: number, total: number, detail: string): void;
  stop(): void;
}

/** An animated bar for a person watching a terminal. */
export class BarProgressReporter implements ProgressReporter {
  private bar: SingleBar | null = null;

  constructor(private readonly stream: Writable) {}

  start(phase: ImportPhase, total: number): void {
    this.stop();
    this.bar = new SingleBar({
      format: `${phase.padEnd(10)} |{bar}| {value}/{total} {detail}`,
      stream: this.stream,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    });
    this.bar.start(total, 0, { detail: '' });
  }

  update(done: number, total: number, detail: string): void {
    if (this.bar === null) return;
    this.bar.setTotal(total);
    this.bar.update(done, { detail });
  }

  stop(): void {
    this.bar?.stop();
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
  private last: { done: number; total: number; detail: string } | null = null;
  private pendingLine = false;

  constructor(
    private readonly write: (line: string) => void,
    private readonly everyMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  start(phase: ImportPhase, total: number): void {
    this.phase = phase;
    this.last = { done: 0, total, detail: '' };
    this.pendingLine = false;
    this.lastWrite = this.now();
  }

  update(done: number, total: number, detail: string): void {
    this.last = { done, total, detail };
    this.pendingLine = true;
    if (this.now() - this.lastWrite < this.everyMs) return;
    this.flush();
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
    this.write(`[${this.phase}] ${done}/${total}${detail ? ` ${detail}` : ''}`);
  }
}

/** For tests and `--quiet`-like embedding. */
export const SILENT_PROGRESS: ProgressReporter = { start: () => undefined, update: () => undefined, stop: () => undefined };
