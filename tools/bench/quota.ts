/**
 * Quota benchmark: several enricher replicas share one Netrows limit while a backlog waits.
 * Starts everything it needs in a private namespace (simulator in this process, the compiled
 * services as processes), measures for `--seconds` from the first provider call, lets the
 * backlog drain, prints the figures and removes everything it created.
 *
 *   npm run build && npm run bench:quota -- --seconds 120 --limit 100 --replicas 3
 */
import { parseArgs } from 'node:util';
import { commonEnvSchema, loadConfig } from '@leadpipe/config';
import { currentPosition } from '@leadpipe/netrows';
import { createNetrowsSimulator, NetrowsDataset, NetrowsSimulator } from '../netrows-simulator/src';
import { BenchEnv, poll } from './bench-env';

const API_KEY = 'bench-key';
const WINDOW_MS = 60_000;
/** Calls one unique LinkedIn-only lead costs on average: a profile, and a company for the 95 % with a current job. */
const CALLS_PER_IDENTITY = 1.95;

interface Options {
  seconds: number;
  limit: number;
  replicas: number;
  headroomMs: number | undefined;
  repeatShare: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '120' },
      limit: { type: 'string', default: '100' },
      replicas: { type: 'string', default: '3' },
      'headroom-ms': { type: 'string' },
      'repeat-share': { type: 'string', default: '0.33' },
    },
  });
  const number = (name: string, value: string | undefined, min: number, max: number): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got ${value}`);
    return parsed;
  };
  return {
    seconds: number('seconds', values.seconds, 10, 3_600),
    limit: Math.round(number('limit', values.limit, 1, 6_000)),
    replicas: Math.round(number('replicas', values.replicas, 1, 12)),
    headroomMs: values['headroom-ms'] === undefined ? undefined : number('headroom-ms', values['headroom-ms'], 0, 30_000),
    repeatShare: number('repeat-share', values['repeat-share'], 0, 0.9),
  };
}

/** Most calls in any [t, t + windowMs), as the simulator's sliding log counts them. */
function busiestWindow(stamps: readonly number[], windowMs: number): number {
  let best = 0;
  let end = 0;
  for (let start = 0; start < stamps.length; start++) {
    while (end < stamps.length && stamps[end] < stamps[start] + windowMs) end++;
    best = Math.max(best, end - start);
  }
  return best;
}

/** The backlog: unique LinkedIn identities, a share of the leads repeating one in another spelling, next to it. */
function backlog(id: string, unique: number, repeatShare: number): { leads: { linkedin_url: string }[]; slugs: string[] } {
  const slugs = Array.from({ length: unique }, (_, i) => `bench-${id}-${i}`);
  const repeats = Math.round((unique * repeatShare) / (1 - repeatShare));
  const leads: { linkedin_url: string }[] = [];
  slugs.forEach((slug, i) => {
    leads.push({ linkedin_url: `https://www.linkedin.com/in/${slug}/` });
    // Spread the repeats evenly; each arrives together with the first copy.
    if (Math.floor(((i + 1) * repeats) / unique) > Math.floor((i * repeats) / unique)) {
      leads.push({ linkedin_url: `linkedin.com/in/${slug.toUpperCase()}?trk=bench` });
    }
  });
  return { leads, slugs };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

