import { abortableSleep } from './abortable-sleep';
import { forEachBounded } from './bounded-pool';
import type { IngestClient } from './ingest.client';
import { isTerminal, type FailedRequest, type TrackedLead } from './tracked-lead';

export interface PollInterval {
  readonly minMs: number;
  readonly maxMs: number;
  /** Growth per round in which no lead reached a terminal state. */
  readonly factor: number;
}

export const DEFAULT_POLL_INTERVAL: PollInterval = { minMs: 500, maxMs: 5_000, factor: 1.5 };

export interface FollowOptions {
  /** Epoch milliseconds after which only one final pass over the pending leads is made. */
  readonly deadline: number;
  readonly concurrency: number;
  readonly pollInterval?: PollInterval;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  /** Called after each round with the number of leads in a terminal state. */
  readonly onRound?: (terminal: number, total: number) => void;
}

export interface FollowResult {
  readonly rounds: number;
  readonly outcome: 'all-terminal' | 'timed-out' | 'aborted';
  /** Lookups that got no usable answer after the client's retries (one entry per lead, last reason). */
  readonly failed: FailedRequest[];
}

/**
 * Polls every non-terminal lead until all are terminal, the deadline passes (then one final
 * pass) or the signal aborts. Updates `lead.view` in place. The pause between rounds backs
 * off while nothing moves and snaps back once leads finish, so a fast pipeline is followed
 * closely and a stalled one is not hammered.
 */
export async function followLeads(
  client: Pick<IngestClient, 'getLead'>,
  leads: readonly TrackedLead[],
  options: FollowOptions,
): Promise<FollowResult> {
  const now = options.now ?? Date.now;
  const interval = options.pollInterval ?? DEFAULT_POLL_INTERVAL;
  const failures = new Map<string, FailedRequest>();
  const aborted = (): boolean => options.signal?.aborted ?? false;
  const stopped = (): boolean => aborted() || now() >= options.deadline;
  let pauseMs = interval.minMs;
  let rounds = 0;
  let terminal = leads.filter(isTerminal).length;

  const finish = (outcome: FollowResult['outcome']): FollowResult => ({ rounds, outcome, failed: [...failures.values()] });

  for (;;) {
    if (terminal === leads.length) return finish('all-terminal');
    if (aborted()) return finish('aborted');
    // Once the deadline has passed, one last full pass reports states as of the timeout rather
    // than as of the previous round, which may be a whole pause old.
    const lastLook = now() >= options.deadline;

    rounds += 1;
    const before = terminal;
    await forEachBounded(
      leads.filter((lead) => !isTerminal(lead)),
      options.concurrency,
      async (lead) => {
        const outcome = await client.getLead(lead.id, options.signal);
        if (outcome.kind === 'found') {
          lead.view = outcome.lead;
          failures.delete(lead.id);
        } else if (outcome.kind === 'failed') {
          failures.set(lead.id, { row: lead.row, leadId: lead.id, reason: `GET failed: ${outcome.reason}` });
        }
        // 'unknown' (404): the read side may lag the 202, so the lead simply stays pending.
      },
      lastLook ? aborted : stopped,
    );
    terminal = leads.filter(isTerminal).length;
    options.onRound?.(terminal, leads.length);
    if (terminal === leads.length) return finish('all-terminal');
    if (aborted()) return finish('aborted');
    if (lastLook) return finish('timed-out');

    pauseMs = terminal > before ? interval.minMs : Math.min(interval.maxMs, Math.round(pauseMs * interval.factor));
    await abortableSleep(Math.min(pauseMs, Math.max(0, options.deadline - now())), options.signal);
  }
}
