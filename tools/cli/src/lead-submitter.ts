import { randomUUID } from 'node:crypto';
import { forEachBounded } from './bounded-pool';
import type { IngestClient, LeadFieldError } from './ingest.client';
import type { LeadRow } from './lead-csv.reader';
import type { FailedRequest, RejectedRow, TrackedLead } from './tracked-lead';

export interface SubmissionResult {
  readonly accepted: TrackedLead[];
  readonly rejected: RejectedRow[];
  readonly failed: FailedRequest[];
  /** Rows taken from the source, whatever their fate. */
  sent: number;
  /** Batch requests answered (each resend of a filtered or split batch counts). */
  requests: number;
}

export interface SubmitOptions {
  readonly concurrency: number;
  /** Leads per request; ingest's own maximum (INGEST_BATCH_MAX_LEADS) is honoured by splitting. */
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  readonly onAnswer?: (result: SubmissionResult) => void;
}

/** The reason ingest's own CSV import gives for a suppressed row. */
export const SUPPRESSED_REASON = 'suppressed: this person asked to be erased';

/**
 * Posts the rows in batches through `POST /api/leads/batch`, `concurrency` requests in flight.
 * The route stores a batch whole or not at all, so a refusal that names leads (400 by index,
 * 409 suppressed) records those rows as rejected and sends the others again as a new batch
 * under a new Idempotency-Key; a batch too large for ingest is halved. An unreachable ingest
 * (IngestUnreachableError) or a refused key (IngestAccessError) ends the whole submission,
 * since every remaining batch would fail the same way. `result` is filled in place so a
 * caller still holds what was accepted when that happens.
 */
export async function submitLeads(
  rows: AsyncIterable<LeadRow>,
  client: Pick<IngestClient, 'submitBatch'>,
  result: SubmissionResult,
  options: SubmitOptions,
): Promise<void> {
  const aborted = (): boolean => options.signal?.aborted ?? false;
  await forEachBounded(
    batchesOf(rows, options.batchSize),
    options.concurrency,
    async (batch) => {
      result.sent += batch.length;
      // Filtered and halved batches go first, so a lane finishes its rows before taking new ones.
      const queue: LeadRow[][] = [batch];
      for (let next = queue.shift(); next !== undefined && !aborted(); next = queue.shift()) {
        queue.unshift(...(await sendOnce(next, client, result, options.signal)));
        result.requests += 1;
        options.onAnswer?.(result);
      }
    },
    aborted,
  );
}

/** Sends one batch and records its fate; returns the batches still to send. */
async function sendOnce(
  batch: readonly LeadRow[],
  client: Pick<IngestClient, 'submitBatch'>,
  result: SubmissionResult,
  signal: AbortSignal | undefined,
): Promise<LeadRow[][]> {
  // A fresh key per body: a retry of this request reuses it (inside the client), a different body never does.
  const outcome = await client.submitBatch(
    batch.map((row) => row.input),
    randomUUID(),
    signal,
  );
  switch (outcome.kind) {
    case 'accepted':
      batch.forEach((row, index) => result.accepted.push({ row: row.row, id: outcome.ids[index], input: row.input, view: null }));
      return [];
    case 'invalid':
      return reject(batch, reasonsByIndex(outcome.errors), 'invalid', result);
    case 'suppressed':
      return reject(batch, new Map(outcome.indexes.map((index) => [index, SUPPRESSED_REASON])), 'suppressed', result);
    case 'too-large':
      if (batch.length > 1) return [batch.slice(0, Math.ceil(batch.length / 2)), batch.slice(Math.ceil(batch.length / 2))];
      fail(batch, outcome.reason, result);
      return [];
    case 'failed':
      fail(batch, outcome.reason, result);
      return [];
  }
}

/** Records the rows ingest named as rejected and returns the others, to be sent again. */
function reject(batch: readonly LeadRow[], reasons: ReadonlyMap<number, string>, cause: RejectedRow['cause'], result: SubmissionResult): LeadRow[][] {
  const outOfRange = [...reasons.keys()].find((index) => index >= batch.length);
  if (outOfRange !== undefined) {
    // Resending could loop forever on an answer we cannot map back to rows.
    fail(batch, `ingest named lead ${outOfRange} of a batch of ${batch.length}`, result);
    return [];
  }
  const rest: LeadRow[] = [];
  batch.forEach((row, index) => {
    const reason = reasons.get(index);
    if (reason === undefined) rest.push(row);
    else result.rejected.push({ row: row.row, line: row.line, reason, cause });
  });
  return rest.length > 0 ? [rest] : [];
}

function fail(batch: readonly LeadRow[], reason: string, result: SubmissionResult): void {
  for (const row of batch) result.failed.push({ row: row.row, reason: `POST /api/leads/batch failed: ${reason}` });
}

/** `email: must be a valid e-mail address; linkedin_url: ...` per lead, as the single-lead route words it. */
function reasonsByIndex(errors: readonly LeadFieldError[]): Map<number, string> {
  const reasons = new Map<number, string[]>();
  for (const error of errors) {
    const text = error.field === '(lead)' ? error.reason : `${error.field}: ${error.reason}`;
    reasons.set(error.index, [...(reasons.get(error.index) ?? []), text]);
  }
  return new Map([...reasons].map(([index, texts]) => [index, texts.join('; ')]));
}

async function* batchesOf(rows: AsyncIterable<LeadRow>, size: number): AsyncGenerator<LeadRow[]> {
  let batch: LeadRow[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

export function emptySubmissionResult(): SubmissionResult {
  return { accepted: [], rejected: [], failed: [], sent: 0, requests: 0 };
}
