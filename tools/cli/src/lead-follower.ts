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

/** How long a lead may answer 404 before it is given up on: ingest stores a lead before its 202, so this is not lag. */
export const DEFAULT_UNKNOWN_GRACE_MS = 30_000;

/** The least pause after a round per page of the pending list, so listing never takes most of a key's throttle. */
const PAUSE_PER_LIST_PAGE_MS = 250;

export interface FollowOptions {
  /** Epoch milliseconds after which only one final pass over the pending leads is made; `Infinity` follows until the end. */
  readonly deadline: number;
  readonly concurrency: number;
  /**
   * No lead followed was received before this (ingest's clock). Known, it lets a round list the
   * pending leads page by page and look up only those that left the list; unknown, the first
   * round looks up every lead and learns it from their `received_at`.
   */
  readonly receivedSince?: Date;
  readonly pollInterval?: PollInterval;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  /**
   * Called with the number of leads settled (terminal, or given up on as unknown) whenever it
   * grows, and after every round: a round over many leads can take minutes.
   */
  readonly onProgress?: (settled: number, total: number) => void;
  /** Called once per lead, as soon as a lookup finds it in a terminal state. */
  readonly onTerminal?: (lead: TrackedLead) => void;
  /**
   * A lead answered 404 for this long (erased meanwhile, or the file of another ingest) becomes
   * a failed lookup and is no longer followed, so following without a deadline still ends.
   */
  readonly unknownGraceMs?: number;
}

export interface FollowResult {
  readonly rounds: number;
  /** `all-settled`: every lead is terminal or was given up on as unknown (then it is in `failed`). */
  readonly outcome: 'all-settled' | 'timed-out' | 'aborted';
  /** Lookups that got no usable answer after the client's retries (one entry per lead, last reason). */
  readonly failed: FailedRequest[];
}

/**
 * Follows leads until all are terminal, the deadline passes (then one final pass) or the
 * signal aborts, updating `lead.view` in place.
 *
 * Each round lists the leads ingest still holds as pending (`GET /api/leads?status=received`,
 * 500 a page) and looks up (`GET /api/leads/:id`, for the enrichment) only the followed ones
 * missing from that list, so a lead costs about one lookup however long it takes, rather than
 * one per round: ingest throttles each API key per minute. A list that fails, or a lead
 * received before `receivedSince`, only falls back to looking the lead up every round.
 *
 * The pause between rounds backs off while nothing moves and snaps back once leads finish.
 * Not one event stream per lead (`GET /api/leads/:id/events`): a stream holds a slot of
 * `concurrency` until its lead ends, so a few slow leads would stall following all the others.
 */
export async function followLeads(
  client: Pick<IngestClient, 'getLead' | 'listPendingIds'>,
  leads: readonly TrackedLead[],
  options: FollowOptions,
): Promise<FollowResult> {
  const now = options.now ?? Date.now;
  const interval = options.pollInterval ?? DEFAULT_POLL_INTERVAL;
  const unknownGraceMs = options.unknownGraceMs ?? DEFAULT_UNKNOWN_GRACE_MS;
  const failures = new Map<string, FailedRequest>();
  /** Since when each lead has answered 404, while it does. */
  const unknownSince = new Map<string, number>();
  const givenUp = new Set<string>();
  const aborted = (): boolean => options.signal?.aborted ?? false;
  const stopped = (): boolean => aborted() || now() >= options.deadline;
  const followed = (lead: TrackedLead): boolean => !isTerminal(lead) && !givenUp.has(lead.id);
  let receivedSince = options.receivedSince;
  let pauseMs = interval.minMs;
  let rounds = 0;
  let settled = leads.filter((lead) => !followed(lead)).length;
  const settle = (): void => {
    settled += 1;
    options.onProgress?.(settled, leads.length);
  };

  const finish = (outcome: FollowResult['outcome']): FollowResult => ({ rounds, outcome, failed: [...failures.values()] });

  const lookUp = async (lead: TrackedLead): Promise<void> => {
    const outcome = await client.getLead(lead.id, options.signal);
    if (outcome.kind === 'found') {
      lead.view = outcome.lead;
      failures.delete(lead.id);
      unknownSince.delete(lead.id);
      if (isTerminal(lead)) {
        options.onTerminal?.(lead);
        settle();
      }
    } else if (outcome.kind === 'failed') {
      failures.set(lead.id, { row: lead.row, leadId: lead.id, reason: `GET failed: ${outcome.reason}` });
    } else {
      // 404: a read side lagging the 202 shows as this for a moment; for longer, the lead is gone.
      const since = unknownSince.get(lead.id) ?? now();
      unknownSince.set(lead.id, since);
      if (now() - since >= unknownGraceMs) {
        givenUp.add(lead.id);
        failures.set(lead.id, {
          row: lead.row,
          leadId: lead.id,
          reason: `GET answered 404 for ${Math.round((now() - since) / 1000)}s: the lead is unknown to this ingest (erased?)`,
        });
        settle();
      }
    }
  };

  // The last pause ended at the deadline: a timer may wake a millisecond before the clock says
  // so, and a round begun then would be cut off by the deadline before looking at anything.
  let sleptToDeadline = false;
  for (;;) {
    if (settled === leads.length) return finish('all-settled');
    if (aborted()) return finish('aborted');
    // Once the deadline has passed, one last full pass reports states as of the timeout rather
    // than as of the previous round, which may be a whole pause old.
    const lastLook = sleptToDeadline || now() >= options.deadline;

    rounds += 1;
    const before = settled;
    let toLookUp = leads.filter(followed);
    let listPages = 0;
    if (receivedSince !== undefined) {
      const listed = await client.listPendingIds(receivedSince, options.signal);
      if (listed.kind === 'listed') {
        toLookUp = toLookUp.filter((lead) => !listed.ids.has(lead.id));
        listPages = listed.pages;
      }
    }
    await forEachBounded(toLookUp, options.concurrency, lookUp, lastLook ? aborted : stopped);
    receivedSince ??= earliestReceived(leads.filter(followed));
    options.onProgress?.(settled, leads.length);
    if (settled === leads.length) return finish('all-settled');
    if (aborted()) return finish('aborted');
    if (lastLook) return finish('timed-out');

    pauseMs = settled > before ? interval.minMs : Math.min(interval.maxMs, Math.round(pauseMs * interval.factor));
    const pause = Math.max(pauseMs, listPages * PAUSE_PER_LIST_PAGE_MS);
    const untilDeadline = Math.max(0, options.deadline - now());
    sleptToDeadline = pause >= untilDeadline;
    await abortableSleep(Math.min(pause, untilDeadline), options.signal);
  }
}

/** The earliest `received_at` among the leads' views, less a second; undefined if any is unknown. */
function earliestReceived(leads: readonly TrackedLead[]): Date | undefined {
  let earliest = Infinity;
  for (const lead of leads) {
    const at = Date.parse(lead.view?.received_at ?? '');
    if (Number.isNaN(at)) return undefined;
    earliest = Math.min(earliest, at);
  }
  return Number.isFinite(earliest) ? new Date(earliest - 1_000) : undefined;
}
