/**
 * Replays dead letters: puts each one's original event back on the topic it came from.
 *
 *   npm run replay-dead-letters                      # everything not replayed before
 *   npm run replay-dead-letters -- --lead <uuid> ... # just these leads (any time, any number of times)
 *   npm run replay-dead-letters -- --stage enricher --code retries_exhausted --dry-run
 *
 * Reads KAFKA_* like the services. Exits 1 when a dead letter could not be replayed.
 */
import { Command } from 'commander';
import { commonEnvSchema, loadConfig } from '@leadpipe/config';
import { createKafka, EventPublisher, parseBrokers, replayDeadLetters } from '@leadpipe/kafka';

async function main(): Promise<number> {
  const program = new Command('replay-dead-letters')
    .option('--lead <id...>', 'only these lead ids')
    .option('--stage <stage>', 'only dead letters of this stage (ingest, enricher, validator, notifier)')
    .option('--code <code...>', 'only these error codes (e.g. retries_exhausted provider_rejected)')
    .option('--dry-run', 'report what would be replayed, publish nothing')
    .parse();
  const flags = program.opts<{ lead?: string[]; stage?: string; code?: string[]; dryRun?: boolean }>();
  const config = loadConfig(commonEnvSchema);
  const kafka = createKafka({ brokers: parseBrokers(config.KAFKA_BROKERS), clientId: `${config.KAFKA_CLIENT_ID}-replay` });
  const publisher = new EventPublisher(kafka, config.KAFKA_NAMESPACE);
  await publisher.connect();
  try {
    const report = await replayDeadLetters(kafka, publisher, {
      namespace: config.KAFKA_NAMESPACE,
      leadIds: flags.lead ? new Set(flags.lead) : undefined,
      stage: flags.stage,
      errorCodes: flags.code ? new Set(flags.code) : undefined,
      dryRun: flags.dryRun,
    });
    console.log(
      `dead letters scanned ${report.scanned}, ${flags.dryRun ? 'would replay' : 'replayed'} ${report.replayed}, ` +
        `not matching ${report.filtered}, unreplayable ${report.unreplayable.length}`,
    );
    for (const u of report.unreplayable) console.log(`  partition ${u.partition} offset ${u.offset}: ${u.reason}`);
    return report.unreplayable.length > 0 ? 1 : 0;
  } finally {
    await publisher.disconnect();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`replay failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
