import { createReadStream } from 'node:fs';
import type { ImportOptions } from './cli-options';
import { assertReadable, classifyStop, finishRun, followPhase, type CommandDependencies, type CommandReport } from './command-steps';
import { IngestClient } from './ingest.client';
import { countCsvRecords, readLeadRows } from './lead-csv.reader';
import { emptySubmissionResult, submitLeads, type SubmissionResult } from './lead-submitter';
import type { FailedRequest } from './tracked-lead';

/**
 * How far ingest's clock may run behind ours before following this run's leads stops finding
 * them in the pending list; even then they are followed, only at one lookup per round each.
 */
const CLOCK_SKEW_MARGIN_MS = 60_000;

/**
 * The `import` command: stream the CSV into ingest in batches, then, by mode, follow every
 * accepted lead to a terminal state (until the timeout, or for as long as it takes with
 * `--follow`) or not at all (`--no-wait`); write the output CSV and print the summary. Usage
 * problems (missing file, no identity column) throw; everything that happens once leads are
 * in flight is reported in the summary, so accepted lead ids are never lost to an exception.
 */
export async function runImport(options: ImportOptions, deps: CommandDependencies): Promise<CommandReport> {
  await assertReadable(options.file);
  const client = new IngestClient({ ...deps.client, baseUrl: options.ingestUrl, apiKey: options.apiKey });
  const startedAt = Date.now();
  const submission = emptySubmissionResult();
  const unreadable: string[] = [];
  let blankRows = 0;
  let fatal: string | null = null;

  // Counted alongside the submission so the first batch does not wait for a big file's count.
  let totalRows: number | null = null;
  void countCsvRecords(createReadStream(options.file)).then((count) => (totalRows = count));

  const rows = readLeadRows(createReadStream(options.file), {
    onHeader: (mapping) => {
      if (mapping.ignored.length > 0) deps.warn(`ignoring columns: ${mapping.ignored.join(', ')}`);
      if (mapping.duplicated.length > 0) deps.warn(`several columns feed ${mapping.duplicated.join(', ')}: the first non-empty cell wins`);
    },
    onUnreadable: (reason) => unreadable.push(reason),
    onBlank: () => (blankRows += 1),
  });

  deps.progress.start('submitting', totalRows);
  try {
    await submitLeads(rows, client, submission, {
      concurrency: options.concurrency,
      batchSize: options.batchSize,
      signal: deps.signal,
      onAnswer: (result) =>
        deps.progress.update(answered(result) + blankRows + unreadable.length, totalRows, `accepted ${result.accepted.length}, rejected ${result.rejected.length}`),
    });
  } catch (error) {
    fatal = classifyStop(error, deps.signal);
  } finally {
    deps.progress.stop();
  }
  const submitMs = Date.now() - startedAt;

  let followFailures: readonly FailedRequest[] = [];
  if (options.mode !== 'no-wait' && fatal === null && !deps.signal?.aborted && submission.accepted.length > 0) {
    // The timeout counts from the last accepted row, so a big file does not eat its own wait.
    const deadline = options.timeoutSeconds === null ? Infinity : Date.now() + options.timeoutSeconds * 1000;
    const followed = await followPhase(
      client,
      submission.accepted,
      { concurrency: options.concurrency, deadline, printTerminal: options.mode === 'follow', receivedSince: new Date(startedAt - CLOCK_SKEW_MARGIN_MS) },
      deps,
    );
    followFailures = followed.failures;
    fatal = followed.fatal;
  }

  const report = await finishRun(
    options.out,
    {
      command: 'import',
      followed: options.mode !== 'no-wait',
      submission,
      followFailures,
      blankRows,
      unreadableRecords: unreadable,
      submitMs,
      elapsedMs: Date.now() - startedAt,
      fatal,
      interrupted: deps.signal?.aborted ?? false,
    },
    deps,
  );
  if (options.mode === 'no-wait' && report.leads.length > 0) deps.log(`Follow them later with: leadpipe follow ${options.out}`);
  return report;
}

function answered(result: SubmissionResult): number {
  return result.accepted.length + result.rejected.length + result.failed.length;
}