async function main(): Promise<void> {
  const opts = options();
  const config = loadConfig(commonEnvSchema);
  const env = new BenchEnv(config.KAFKA_BROKERS, config.DATABASE_URL, config.REDIS_URL);
  const calls: number[] = [];
  let simulator: NetrowsSimulator | undefined;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const checkInterrupted = () => {
    if (interrupted) throw new Error('interrupted');
  };

  try {
    console.log(`quota benchmark ${env.id}: limit ${opts.limit}/min, ${opts.replicas} enricher replicas, headroom ${opts.headroomMs ?? 'default (400)'} ms/min, ${opts.seconds} s measured`);
    await env.setUp();
    simulator = await createNetrowsSimulator({
      port: 0,
      rateLimitPerMinute: opts.limit,
      notFoundShare: 0,
      apiKeys: [API_KEY],
      // Read once per request that reaches the limiter: every call, on the provider's clock.
      now: () => {
        const now = Date.now();
        calls.push(now);
        return now;
      },
    });
    const enricherEnv: Record<string, string> = {
      NETROWS_BASE_URL: simulator.url,
      NETROWS_API_KEY: API_KEY,
      NETROWS_RATE_LIMIT_PER_MINUTE: String(opts.limit),
      SHUTDOWN_TIMEOUT_MS: '10000',
    };
    if (opts.headroomMs !== undefined) enricherEnv.NETROWS_RATE_LIMIT_HEADROOM_MS = String(opts.headroomMs);
    const ingest = await env.start('ingest', {});
    await env.start('validator', {});
    for (let i = 0; i < opts.replicas; i++) {
      checkInterrupted();
      await env.start('enricher', enricherEnv);
    }
    await env.waitForStableGroup('enricher', opts.replicas);
    checkInterrupted();

    // Enough work for the measured window and ~15 % more, so the backlog never runs dry in it.
    const unique = Math.ceil(((opts.limit * opts.seconds) / 60 / CALLS_PER_IDENTITY) * 1.15) + 5;
    const { leads, slugs } = backlog(env.id, unique, opts.repeatShare);
    const postedAt = Date.now();
    for (let i = 0; i < leads.length; i += 25) {
      const answers = await Promise.all(
        leads.slice(i, i + 25).map((body) =>
          fetch(`${ingest.url}/api/leads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        ),
      );
      const refused = answers.find((res) => res.status !== 202);
      if (refused) throw new Error(`ingest answered ${refused.status}`);
    }
    console.log(`posted ${leads.length} leads (${unique} identities, ${leads.length - unique} repeats) in ${((Date.now() - postedAt) / 1000).toFixed(1)} s`);

    const firstCall = await poll(async () => calls[0], 60_000, 'the first provider call');
    const windowEnd = firstCall + opts.seconds * 1000;
    while (Date.now() < windowEnd) {
      checkInterrupted();
      await new Promise((r) => setTimeout(r, Math.min(10_000, windowEnd - Date.now())));
      const elapsed = (Date.now() - firstCall) / 1000;
      console.log(`  ${elapsed.toFixed(0).padStart(4)} s  ${calls.length} calls  ${simulator.stats().totals.rateLimited} x 429`);
    }
    // The first call opens the window; the rate is what followed it (the calls in (first, first + seconds]).
    const inWindow = calls.filter((t) => t > firstCall && t <= windowEnd);

    // Let the backlog drain, so every identity has been bought (or found in the cache) exactly once.
    const drainMs = Math.ceil((((unique * CALLS_PER_IDENTITY) / opts.limit) * 60_000) + 60_000);
    await poll(
      async () => {
        checkInterrupted();
        const rows: { n: string }[] = await env.db!.query(`SELECT count(*) AS n FROM leads WHERE status <> 'received'`);
        return Number(rows[0].n) === leads.length;
      },
      drainMs,
      'every lead past the enricher',
      1_000,
    );
    const stats = simulator.stats();
    const busiest = busiestWindow(calls.slice(), WINDOW_MS);
    const backlogHeld = calls.some((t) => t > windowEnd);
    const measured = [firstCall, ...inWindow];
    const gaps = measured.slice(1).map((t, i) => t - measured[i]);
    const statuses: { status: string; n: string }[] = await env.db!.query(`SELECT status, count(*) AS n FROM leads GROUP BY status ORDER BY status`);
    const endpointCredits = (name: keyof typeof stats.byEndpoint) => stats.byEndpoint[name]?.creditsCharged ?? 0;
    const personCredits = endpointCredits('profile') + endpointCredits('profileByUrl') + endpointCredits('reverseLookup');
    const companyCredits = endpointCredits('companyDetails') + endpointCredits('companyByDomain');
    const dataset = new NetrowsDataset({ seed: 'netrows-sim', notFoundShare: 0 });
    const companies = new Set(
      slugs
        .map((slug) => currentPosition(dataset.person(slug)!))
        .map((position) => position?.companyUsername || (position?.companyId !== undefined ? String(position.companyId) : ''))
        .filter((handle) => handle !== '')
        .map((handle) => handle.toLowerCase()),
    );
    const allowed = (opts.limit * opts.seconds) / 60;

    console.log('');
    console.log('result');
    console.log(`  measured window               ${opts.seconds} s from the first call${backlogHeld ? ' (calls went on after it: backlog throughout)' : ' (BACKLOG RAN OUT: utilisation understated)'}`);
    console.log(`  calls after the first         ${inWindow.length} of ${allowed.toFixed(0)} allowed at ${opts.limit}/min`);
    console.log(`  quota utilisation             ${pct(inWindow.length / allowed)}`);
    console.log(`  gap between calls             ${Math.min(...gaps)}–${Math.max(...gaps)} ms (token every ${((60_000 + (opts.headroomMs ?? 400)) / opts.limit).toFixed(0)} ms)`);
    console.log(`  busiest 60 s window           ${busiest} of ${opts.limit}`);
    console.log(`  429 answers                   ${stats.totals.rateLimited}`);
    console.log(`  leads                         ${leads.length} (${statuses.map((s) => `${s.status} ${s.n}`).join(', ')})`);
    console.log(`  person credits / identity     ${(personCredits / unique).toFixed(2)}  (${personCredits} for ${unique} unique identities)`);
    console.log(`  company credits / company     ${(companyCredits / companies.size).toFixed(2)}  (${companyCredits} for ${companies.size} unique companies)`);
    console.log(`  credits / lead                ${(stats.totals.creditsCharged / leads.length).toFixed(2)}  (${stats.totals.creditsCharged} in all)`);
    console.log(`  total calls                   ${stats.totals.calls} in ${((calls[calls.length - 1] - firstCall) / 1000).toFixed(1)} s`);
  } finally {
    await env.dispose().catch((error: unknown) => console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`));
    await simulator?.close();
    console.log(`cleaned up ${env.id} (logs in ${env.logDir})`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`quota benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
