/**
 * Pipeline benchmark: N leads through ingest, enricher, validator and notifier on this machine,
 * with every provider answer already cached (the simulator answers at once, with no rate limit,
 * during the warm-up that fills the cache), so the figures are the pipeline's own.
 *
 *   npm run build && npm run bench:pipeline -- [--leads 100000] [--quick] [--rate 1000] [--profile]
 *     [--node-arg=--max-semi-space-size=64 ...] [--env KAFKA_FETCH_MAX_WAIT_MS=50 ...] [--sql schema-change.sql]
 *     [--replicas enricher=2,validator=2] [--alone validator]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { commonEnvSchema, loadConfig } from '@leadpipe/config';
import { formatPipelineResult, parseConsumerStage, parseReplicas, PIPELINE_BENCH_DEFAULTS, PipelineBenchOptions, runPipelineBench } from './pipeline-bench';
import { parseEnvPairs } from './bench-env';
import { postgresFaultHint } from './cpu-usage';
import { formatMachineReference, measureMachineReference } from './machine-reference';

const QUICK_LEADS = 2_000;
function options(): PipelineBenchOptions {
  const { values } = parseArgs({
    options: {
      leads: { type: 'string' },
      quick: { type: 'boolean', default: false },
      rate: { type: 'string' },
      batch: { type: 'string' },
      senders: { type: 'string', default: String(PIPELINE_BENCH_DEFAULTS.senders) },
      identities: { type: 'string', default: String(PIPELINE_BENCH_DEFAULTS.identities) },
      profile: { type: 'boolean', default: false },
      'node-arg': { type: 'string', multiple: true },
      env: { type: 'string', multiple: true },
      sql: { type: 'string' },
      replicas: { type: 'string', multiple: true },
      alone: { type: 'string' },
    },
  });
  const number = (name: string, value: string | undefined, min: number, max: number): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got ${value}`);
    return Math.round(parsed);
  };
  const rate = values.rate === undefined ? undefined : number('rate', values.rate, 1, 100_000);
  const leads = values.leads !== undefined ? number('leads', values.leads, 1, 10_000_000) : values.quick ? QUICK_LEADS : 100_000;
  return {
    ...PIPELINE_BENCH_DEFAULTS,
    leads,
    rate,
    // At a fixed rate, small batches (every 10 ms at 1,000/s) so the latency is not the batching's.
    batchSize: number('batch', values.batch ?? String(rate ? Math.max(1, Math.round(rate / 100)) : PIPELINE_BENCH_DEFAULTS.batchSize), 1, 1_000),
    senders: number('senders', values.senders, 1, 64),
    identities: number('identities', values.identities, 1, 1_000_000),
    cpuProfile: values.profile ?? false,
    serviceNodeArgs: values['node-arg'] ?? [],
    serviceEnv: parseEnvPairs(values.env),
    setupSql: values.sql === undefined ? undefined : readFileSync(values.sql, 'utf8'),
    replicas: parseReplicas(values.replicas),
    alone: parseConsumerStage(values.alone),
    log: (line) => console.log(line),
  };
}

async function main(): Promise<void> {
  const opts = options();
  const config = loadConfig(commonEnvSchema);
  const tuning = [...(opts.serviceNodeArgs ?? []), ...Object.entries(opts.serviceEnv ?? {}).map(([k, v]) => `${k}=${v}`)];
  console.log(
    `pipeline benchmark: ${opts.leads} leads${opts.rate ? ` at ${opts.rate}/s` : ''}${opts.cpuProfile ? ', CPU profiles on' : ''}${tuning.length > 0 ? `, services with ${tuning.join(' ')}` : ''}${opts.setupSql ? ', with the --sql file applied after the migrations' : ''}${opts.alone ? `, the ${opts.alone} measured alone` : ''}`,
  );
  // Timed before anything starts: the machine is as quiet as it will be.
  const machine = measureMachineReference();
  console.log(formatMachineReference(machine));
  const result = await runPipelineBench(opts, { brokers: config.KAFKA_BROKERS, databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL });
  console.log('');
  for (const line of formatPipelineResult(result)) console.log(line);
  const hint = postgresFaultHint(result.cpu, result.leads, machine.pageFaultMicros);
  if (hint) console.log(`hint: ${hint}`);
  console.log(`cleaned up ${result.id} (logs in ${result.logDir})`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`pipeline benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
