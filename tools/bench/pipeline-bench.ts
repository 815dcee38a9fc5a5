/**
 * The pipeline benchmark's core: N leads through ingest → enricher → validator → notifier, all
 * local, every provider answer already in the enricher's cache, so the pipeline itself is what
 * is measured. `tools/bench/pipeline.ts` is its command line; `test/e2e/bench-smoke.e2e-spec.ts`
 * runs it small in CI and checks only that every lead arrived and the figures are numbers.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Admin } from 'kafkajs';
import { Dispatcher, request } from 'undici';
import { consumerGroupId } from '@leadpipe/kafka';
import { createNetrowsSimulator, NetrowsSimulator } from '../netrows-simulator/src';
import { ServiceName, ServiceProcess } from '../harness';
import { BenchEnv, poll } from './bench-env';
import { cpuBetween, CpuFigures, cpuSnapshot } from './cpu-usage';

const API_KEY = 'bench-key';
const SERVICES: readonly ServiceName[] = ['ingest', 'enricher', 'validator', 'notifier'];
/** The main topics (received, enriched, validated) have six partitions: a seventh consumer of a group would get none of them. */
export const MAX_REPLICAS = 6;

export type ConsumerStage = 'enricher' | 'validator' | 'notifier';
/** The counts (of {@link Sample}) of what waits for each stage and what it has passed on, and the stages after it. */
const STAGES: Record<ConsumerStage, { waiting: 'relayed' | 'enriched' | 'validated'; done: 'enriched' | 'validated' | 'notified'; after: ConsumerStage[] }> = {
  enricher: { waiting: 'relayed', done: 'enriched', after: ['validator', 'notifier'] },
  validator: { waiting: 'enriched', done: 'validated', after: ['notifier'] },
  notifier: { waiting: 'validated', done: 'notified', after: [] },
};
const CONSUMER_STAGES = Object.keys(STAGES) as ConsumerStage[];

/** `--replicas enricher=2,validator=2` (repeatable) as processes per service, each from 1 to {@link MAX_REPLICAS}. */
export function parseReplicas(args: readonly string[] = []): Partial<Record<ServiceName, number>> {
  const replicas: Partial<Record<ServiceName, number>> = {};
  for (const pair of args.flatMap((arg) => arg.split(','))) {
    const [name, count, ...rest] = pair.trim().split('=');
    const n = Number(count);
    if (!(SERVICES as readonly string[]).includes(name) || rest.length > 0 || !Number.isInteger(n) || n < 1 || n > MAX_REPLICAS) {
      throw new Error(`--replicas takes SERVICE=N (${SERVICES.join(', ')}; N from 1 to ${MAX_REPLICAS}), got ${pair}`);
    }
    replicas[name as ServiceName] = n;
  }
  return replicas;
}

/** `--alone STAGE`: one of the consumer stages, or undefined when not given. */
export function parseConsumerStage(value: string | undefined): ConsumerStage | undefined {
  if (value === undefined) return undefined;
  if (!(CONSUMER_STAGES as readonly string[]).includes(value)) throw new Error(`--alone takes one of ${CONSUMER_STAGES.join(', ')}, got ${value}`);
  return value as ConsumerStage;
}

