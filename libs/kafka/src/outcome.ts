import type { Context } from '@opentelemetry/api';
import { DeadLetter } from '@leadpipe/contracts';

/** What a handler did with one message; the runtime maps each to a commit, a retry or a dead letter. */
export type Outcome =
  | { status: 'processed' }
  | { status: 'skipped'; reason: string }
  | { status: 'retry'; reason: string; /** Not before this many ms (e.g. a provider's Retry-After). */ afterMs?: number }
  | { status: 'dead_letter'; reason: string; code: DeadLetter['errorCode'] };

export const processed = (): Outcome => ({ status: 'processed' });
export const skipped = (reason: string): Outcome => ({ status: 'skipped', reason });
export const retry = (reason: string, afterMs?: number): Outcome => ({ status: 'retry', reason, ...(afterMs ? { afterMs } : {}) });
export const deadLetter = (reason: string, code: DeadLetter['errorCode'] = 'processing_failed'): Outcome => ({
  status: 'dead_letter',
  reason,
  code,
});

/** One validated message handed to a handler. */
export interface ConsumedEvent<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  correlationId: string;
  value: T;
  /**
   * The trace context of this message's `process` span when tracing is on: pass it on with
   * `forwardHeaders(event)` so what is derived from the message continues its trace.
   */
  trace?: Context;
}

/** Handlers receive a batch and answer with one outcome per event, in the same order. */
export type BatchHandler<T> = (events: ConsumedEvent<T>[]) => Promise<Outcome[]>;
