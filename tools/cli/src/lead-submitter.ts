import { forEachBounded } from './bounded-pool';
import type { IngestClient } from './ingest.client';
import type { LeadRow } from './lead-csv.reader';
import type { FailedRequest, RejectedRow, TrackedLead } from './tracked-lead';

export interface SubmissionResult {
  readonly accepted: TrackedLead[];
  readonly rejected: RejectedRow[];
  readonly failed: FailedRequest[];
  /** Rows taken from the source, whatever their fate. */
  sent: number;
}

export interface SubmitOptions {
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  readonly onAnswer?: (result: SubmissionResult) => void;
}

/**
 * Posts every row with bounded concurrency. A 400 is the row's fault and is recorded, not
 * thrown; an unreachable ingest (IngestUnreachableError) ends the whole submission, since
 * every remaining row would fail the same way. `result` is filled in place so a caller still
 * holds what was accepted when that happens.
 */
export async function submitLeads(
  rows: AsyncIterable<LeadRow>,
  client: Pick<IngestClient, 'submitLead'>,
  result: SubmissionResult,
  options: SubmitOptions,
): Promise<void> {
  await forEachBounded(
    rows,
    options.concurrency,
    async (row) => {
      result.sent += 1;
      const outcome = await client.submitLead(row.input, options.signal);
      switch (outcome.kind) {
        case 'accepted':
          result.accepted.push({ row: row.row, id: outcome.id, input: row.input, view: null });
          break;
        case 'rejected':
          result.rejected.push({ row: row.row, line: row.line, reason: outcome.reason });
          break;
        case 'failed':
          result.failed.push({ row: row.row, reason: `POST failed: ${outcome.reason}` });
          break;
      }
      options.onAnswer?.(result);
    },
    () => options.signal?.aborted ?? false,
  );
}

export function emptySubmissionResult(): SubmissionResult {
  return { accepted: [], rejected: [], failed: [], sent: 0 };
}