export interface PipelineBenchOptions {
  /** Leads measured (after the warm-up). */
  leads: number;
  /** Leads per second, sent on a fixed schedule whatever the answers (open loop); unset: as fast as possible. */
  rate?: number;
  /** Leads per `POST /api/leads/batch` (1–1000). */
  batchSize: number;
  /** Requests in flight at once when sending as fast as possible. */
  senders: number;
  /** Distinct LinkedIn identities the leads name; each is bought once in the warm-up, then always a cache hit. */
  identities: number;
  /** How often stage progress and memory are sampled. */
  sampleMs: number;
  /** Runs every service with `--cpu-prof`; the profiles are written when they stop. */
  cpuProfile: boolean;
  /** Extra `node` flags for every service (e.g. `--max-semi-space-size=64`), to measure a tuning. */
  serviceNodeArgs?: string[];
  /** Extra environment for every service (e.g. `KAFKA_FETCH_MAX_WAIT_MS`), over the benchmark's own settings. */
  serviceEnv?: Record<string, string>;
  /** SQL run on the benchmark's database after its migrations, to measure a schema change (e.g. an index dropped). */
  setupSql?: string;
  /**
   * Processes per service (default 1 each, at most {@link MAX_REPLICAS}): consumers share their
   * group's partitions, the senders' requests go round the ingest replicas. CPU is the sum of a
   * service's replicas, peak RSS the highest of them.
   */
  replicas?: Partial<Record<ServiceName, number>>;
  /**
   * Measures one consumer stage alone: it and the stages after it are stopped before the measured
   * leads are sent; once all of them wait for it, it is started again and timed while it drains
   * that backlog with the machine to itself (besides PostgreSQL, Kafka and Redis), then the stages
   * after it are started. End-to-end, latency and the run's CPU figures then include the hold.
   */
  alone?: ConsumerStage;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export const PIPELINE_BENCH_DEFAULTS: Omit<PipelineBenchOptions, 'leads'> = {
  batchSize: 500,
  senders: 4,
  identities: 1_000,
  sampleMs: 250,
  cpuProfile: false,
};

export interface Infrastructure {
  brokers: string;
  databaseUrl: string;
  redisUrl: string;
}

export interface StageFigure {
  stage: string;
  /** Leads past the stage when the run ended. */
  count: number;
  /** Between 10 % and 90 % of the leads past the stage (the steady part of the run). */
  sustainedPerSecond: number;
  /** From the first lead sent until the last lead was past the stage. */
  overallPerSecond: number;
  /** Seconds from the first lead sent until the last lead was past the stage. */
  doneAfterSeconds: number;
}

export interface PipelineBenchResult {
  id: string;
  logDir: string;
  options: Omit<PipelineBenchOptions, 'log'>;
  leads: number;
  /** Terminal leads of the measured set, by status. */
  statuses: Record<string, number>;
  stored: number;
  deadLetters: number;
  alertsSent: number;
  /** Leads sent and answered 202, per second of sending. */
  sendSeconds: number;
  /** Per request: accept latency seen by the sender (ms). */
  httpLatencyMs: { p50: number; p99: number; max: number };
  /** First accept (`received_at`) to last store (`updated_at`), from the database. */
  endToEnd: { seconds: number; leadsPerSecond: number; sustainedLeadsPerSecond: number };
  /** Accept (`received_at`) to stored (`updated_at`), per lead, from the database (ms). */
  latencyMs: Percentiles & { max: number };
  /**
   * The same latency in two parts, per lead (ms): accept to the enricher's event (`received_at` to
   * the enrichment's `fetched_at`, the event's `enrichedAt`: ingest's commit, the relay, Kafka and
   * the enricher's queue), and that event to stored (`updated_at`: the enricher's publish, Kafka
   * and the validator's queue and round). Where a tail builds up, hop by hop.
   */
  hopLatencyMs: Record<'acceptToEnriched' | 'enrichedToStored', Percentiles>;
  stages: StageFigure[];
  /** Highest sampled VmRSS and the kernel's VmHWM per service (bytes). */
  memory: Array<{ service: ServiceName; peakSampledRss: number; hwm: number }>;
  /** CPU time from the first measured lead sent to the last one past the notifier. */
  cpu: CpuFigures;
  /** With `alone`: the stage draining its backlog, from its first round out after its restart until it passed every lead on. */
  alone?: { stage: ConsumerStage; leads: number; seconds: number; perSecond: number; cpu: CpuFigures };
  cpuProfileDir?: string;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

interface Sample {
  at: number;
  accepted: number;
  relayed: number;
  enriched: number;
  validated: number;
  notified: number;
}

interface Lead {
  email: string;
  first_name: string;
  last_name: string;
  company_domain: string;
  linkedin_url: string;
}

/** Lead `i` names identity `i mod identities`, so after the warm-up every lookup is a cache hit; the e-mail is the lead's own. */
function leadOf(i: number, identities: number, tag: string): Lead {
  const person = i % identities;
  return {
    email: `${tag}.${i}@company${person % 500}.example.com`,
    first_name: `First${person}`,
    last_name: `Last${person}`,
    company_domain: `company${person % 500}.example.com`,
    linkedin_url: `https://www.linkedin.com/in/bench-person-${person}/`,
  };
}

/** A local endpoint for the notifier's signed webhook: answers 204 at once and counts. */
async function startReceiver(): Promise<{ server: Server; url: string; count: () => number }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hook`, count: () => received };
}

function vm(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (pid === undefined) return 0;
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The time `count` first reached `target`, interpolated between samples. */
function crossing(samples: readonly Sample[], field: keyof Omit<Sample, 'at'>, target: number): number | null {
  for (let i = 0; i < samples.length; i++) {
    if (samples[i][field] >= target) {
      if (i === 0) return samples[0].at;
      const [a, b] = [samples[i - 1], samples[i]];
      const share = (target - a[field]) / Math.max(1, b[field] - a[field]);
      return a.at + share * (b.at - a.at);
    }
  }
  return null;
}

function stageFigure(stage: string, samples: readonly Sample[], field: keyof Omit<Sample, 'at'>, total: number, startedAt: number): StageFigure {
  const count = samples.length ? samples[samples.length - 1][field] : 0;
  const t10 = crossing(samples, field, 0.1 * total);
  const t90 = crossing(samples, field, 0.9 * total);
  const done = crossing(samples, field, total);
  const doneAfterSeconds = done === null ? NaN : (done - startedAt) / 1000;
  const overallPerSecond = done === null ? NaN : total / Math.max(0.001, doneAfterSeconds);
  const sustainedPerSecond = t10 !== null && t90 !== null && t90 > t10 ? (0.8 * total) / ((t90 - t10) / 1000) : overallPerSecond;
  return { stage, count, sustainedPerSecond, overallPerSecond, doneAfterSeconds };
}

/** PostgreSQL's `percentile_cont(ARRAY[0.5, 0.95, 0.99])` of seconds, in ms (NaN when there were no rows). */
function percentilesMs(seconds: number[] | null): Percentiles {
  const [p50, p95, p99] = (seconds ?? []).map((x) => x * 1000);
  return { p50: p50 ?? NaN, p95: p95 ?? NaN, p99: p99 ?? NaN };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

async function endOffsets(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/**
 * Runs the benchmark in a private namespace (Kafka topics and groups, database, Redis prefix)
 * and removes it at the end, whatever happens. Throws when a lead is refused or does not reach
 * a terminal state in time.
 */
export async function runPipelineBench(options: PipelineBenchOptions, infra: Infrastructure): Promise<PipelineBenchResult> {
  const log = options.log ?? (() => undefined);
  const env = new BenchEnv(infra.brokers, infra.databaseUrl, infra.redisUrl);
  let simulator: NetrowsSimulator | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let admin: Admin | undefined;
  let sampler: Promise<void> | undefined;
  let sampling = false;
  const profileDir = options.cpuProfile ? join(env.logDir, 'cpu-profiles') : undefined;
  try {
    await env.setUp();
    if (options.setupSql) await env.db.query(options.setupSql);
    // No rate limit and no latency: after the warm-up the provider is not called at all, and
    // during it, it answers at once.
    simulator = await createNetrowsSimulator({ port: 0, rateLimitPerMinute: 0, notFoundShare: 0, apiKeys: [API_KEY] });
    receiver = await startReceiver();
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const common: Record<string, string> = {
      // The production pool size, not the tests' 4.
      DATABASE_POOL_SIZE: '10',
      SHUTDOWN_TIMEOUT_MS: '20000',
      ...options.serviceEnv,
    };
    const nodeArgs = (name: string) => [
      ...(options.serviceNodeArgs ?? []),
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []),
    ];
    const serviceEnv: Record<ServiceName, Record<string, string>> = {
      ingest: { ...common, INGEST_THROTTLE_PER_MINUTE: '100000000' },
      enricher: {
        ...common,
        NETROWS_BASE_URL: simulator.url,
        NETROWS_API_KEY: API_KEY,
        NETROWS_RATE_LIMIT_PER_MINUTE: '1000000',
        NETROWS_RATE_LIMIT_HEADROOM_MS: '0',
      },
      validator: common,
      notifier: {
        ...common,
        NOTIFIER_WEBHOOK_URL: receiver.url,
        NOTIFIER_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      },
    };
    const replicas = (name: ServiceName): number => options.replicas?.[name] ?? 1;
    const started = {} as Record<ServiceName, ServiceProcess[]>;
    for (const name of SERVICES) {
      started[name] = [];
      // The n-th replica profiles into its own file.
      for (let n = 1; n <= replicas(name); n++) started[name].push(await env.start(name, serviceEnv[name], nodeArgs(n === 1 ? name : `${name}-${n}`)));
    }
    await Promise.all(CONSUMER_STAGES.map((name) => env.waitForStableGroup(name, replicas(name))));
    // Each request carries an Idempotency-Key, as the import CLI's do, so a request that fails on
    // the network (a keep-alive connection closed under it) is sent again without a second lead.
    // undici's request() rather than fetch: the load generator shares the two cores with the
    // pipeline, so it should cost as little per request as it can.
    let requests = 0;
    const post = async (leads: Lead[], key: string): Promise<void> => {
      const ingest = started.ingest[requests++ % started.ingest.length];
      for (let attempt = 1; ; attempt++) {
        let res: Dispatcher.ResponseData;
        try {
          res = await request(`${ingest.url}/api/leads/batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': `${env.id}-${key}` },
            body: JSON.stringify({ leads }),
          });
        } catch (error) {
          if (attempt >= 3) throw error;
          continue;
        }
        if (res.statusCode !== 202) throw new Error(`ingest answered ${res.statusCode}: ${(await res.body.text()).slice(0, 300)}`);
        await res.body.dump();
        return;
      }
    };
    const terminal = async (since: Date | null): Promise<number> => {
      const rows: Array<{ n: number }> = await env.db.query(
        `SELECT count(*)::int AS n FROM leads WHERE status <> 'received' AND ($1::timestamptz IS NULL OR received_at >= $1)`,
        [since],
      );
      return rows[0].n;
    };

    // Warm-up: every identity bought once (the cache then answers), and every process's code warm.
    const identities = Math.min(options.identities, options.leads);
    log(`warm-up: ${identities} identities through the pipeline`);
    for (let i = 0; i < identities; i += options.batchSize) {
      await post(Array.from({ length: Math.min(options.batchSize, identities - i) }, (_, k) => leadOf(i + k, identities, 'warm')), `warm-${i}`);
    }
    await poll(async () => (await terminal(null)) === identities, 120_000 + identities * 50, 'the warm-up leads stored', 250);

    admin = env.kafka.admin();
    await admin.connect();
    const topics = { received: env.topic('leadReceived'), enriched: env.topic('leadEnriched'), validated: env.topic('leadValidated') } satisfies Record<
      string,
      string
    >;
    const notifierGroup = consumerGroupId(env.namespace, 'notifier');
    const a = admin;
    const read = async (): Promise<Omit<Sample, 'at' | 'accepted'>> => {
      const [relayed, enriched, validated, notified] = await Promise.all([
        endOffsets(a, topics.received),
        endOffsets(a, topics.enriched),
        endOffsets(a, topics.validated),
        committed(a, notifierGroup, topics.validated),
      ]);
      return { relayed, enriched, validated, notified };
    };
    const validatedAfterWarmUp = await poll(async () => {
      const now = await read();
      return now.validated >= identities && now.notified === now.validated ? now : null;
    }, 60_000, 'the notifier caught up with the warm-up', 250);
    const base = validatedAfterWarmUp;
    /** Leads of the measured run past each stage so far. */
    const progress = async (): Promise<Omit<Sample, 'at' | 'accepted'>> => {
      const now = await read();
      return { relayed: now.relayed - base.relayed, enriched: now.enriched - base.enriched, validated: now.validated - base.validated, notified: now.notified - base.notified };
    };

    if (options.alone) {
      const held = [options.alone, ...STAGES[options.alone].after];
      log(`stopping the ${held.join(' and the ')}: the measured leads wait for the ${options.alone}`);
      await Promise.all(held.flatMap((stage) => started[stage].map((replica) => replica.stop())));
    }

    // Measured run.
    const samples: Sample[] = [];
    const peakRss = new Map<ServiceName, number>();
    let accepted = 0;
    const servicePids = () => new Map(SERVICES.map((name) => [name as string, started[name].map((replica) => replica.pid)]));
    const cpuBefore = cpuSnapshot(servicePids());
    const measureFrom = new Date();
    const startedAt = Date.now();
    sampling = true;
    sampler = (async () => {
      while (sampling) {
        const at = Date.now();
        try {
          samples.push({ at, accepted, ...(await progress()) });
        } catch {
          // A missed sample only coarsens the stage figures.
        }
        for (const name of SERVICES) peakRss.set(name, Math.max(peakRss.get(name) ?? 0, ...started[name].map((replica) => vm(replica.pid, 'VmRSS'))));
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, options.sampleMs - (Date.now() - at))));
      }
    })();

    log(`sending ${options.leads} leads ${options.rate ? `at ${options.rate}/s` : 'as fast as possible'} in batches of ${options.batchSize}`);
    const requestMs: number[] = [];
    const batches = Math.ceil(options.leads / options.batchSize);
    const sendBatch = async (b: number): Promise<void> => {
      const from = b * options.batchSize;
      const leads = Array.from({ length: Math.min(options.batchSize, options.leads - from) }, (_, k) => leadOf(from + k, identities, 'lead'));
      const t0 = performance.now();
      await post(leads, `lead-${b}`);
      requestMs.push(performance.now() - t0);
      accepted += leads.length;
    };
    if (options.rate) {
      // Open loop: batch b leaves at its scheduled time whatever happened to the ones before.
      const inFlight: Promise<void>[] = [];
      let failure: unknown = null;
      for (let b = 0; b < batches && failure === null; b++) {
        const due = startedAt + (b * options.batchSize * 1000) / options.rate;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        inFlight.push(sendBatch(b).catch((error: unknown) => void (failure ??= error)));
      }
      await Promise.all(inFlight);
      if (failure !== null) throw failure;
    } else {
      let next = 0;
      await Promise.all(
        Array.from({ length: options.senders }, async () => {
          while (next < batches) await sendBatch(next++);
        }),
      );
    }
    const sendSeconds = (Date.now() - startedAt) / 1000;
    log(`sent in ${sendSeconds.toFixed(1)} s; waiting for every lead to be stored and announced`);

    let alone: PipelineBenchResult['alone'];
    if (options.alone) {
      const stage = options.alone;
      const { waiting, done, after } = STAGES[stage];
      /** When `atLeast` leads are past the stage: the time, the count and (then only) every process's CPU. */
      const passed = (atLeast: number, timeoutMs: number, what: string, intervalMs: number, signal?: AbortSignal) =>
        poll(
          async () => {
            const at = Date.now();
            const now = (await progress())[done];
            return now >= atLeast ? { at, done: now, cpu: cpuSnapshot(servicePids()) } : null;
          },
          timeoutMs,
          what,
          intervalMs,
          signal,
        );
      await poll(async () => (await progress())[waiting] >= options.leads, 180_000 + options.leads * 5, `${options.leads} leads waiting for the ${stage}`, 250);
      log(`starting the ${stage} on its backlog of ${options.leads} leads`);
      // The window opens when its first round is out, so the processes' start-up is not in it; a
      // replica that fails to start ends that wait at once, with its error.
      const startFailed = new AbortController();
      const starting = Promise.all(started[stage].map((replica) => replica.start())).then(
        () => undefined,
        (error: unknown) => startFailed.abort(error),
      );
      const from = await passed(1, 120_000, `the ${stage}'s first round`, 20, startFailed.signal);
      await starting;
      startFailed.signal.throwIfAborted();
      const to = await passed(options.leads, 180_000 + options.leads * 5, `the ${stage} through its backlog`, 100);
      const seconds = (to.at - from.at) / 1000;
      alone = { stage, leads: to.done - from.done, seconds, perSecond: (to.done - from.done) / seconds, cpu: cpuBetween(from.cpu, to.cpu, 'bench (load, sim, receiver)') };
      log(`the ${stage} drained ${alone.leads} leads in ${seconds.toFixed(1)} s`);
      for (const next of after) {
        await Promise.all(started[next].map((replica) => replica.start()));
        await env.waitForStableGroup(next, replicas(next));
      }
    }

    await poll(
      async () => {
        const done = await terminal(measureFrom);
        return done === options.leads;
      },
      180_000 + options.leads * 5,
      `${options.leads} leads stored`,
      500,
    );
    await poll(async () => (samples.length > 0 && samples[samples.length - 1].notified >= options.leads ? true : null), 180_000 + options.leads * 5, 'every lead past the notifier', 250);
    const cpu = cpuBetween(cpuBefore, cpuSnapshot(servicePids()), 'bench (load, sim, receiver)');
    sampling = false;
    await sampler;
    const memory = SERVICES.map((service) => ({
      service,
      peakSampledRss: peakRss.get(service) ?? 0,
      hwm: Math.max(...started[service].map((replica) => vm(replica.pid, 'VmHWM'))),
    }));

    const statusRows: Array<{ status: string; n: number }> = await env.db.query(
      `SELECT status, count(*)::int AS n FROM leads WHERE received_at >= $1 GROUP BY status ORDER BY status`,
      [measureFrom],
    );
    const statuses = Object.fromEntries(statusRows.map((r) => [r.status, r.n]));
    const [figures]: Array<{
      n: number;
      first: number;
      last: number;
      p: number[];
      max_latency: number;
      stored_at: number[];
    }> = await env.db.query(
      `SELECT count(*)::int AS n,
              extract(epoch FROM min(received_at))::float8 AS first,
              extract(epoch FROM max(updated_at))::float8 AS last,
              percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at - received_at)) AS p,
              max(extract(epoch FROM updated_at - received_at))::float8 AS max_latency,
              percentile_cont(ARRAY[0.1, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM updated_at)) AS stored_at
         FROM leads WHERE received_at >= $1 AND status <> 'received'`,
      [measureFrom],
    );
    const [hops]: Array<{ to_enriched: number[]; to_stored: number[] }> = await env.db.query(
      `SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM e.fetched_at - l.received_at)) AS to_enriched,
              percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM l.updated_at - e.fetched_at)) AS to_stored
         FROM leads l JOIN enrichments e ON e.lead_id = l.id
        WHERE l.received_at >= $1 AND l.status <> 'received'`,
      [measureFrom],
    );
    const [{ n: deadLetters }]: Array<{ n: number }> = await env.db.query(`SELECT count(*)::int AS n FROM dead_letters`);
    const e2eSeconds = figures.last - figures.first;
    const sustainedWindow = figures.stored_at[1] - figures.stored_at[0];
    const sortedRequests = [...requestMs].sort((x, y) => x - y);
    const stageRows: Array<[string, keyof Omit<Sample, 'at'>]> = [
      ['ingest accepted (202)', 'accepted'],
      ['relayed to Kafka', 'relayed'],
      ['enriched', 'enriched'],
      ['validated and stored', 'validated'],
      ['notified', 'notified'],
    ];
    const result: PipelineBenchResult = {
      id: env.id,
      logDir: env.logDir,
      options: {
        leads: options.leads,
        rate: options.rate,
        batchSize: options.batchSize,
        senders: options.senders,
        identities,
        sampleMs: options.sampleMs,
        cpuProfile: options.cpuProfile,
        replicas: Object.fromEntries(SERVICES.map((name) => [name, replicas(name)])),
        alone: options.alone,
      },
      leads: options.leads,
      statuses,
      stored: figures.n,
      deadLetters,
      alertsSent: receiver.count(),
      sendSeconds,
      httpLatencyMs: { p50: percentile(sortedRequests, 0.5), p99: percentile(sortedRequests, 0.99), max: sortedRequests[sortedRequests.length - 1] ?? NaN },
      endToEnd: {
        seconds: e2eSeconds,
        leadsPerSecond: figures.n / e2eSeconds,
        sustainedLeadsPerSecond: sustainedWindow > 0 ? (0.8 * figures.n) / sustainedWindow : figures.n / e2eSeconds,
      },
      latencyMs: { ...percentilesMs(figures.p), max: figures.max_latency * 1000 },
      hopLatencyMs: { acceptToEnriched: percentilesMs(hops.to_enriched), enrichedToStored: percentilesMs(hops.to_stored) },
      stages: stageRows.map(([stage, field]) => stageFigure(stage, samples, field, options.leads, startedAt)),
      memory,
      cpu,
      alone,
      cpuProfileDir: profileDir,
    };
    return result;
  } finally {
    sampling = false;
    await sampler?.catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await env.dispose().catch((error: unknown) => log(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`));
    await simulator?.close();
    await new Promise((resolve) => (receiver ? receiver.server.close(resolve) : resolve(undefined)));
  }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const num = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

const percentilesLine = (p: Percentiles): string => `p50 ${num(p.p50)} ms, p95 ${num(p.p95)} ms, p99 ${num(p.p99)} ms`;

/** The result as the lines the command prints. */
export function formatPipelineResult(r: PipelineBenchResult): string[] {
  const pad = (label: string) => `  ${label.padEnd(30)}`;
  const replicasOf = (what: string): number => r.options.replicas?.[what as ServiceName] ?? 1;
  const named = (what: string): string => (replicasOf(what) > 1 ? `${what} ×${replicasOf(what)}` : what);
  const scaled = SERVICES.filter((service) => replicasOf(service) > 1);
  const cpuLines = (title: string, cpu: CpuFigures, leads: number): string[] => [
    `  ${title.padEnd(33)}seconds   per 1 000 leads   page faults per lead   (machine busy ${num(cpu.machineBusy * 100)} %)`,
    ...cpu.seconds.map(
      (c) => `    ${named(c.what).padEnd(28)} ${`${num(c.seconds, 1)} s`.padStart(9)} ${`${num((c.seconds * 1000) / leads, 2)} s`.padStart(14)} ${num(c.faults / leads, 1).padStart(18)}`,
    ),
  ];
  const alone = r.alone;
  return [
    'result',
    `${pad('leads')}${r.leads} (${r.options.identities} identities, pre-warmed in the cache), ${r.options.rate ? `sent at ${r.options.rate}/s` : `${r.options.senders} senders`}, batches of ${r.options.batchSize}${scaled.length > 0 ? `; replicas: ${scaled.map((service) => `${service} ${replicasOf(service)}`).join(', ')}` : ''}`,
    `${pad('stored')}${r.stored} (${Object.entries(r.statuses).map(([s, n]) => `${s} ${n}`).join(', ')}); dead letters ${r.deadLetters}; alerts sent ${r.alertsSent}`,
    ...(alone ? [`${pad('note')}the ${alone.stage} was held until every lead waited for it: end to end, latency and the run's CPU include the hold and its restart`] : []),
    `${pad('end to end')}${num(r.endToEnd.leadsPerSecond)} leads/s (first accept to last stored, ${num(r.endToEnd.seconds, 1)} s); sustained (10–90 % stored) ${num(r.endToEnd.sustainedLeadsPerSecond)} leads/s`,
    `${pad('accept → stored latency')}${percentilesLine(r.latencyMs)}, max ${num(r.latencyMs.max)} ms`,
    `${pad('  accept → enriched')}${percentilesLine(r.hopLatencyMs.acceptToEnriched)} (ingest, relay, enricher's queue)`,
    `${pad('  enriched → stored')}${percentilesLine(r.hopLatencyMs.enrichedToStored)} (enricher's publish, validator's queue and round)`,
    `${pad('HTTP 202 per request')}p50 ${num(r.httpLatencyMs.p50)} ms, p99 ${num(r.httpLatencyMs.p99)} ms, max ${num(r.httpLatencyMs.max)} ms (sending took ${num(r.sendSeconds, 1)} s)`,
    '  per stage                      sustained (10–90 %)   overall   last lead after',
    ...r.stages.map((s) => `    ${s.stage.padEnd(28)} ${`${num(s.sustainedPerSecond)}/s`.padStart(12)} ${`${num(s.overallPerSecond)}/s`.padStart(12)} ${`${num(s.doneAfterSeconds, 1)} s`.padStart(12)}`),
    `  peak RSS                       sampled     VmHWM${scaled.length > 0 ? '   (of the highest replica)' : ''}`,
    ...r.memory.map((m) => `    ${named(m.service).padEnd(28)} ${mb(m.peakSampledRss).padStart(7)} ${mb(m.hwm).padStart(9)}`),
    ...cpuLines('CPU in the measured run', r.cpu, r.leads),
    ...(alone
      ? [
          `${pad(`${named(alone.stage)} alone`)}${num(alone.perSecond)} leads/s (${alone.leads} leads of its backlog of ${r.leads} in ${num(alone.seconds, 1)} s, after its first round)`,
          ...cpuLines(`CPU while the ${alone.stage} drained`, alone.cpu, alone.leads),
        ]
      : []),
    ...(r.cpuProfileDir ? [`${pad('CPU profiles')}${r.cpuProfileDir} (summarise: npm run bench:cpu-profile -- <dir>)`] : []),
  ];
}
