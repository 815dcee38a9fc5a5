import { createReadStream } from 'node:fs';
import type { FollowCommandOptions } from './cli-options';
import { assertReadable, finishRun, followPhase, type CommandDependencies, type CommandReport } from './command-steps';
import { readTrackedLeads } from './enriched-leads.reader';
import { IngestClient } from './ingest.client';
import { emptySubmissionResult } from './lead-submitter';

/**
 * The `follow` command: read the lead ids of an earlier output CSV (an `import --no-wait`, or
 * one that stopped at its timeout), follow the leads not yet terminal, printing each as it
 * ends, and write the file again with what is known now.
 */
export async function runFollow(options: FollowCommandOptions, deps: CommandDependencies): Promise<CommandReport> {
  await assertReadable(options.file);
  const leads = await readTrackedLeads(createReadStream(options.file));
  const client = new IngestClient({ ...deps.client, baseUrl: options.ingestUrl, apiKey: options.apiKey });
  const startedAt = Date.now();
  const submission = emptySubmissionResult();
  submission.accepted.push(...leads);
  submission.sent = leads.length;

  const deadline = options.timeoutSeconds === null ? Infinity : Date.now() + options.timeoutSeconds * 1000;
  const followed = await followPhase(client, leads, { concurrency: options.concurrency, deadline, printTerminal: true }, deps);
  return finishRun(
    options.out,
    {
      command: 'follow',
      followed: true,
      submission,
      followFailures: followed.failures,
      blankRows: 0,
      unreadableRecords: [],
      submitMs: 0,
      elapsedMs: Date.now() - startedAt,
      fatal: followed.fatal,
      interrupted: deps.signal?.aborted ?? false,
    },
    deps,
  );
}
