import { constants, createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { ImportOptions } from './cli-options';
import { UsageError } from './cli-options';
import { writeEnrichedLeads } from './enriched-leads.writer';
import { exitCodeOf, formatSummary, summarise, type ExitCode, type ImportSummary } from './import-summary';
import type { ProgressReporter } from './import-progress.reporter';
import { IngestAccessError, IngestClient, IngestUnreachableError, type IngestClientOptions } from './ingest.client';
import { TERMINAL_STATUSES } from './ingest-api.schema';
import { readLeadRows } from './lead-csv.reader';
import { followLeads, type PollInterval } from './lead-follower';
import { emptySubmissionResult, submitLeads, type SubmissionResult } from './lead-submitter';
import { statusOf, type FailedRequest, type TrackedLead } from './tracked-lead';

export interface ImportDependencies {
  readonly progress: ProgressReporter;
  /** Summary and result lines (stdout). */
  readonly log: (line: string) => void;
  /** Warnings about the input (stderr). */
  readonly warn: (line: string) => void;
  /** Aborted on Ctrl-C: stop sending and following, but still write what is known. */
  readonly signal?: AbortSignal;
  /** Retry and timeout tuning; tests shrink the delays. */
  readonly client?: Omit<IngestClientOptions, 'baseUrl'>;
  readonly pollInterval?: PollInterval;
}

export interface ImportReport {
  readonly summary: ImportSummary;
  readonly exitCode: ExitCode;
  readonly leads: readonly TrackedLead[];
}

/**
 * The `import` command: stream the CSV into ingest, follow every accepted lead to a terminal
 * state or the timeout, write the enriched CSV and print the summary. Usage problems (missing
 * file, no identity column) throw; everything that happens once leads are in flight is
 * reported in the summary, so accepted lead ids are never lost to an exception.
 */
export async function runImport(options: ImportOptions, deps: ImportDependencies): Promise<ImportReport> {
  await assertReadable(options.file);
  const client = new IngestClient({ ...deps.client, baseUrl: options.ingestUrl, apiKey: options.apiKey });
  const startedAt = Date.now();
  const submission = emptySubmissionResult();
  const unreadable: string[] = [];
  let blankRows = 0;
  let fatal: string | null = null;

  const rows = readLeadRows(createReadStream(options.file), {
    onHeader: (mapping) => {
      if (mapping.ignored.length > 0) deps.warn(`ignoring columns: ${mapping.ignored.join(', ')}`);
      if (mapping.duplicated.length > 0) deps.warn(`several columns feed ${mapping.duplicated.join(', ')}: the first non-empty cell wins`);
    },
    onUnreadable: (reason) => unreadable.push(reason),
    onBlank: () => (blankRows += 1),
  });

  deps.progress.start('submitting', 0);
  try {
    await submitLeads(rows, client, submission, {
      concurrency: options.concurrency,
      signal: deps.signal,
      onAnswer: (result) => deps.progress.update(answered(result), result.sent, `accepted ${result.accepted.length}, rejected ${result.rejected.length}`),
    });
  } catch (error) {
    fatal = classifyStop(error, deps.signal);
  } finally {
    deps.progress.stop();
  }
  const submitMs = Date.now() - startedAt;

  let followFailures: readonly FailedRequest[] = [];
  if (fatal === null && !deps.signal?.aborted && submission.accepted.length > 0) {
    // The timeout counts from the last accepted row, so a big file does not eat its own wait.
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    deps.progress.start('following', submission.accepted.length);
    try {
      const result = await followLeads(client, submission.accepted, {
        deadline,
        concurrency: options.concurrency,
        pollInterval: deps.pollInterval,
        signal: deps.signal,
        onRound: (terminal, total) => deps.progress.update(terminal, total, statusDetail(submission.accepted)),
      });
      followFailures = result.failed;
    } catch (error) {
      fatal = classifyStop(error, deps.signal);
    } finally {
      deps.progress.stop();
    }
  }

  // Nothing accepted because ingest was down: keep the previous run's output rather than overwrite it with an empty file.
  const write = fatal === null || submission.accepted.length > 0;
  if (write) await writeEnrichedLeads(options.out, submission.accepted);
  const summary = summarise({
    submission,
    followFailures,
    blankRows,
    unreadableRecords: unreadable,
    submitMs,
    elapsedMs: Date.now() - startedAt,
    fatal,
    interrupted: deps.signal?.aborted ?? false,
  });
  deps.log(formatSummary(summary));
  deps.log(write ? `Wrote ${submission.accepted.length} leads to ${options.out}` : `Nothing written to ${options.out}`);
  return { summary, exitCode: exitCodeOf(summary), leads: submission.accepted };
}

async function assertReadable(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new UsageError(`cannot read ${file} (${code})`);
  }
}

/** Turns an error that ended a phase into the summary's reason; anything unexpected propagates. */
function classifyStop(error: unknown, signal: AbortSignal | undefined): string | null {
  if (signal?.aborted) return null;
  if (error instanceof IngestUnreachableError || error instanceof IngestAccessError) return error.message;
  throw error;
}

function answered(result: SubmissionResult): number {
  return result.accepted.length + result.rejected.length + result.failed.length;
}

function statusDetail(leads: readonly TrackedLead[]): string {
  const counts = new Map<string, number>();
  for (const lead of leads) counts.set(statusOf(lead), (counts.get(statusOf(lead)) ?? 0) + 1);
  const pending = leads.length - TERMINAL_STATUSES.reduce((sum, s) => sum + (counts.get(s) ?? 0), 0);
  return [...TERMINAL_STATUSES.map((s) => `${s} ${counts.get(s) ?? 0}`), `pending ${pending}`].join(', ');
}
