#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { setMaxListeners } from 'node:events';
import { IMPORT_DEFAULTS, resolveImportOptions, UsageError, type RawImportFlags } from './src/cli-options';
import { BarProgressReporter, LineProgressReporter } from './src/import-progress.reporter';
import { EXIT_CODES } from './src/import-summary';
import { runImport } from './src/import.command';
import { CsvInputError } from './src/lead-csv.reader';

/**
 * leadpipe CLI. `import <file.csv>` sends the leads through the running pipeline and writes
 * them back enriched; see tools/cli/README.md for the exit codes.
 */
async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT_CODES.ok;
  const program = new Command('leadpipe')
    .description('Send leads through the lead-enrichment pipeline and collect the results')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('import')
    .description('Post every row of a CSV to ingest, follow each lead to its terminal state, write the enriched CSV')
    .argument('<file>', 'CSV with a header row (email, first_name, last_name, company_domain, linkedin_url; common spellings accepted)')
    .option('--ingest-url <url>', `ingest base URL (env INGEST_URL, default ${IMPORT_DEFAULTS.ingestUrl})`)
    .option('--out <file>', `where to write the enriched leads (default ${IMPORT_DEFAULTS.out})`)
    .option('--concurrency <n>', `requests in flight at once (default ${IMPORT_DEFAULTS.concurrency})`)
    .option('--api-key <key>', 'ingest API key with the ingest and read scopes (env LEADPIPE_API_KEY)')
    .option('--timeout <seconds>', `how long to wait for leads to finish once all rows are posted (default ${IMPORT_DEFAULTS.timeoutSeconds})`)
    .action(async (file: string, flags: RawImportFlags) => {
      const options = resolveImportOptions(file, flags, process.env);
      const interrupt = new AbortController();
      // Every lane may wait on this signal at once (retry backoff); that many listeners is expected, not a leak.
      setMaxListeners(options.concurrency + 8, interrupt.signal);
      const onSigint = (): void => {
        // A second Ctrl-C means "now": skip writing the output.
        if (interrupt.signal.aborted) process.exit(EXIT_CODES.interrupted);
        process.stderr.write('\nInterrupted: writing what is known so far (Ctrl-C again to quit now)\n');
        interrupt.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        const report = await runImport(options, {
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
