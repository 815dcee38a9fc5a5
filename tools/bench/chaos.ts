/**
 * Chaos benchmark: leads flow through the whole pipeline while services are killed (-9) and
 * restarted, the broker, PostgreSQL and Redis are restarted, and the provider has a 5xx storm
 * and an outage. Runs on a Kafka broker, PostgreSQL cluster and Redis of its own, never on the
 * shared ones. Prints the drain time after each fault and the checks (lost 0, duplicates 0).
 *
 *   npm run build && npm run bench:chaos -- [--leads 10000] [--faults a,b,c] [--rate 40] [--env NAME=VALUE ...]
 */
import { parseArgs } from 'node:util';
import { parseEnvPairs } from './bench-env';
import { CHAOS_FAULTS, ChaosRun, formatChaosReport, parseFaults } from './chaos-run';

function options() {
  const { values } = parseArgs({
    options: {
      leads: { type: 'string', default: '10000' },
      faults: { type: 'string', default: 'all' },
      rate: { type: 'string' },
      limit: { type: 'string', default: '12000' },
      'down-seconds': { type: 'string', default: '5' },
      'storm-seconds': { type: 'string', default: '15' },
      'outage-seconds': { type: 'string', default: '30' },
      'drain-timeout-seconds': { type: 'string', default: '600' },
      env: { type: 'string', multiple: true },
    },
  });
  const number = (name: string, value: string | undefined, min: number, max: number): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got ${value}`);
    return parsed;
  };
  return {
    leads: Math.round(number('leads', values.leads, 1, 1_000_000)),
    faults: parseFaults(values.faults),
    rate: values.rate === undefined ? undefined : number('rate', values.rate, 0.1, 10_000),
    limitPerMinute: Math.round(number('limit', values.limit, 1, 1_000_000)),
    downSeconds: number('down-seconds', values['down-seconds'], 0, 600),
    stormSeconds: number('storm-seconds', values['storm-seconds'], 1, 600),
    outageSeconds: number('outage-seconds', values['outage-seconds'], 1, 600),
    drainTimeoutMs: number('drain-timeout-seconds', values['drain-timeout-seconds'], 10, 7_200) * 1000,
    scoreThreshold: 50,
    serviceEnv: parseEnvPairs(values.env),
  };
}

async function main(): Promise<void> {
  const opts = options();
  const run = new ChaosRun({ ...opts, log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`) });
  let failed = false;
  const onSignal = () => {
    void run.tearDown().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await run.setUp();
    const report = await run.run();
    console.log(`\n${formatChaosReport(report)}`);
    failed = report.lost > 0 || report.duplicateRows > 0 || report.duplicateNotifications > 0;
    if (failed) console.log('\nFAILED: leads lost or duplicated (see above)');
  } finally {
    await run.tearDown();
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv.includes('--help')) {
  console.log(`npm run bench:chaos -- [--leads 10000] [--faults ${CHAOS_FAULTS.join(',')}|kill-services|all] [--rate <leads/s>] [--limit 12000]
  [--down-seconds 5] [--storm-seconds 15] [--outage-seconds 30] [--drain-timeout-seconds 600] [--env NAME=VALUE ...]`);
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
