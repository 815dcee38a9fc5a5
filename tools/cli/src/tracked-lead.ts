import type { LeadView } from './ingest-api.schema';
import { isTerminalStatus } from './ingest-api.schema';
import type { LeadFieldValues } from '@leadpipe/contracts';

/** A lead ingest accepted, with the last view of it the tool read. */
export interface TrackedLead {
  readonly row: number;
  readonly id: string;
  /** What the tool sent, so the output shows the user's own values even if ingest never answers a lookup. */
  readonly input: LeadFieldValues;
  view: LeadView | null;
}

export function statusOf(lead: TrackedLead): string {
  return lead.view?.status ?? 'received';
}

export function isTerminal(lead: TrackedLead): boolean {
  return isTerminalStatus(statusOf(lead));
}

/** A request that got no usable answer even after retries; any of these makes the run exit 1. */
export interface FailedRequest {
  readonly row: number;
  readonly leadId?: string;
  readonly reason: string;
}

/** A row ingest refused: `invalid` input (a 400 naming it), or a `suppressed` person (409: they asked to be erased). */
export interface RejectedRow {
  readonly row: number;
  readonly line: number;
  readonly reason: string;
  readonly cause: 'invalid' | 'suppressed';
}
