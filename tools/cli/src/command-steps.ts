import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { UsageError } from './cli-options';
import { writeEnrichedLeads } from './enriched-leads.writer';
import { exitCodeOf, formatSummary, summarise, type ExitCode, type ImportSummary, type SummaryInput } from './import-summary';
import type { ProgressReporter } from './import-progress.reporter';
import { IngestAccessError, IngestUnreachableError, type IngestClient, type IngestClientOptions } from './ingest.client';
import { TERMINAL_STATUSES } from './ingest-api.schema';
import { followLeads, type PollInterval } from './lead-follower';
import { isTerminal, statusOf, type FailedRequest, type TrackedLead } from './tracked-lead';

/** What `import` and `follow` need from their surroundings; tests pass fakes and short delays. */
export interface CommandDependencies {
  readonly progress: ProgressReporter;
  /** Summary and result lines (stdout). */
  readonly log: (line: string) => void;
  /** Warnings about the input (stderr). */
  readonly warn: (line: string) => void;
  /** Aborted on Ctrl-C: stop sending and following, but still write what is known. */
  readonly signal?: AbortSignal;
  /** Retry and timeout tuning; tests shrink the delays. */
  readonly client?: Omit<IngestClientOptions, 'baseUrl' | 'apiKey'>;
  readonly pollInterval?: PollInterval;
  /** How long a lead may answer 404 before it is given up on (see followLeads). */
  readonly unknownGraceMs?: number;
}

export interface CommandReport {
  readonly summary: ImportSummary;
  readonly exitCode: ExitCode;
  readonly leads: readonly TrackedLead[];
}

export interface FollowPhase {
  readonly concurrency: number;
  /** Epoch milliseconds; `Infinity` follows until every lead is terminal. */
  readonly deadline: number;
  /** Print each lead's terminal state as a line when it is seen (`--follow`, `follow`). */
  readonly printTerminal: boolean;
  /** No lead was received before this, by ingest's clock (see followLeads); unknown for a file's leads. */
  readonly receivedSince?: Date;
}

/** Follows the leads with a progress bar; returns the lookups that failed, or the reason the run must stop. */
export async function followPhase(
  client: Pick<IngestClient, 'getLead' | 'listPendingIds'>,
  leads: readonly TrackedLead[],
  phase: FollowPhase,
  deps: CommandDependencies,
): Promise<{ failures: readonly FailedRequest[]; fatal: string | null }> {
  // Kept up to date lead by lead: recounting every lead on each update would be quadratic.
  const counts = new Map<string, number>(TERMINAL_STATUSES.map((status) => [status, 0]));
  for (const lead of leads.filter(isTerminal)) counts.set(statusOf(lead), (counts.get(statusOf(lead)) ?? 0) + 1);
  const detail = (settled: number): string =>
    [...TERMINAL_STATUSES.map((status) => `${status} ${counts.get(status) ?? 0}`), `pending ${leads.length - settled}`].join(', ');

  deps.progress.start('following', leads.length, leads.filter(isTerminal).length);
  try {
    const result = await followLeads(client, leads, {
      deadline: phase.deadline,
      concurrency: phase.concurrency,
      receivedSince: phase.receivedSince,
      pollInterval: deps.pollInterval,
      unknownGraceMs: deps.unknownGraceMs,
      signal: deps.signal,
      onTerminal: (lead) => {
        counts.set(statusOf(lead), (counts.get(statusOf(lead)) ?? 0) + 1);
        if (phase.printTerminal) deps.progress.log(terminalLine(lead));
      },
      onProgress: (settled, total) => deps.progress.update(settled, total, detail(settled)),
    });
    return { failures: result.failed, fatal: null };
  } catch (error) {
    return { failures: [], fatal: classifyStop(error, deps.signal) };
  } finally {
    deps.progress.stop();
  }
}

/** `row 4 5b0e... not_found: person not found`; an enriched lead shows its score. */
export function terminalLine(lead: TrackedLead): string {
  const view = lead.view;
  const status = statusOf(lead);
  const detail =
    status === 'enriched'
      ? view?.score != null
        ? `score ${view.score}`
        : null
      : (view?.status_reason ?? (view?.reasons?.length ? view.reasons.join(';') : null));
  return `row ${lead.row} ${lead.id} ${status}${detail ? `: ${detail}` : ''}`;
}

/**
 * Writes the output CSV, prints the summary and picks the exit code. A run that stopped before
 * anything was accepted keeps the previous output rather than overwrite it with an empty file.
 */
export async function finishRun(out: string, input: SummaryInput, deps: CommandDependencies): Promise<CommandReport> {
  const leads = input.submission.accepted;
  const write = input.fatal === null || leads.length > 0;
  if (write) await writeEnrichedLeads(out, leads);
  const summary = summarise(input);
  deps.log(formatSummary(summary));
  deps.log(write ? `Wrote ${leads.length} leads to ${out}` : `Nothing written to ${out}`);
  return { summary, exitCode: exitCodeOf(summary), leads };
}

export async function assertReadable(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new UsageError(`cannot read ${file} (${code})`);
  }
}

/** Turns an error that ended a phase into the summary's reason; anything unexpected propagates. */
export function classifyStop(error: unknown, signal: AbortSignal | undefined): string | null {
  if (signal?.aborted) return null;
  if (error instanceof IngestUnreachableError || error instanceof IngestAccessError) return error.message;
  throw error;
}
