#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { setMaxListeners } from 'node:events';
import {
  IMPORT_DEFAULTS,
  MAX_BATCH_SIZE,
  resolveFollowOptions,
  resolveImportOptions,
  UsageError,
  type RawFollowFlags,
  type RawImportFlags,
} from './src/cli-options';
import type { CommandDependencies, CommandReport } from './src/command-steps';
import { runFollow } from './src/follow.command';
import { BarProgressReporter, LineProgressReporter } from './src/import-progress.reporter';
import { EXIT_CODES } from './src/import-summary';
import { runImport } from './src/import.command';
import { CsvInputError } from './src/lead-csv.reader';

const EXIT_CODE_HELP = `
Exit codes (the first that applies):
  130  interrupted with Ctrl-C (what is known is still written)
  1    usage error, unreadable file, ingest unreachable, API key refused,
       or a request that failed after retries
  2    leads still pending when --timeout passed (never with --no-wait)
  3    every lead answered, but not all went through: rows ingest rejected
       as invalid, or leads that ended dead_lettered
  0    the rest: leads ending not_found or invalid, and rows of persons who
       asked to be erased (suppressed), are outcomes, not failures
`;

/**
 * leadpipe CLI. `import <file.csv>` sends the leads through the running pipeline and writes
 * them back enriched; `follow <output.csv>` picks up the leads of an earlier import. See
 * tools/cli/README.md for the modes and exit codes.
 */
async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT_CODES.ok;
  const program = new Command('leadpipe')
    .description('Send leads through the lead-enrichment pipeline and collect the results')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  /** Runs a command with Ctrl-C handling and the progress display that suits stdout. */
  const run = async (concurrency: number, command: (deps: CommandDependencies) => Promise<CommandReport>): Promise<void> => {
    const interrupt = new AbortController();
    // Every lane may wait on this signal at once (retry backoff); that many listeners is expected, not a leak.
    setMaxListeners(concurrency + 8, interrupt.signal);
    const onSigint = (): void => {
      // A second Ctrl-C means "now": skip writing the output.
      if (interrupt.signal.aborted) process.exit(EXIT_CODES.interrupted);
      process.stderr.write('\nInterrupted: writing what is known so far (Ctrl-C again to quit now)\n');
      interrupt.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      const report = await command({
        progress: process.stdout.isTTY
          ? new BarProgressReporter(process.stdout)
          : new LineProgressReporter((line) => process.stdout.write(`${line}\n`)),
        log: (line) => process.stdout.write(`${line}\n`),
        warn: (line) => process.stderr.write(`warning: ${line}\n`),
        signal: interrupt.signal,
      });
      if (report.summary.fatal !== null) process.stderr.write(`error: ${report.summary.fatal}\n`);
      exitCode = report.exitCode;
    } finally {
      process.off('SIGINT', onSigint);
    }
  };

  program
    .command('import')
    .description('Send every row of a CSV to ingest in batches, follow each lead to its terminal state, write the enriched CSV')
    .argument('<file>', 'CSV with a header row (email, first_name, last_name, company_domain, linkedin_url; common spellings accepted)')
    .option('--ingest-url <url>', `ingest base URL (env INGEST_URL, default ${IMPORT_DEFAULTS.ingestUrl})`)
    .option('--out <file>', `where to write the enriched leads (default ${IMPORT_DEFAULTS.out})`)
    .option('--concurrency <n>', `requests in flight at once, 1-256 (default ${IMPORT_DEFAULTS.concurrency})`)
    .option('--batch-size <n>', `leads per request, 1-${MAX_BATCH_SIZE} (default ${IMPORT_DEFAULTS.batchSize})`)
    .option('--api-key <key>', 'ingest API key with the ingest and read scopes (env LEADPIPE_API_KEY)')
    .option('--timeout <seconds>', `how long to follow leads once all rows are sent (default ${IMPORT_DEFAULTS.timeoutSeconds}; none with --follow)`)
    .option('--follow', 'follow until every lead is terminal, with no timeout unless --timeout is given, printing each lead as it ends')
    .option('--no-wait', 'only send the rows: write the accepted lead ids (status received) and exit without following')
    .addHelpText('after', EXIT_CODE_HELP)
    .action(async (file: string, flags: RawImportFlags) => {
      const options = resolveImportOptions(file, flags, process.env);
      await run(options.concurrency, (deps) => runImport(options, deps));
    });

  program
    .command('follow')
    .description('Follow the leads of an earlier output CSV (import --no-wait, or stopped at its timeout) and write it again')
    .argument('<file>', 'a CSV written by leadpipe import')
    .option('--ingest-url <url>', `ingest base URL (env INGEST_URL, default ${IMPORT_DEFAULTS.ingestUrl})`)
    .option('--out <file>', 'where to write the leads (default: the input file, replaced once complete)')
    .option('--concurrency <n>', `requests in flight at once, 1-256 (default ${IMPORT_DEFAULTS.concurrency})`)
    .option('--api-key <key>', 'ingest API key with the read scope (env LEADPIPE_API_KEY)')
    .option('--timeout <seconds>', 'stop following after this long (default: until every lead is terminal)')
    .addHelpText('after', EXIT_CODE_HELP)
    .action(async (file: string, flags: RawFollowFlags) => {
      const options = resolveFollowOptions(file, flags, process.env);
      await run(options.concurrency, (deps) => runFollow(options, deps));
    });

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version land here too, with exit code 0.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.failure;
    }
    if (error instanceof UsageError || error instanceof CsvInputError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT_CODES.failure;
    }
    throw error;
  }
  return exitCode;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT_CODES.failure;
  },
);
