/**
 * Ingest HTTP benchmark: autocannon against `POST /api/leads` and `POST /api/leads/batch` on
 * ingest alone (with PostgreSQL, and its outbox relay shipping to Kafka as in production), in a
 * private namespace. Every lead is unique (autocannon puts a fresh id into each e-mail).
 *
 *   npm run build && npm run bench:ingest -- [--seconds 15] [--connections 16] [--batch 100] [--profile]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { commonEnvSchema, loadConfig } from '@leadpipe/config';
import { BenchEnv, poll } from './bench-env';

interface Options {
  seconds: number;
  connections: number;
  batch: number;
  /** Run ingest with `--cpu-prof`; the profile is written when it stops. */
  profile: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '15' },
      connections: { type: 'string', default: '16' },
      batch: { type: 'string', default: '100' },
      profile: { type: 'boolean', default: false },
    },
  });
  const number = (name: string, value: string | undefined, min: number, max: number): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got ${value}`);
    return Math.round(parsed);
  };
  return {
    seconds: number('seconds', values.seconds, 1, 3_600),
    connections: number('connections', values.connections, 1, 1_000),
    batch: number('batch', values.batch, 1, 1_000),
    profile: values.profile ?? false,
  };
}

let nextLead = 0;
/** One lead's JSON, a new e-mail address every time. */
const lead = (): string =>
  `{"email":"lead.${nextLead++}@bench-company.example.com","first_name":"Ada","last_name":"Lovelace","company_domain":"bench-company.example.com"}`;

interface Figures {
  route: string;
  leadsPerRequest: number;
  result: autocannon.Result;
}

function print({ route, leadsPerRequest, result }: Figures): void {
  const ok = result['2xx'];
  const l = result.latency;
  console.log(`  ${route} (${leadsPerRequest} lead${leadsPerRequest > 1 ? 's' : ''} per request)`);
  console.log(`    requests/s        ${result.requests.average.toFixed(0)} (mean of 1 s samples), ${(ok / result.duration).toFixed(0)} answered 202 per second over ${result.duration.toFixed(1)} s`);
  console.log(`    leads/s           ${((ok * leadsPerRequest) / result.duration).toFixed(0)}`);
  console.log(`    latency           p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms (mean ${l.average.toFixed(1)} ms)`);
  console.log(`    answers           ${ok} x 202, ${result.non2xx} other, ${result.errors} errors, ${result.timeouts} timeouts`);
}

async function main(): Promise<void> {
  const opts = options();
  const config = loadConfig(commonEnvSchema);
  const env = new BenchEnv(config.KAFKA_BROKERS, config.DATABASE_URL, config.REDIS_URL);
  try {
    console.log(`ingest HTTP benchmark ${env.id}: ${opts.seconds} s per route, ${opts.connections} connections, batches of ${opts.batch}`);
    await env.setUp();
    const profileDir = opts.profile ? join(env.logDir, 'cpu-profiles') : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-name=ingest.cpuprofile'] : [];
    const ingest = await env.start('ingest', { DATABASE_POOL_SIZE: '10', INGEST_THROTTLE_PER_MINUTE: '100000000' }, nodeArgs);
    const run = async (route: string, body: () => string, leadsPerRequest: number): Promise<Figures> => {
      const target = (duration: number): autocannon.Options => ({
        url: `${ingest.url}${route}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // Built per request: every lead is new (no idempotency, no conflict to shortcut).
        requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
        connections: opts.connections,
        duration,
      });
      // A short warm-up so the JIT and the connection pool are not what is measured.
      await autocannon(target(2));
      return { route, leadsPerRequest, result: await autocannon(target(opts.seconds)) };
    };
    const single = await run('/api/leads', lead, 1);
    const batch = await run('/api/leads/batch', () => `{"leads":[${Array.from({ length: opts.batch }, lead).join(',')}]}`, opts.batch);
    await poll(async () => Number((await env.db.query(`SELECT count(*)::int AS n FROM outbox`))[0].n) === 0, 10 * 60_000, 'the outbox drained', 1_000);
    console.log('');
    console.log('result');
    print(single);
    print(batch);
    if (profileDir) console.log(`  CPU profile       ${profileDir} (written when ingest stops; summarise: npm run bench:cpu-profile -- <dir>)`);
  } finally {
    await env.dispose().catch((error: unknown) => console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`));
    console.log(`cleaned up ${env.id} (logs in ${env.logDir})`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`ingest benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
