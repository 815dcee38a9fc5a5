/**
 * The chaos run behind `npm run bench:chaos` and test/e2e/chaos.e2e-spec.ts: the whole pipeline
 * on a Kafka broker, a PostgreSQL cluster and a Redis of its own (so it can crash them without
 * touching the shared ones), the Netrows simulator and a webhook receiver in this process;
 * leads posted at a steady rate while faults are injected one after another; then the checks.
 */
import { join } from 'node:path';
import { createNetrowsSimulator, type NetrowsSimulator, type Purchase, type SimulatorStats } from '../netrows-simulator/src';
import {
  freePort,
  IsolatedEnv,
  PrivateBroker,
  PrivatePostgres,
  PrivateRedis,
  ROOT,
  type ServiceName,
  ServiceProcess,
  waitFor,
  WebhookReceiver,
} from '../harness';

export const CHAOS_FAULTS = [
  'kill-ingest',
  'kill-enricher',
  'kill-validator',
  'kill-notifier',
  'broker-restart',
  'postgres-restart',
  'redis-restart',
  'provider-5xx',
  'provider-outage',
] as const;
export type ChaosFault = (typeof CHAOS_FAULTS)[number];

export const TERMINAL_STATES = ['enriched', 'not_found', 'invalid', 'dead_lettered'] as const;

export interface ChaosOptions {
  leads: number;
  faults: readonly ChaosFault[];
  /** Most leads posted per second (in batches of 20); each share is otherwise spread over its fault's expected length. Default 200. */
  rate?: number;
  /** The provider's per-minute limit, and the enricher's. */
  limitPerMinute: number;
  /** How long PostgreSQL and Redis stay down, and the broker between stop and start. */
  downSeconds: number;
  /** Length of the 5xx storm (half of all calls fail) and of the outage (every call 503). */
  stormSeconds: number;
  outageSeconds: number;
  /** Deadline of each drain; a drain that misses it is reported as such. */
  drainTimeoutMs: number;
  scoreThreshold: number;
  /** Where service logs go. */
  logDir?: string;
  /** More environment for every service (`--env`), e.g. to turn a feature off for comparison. */
  serviceEnv?: Record<string, string>;
  /** Progress lines (the benchmark prints them; the test keeps them quiet). */
  log?: (line: string) => void;
}

export interface FaultRecord {
  fault: ChaosFault;
  /** When it was injected and when it ended (epoch ms). */
  startedAt: number;
  endedAt: number;
  /** From injection to the end of the fault (the component back and ready, or the provider healthy). */
  downMs: number;
  /** From the end of the fault until every lead accepted by then is terminal; null if the deadline passed. */
  drainMs: number | null;
  /** Leads accepted up to the end of the fault (the ones the drain waits for). */
  acceptedAtEnd: number;
  /** Leads accepted while the fault lasted. */
  acceptedDuring: number;
  /** Of the leads accepted by its end, those not yet terminal at its end: the drain is this backlog's. */
  backlogAtEnd: number | null;
  /** Leads dead-lettered so far (all accepted leads), read once the drain is over: the faults that cost leads a terminal failure. */
  deadLetteredAfter: number | null;
}

export interface ChaosReport {
  id: string;
  /** When the run began posting (epoch ms). */
  startedAt: number;
  leadsPosted: number;
  accepted: number;
  byStatus: Record<string, number>;
  /** Accepted leads with no row, or still not terminal at the final deadline. */
  lost: number;
  missingRows: number;
  notTerminal: number;
  /** Lead rows that no 202 answered for (a batch stored twice), plus enrichment rows beyond one per lead. */
  duplicateRows: number;
  /** Notification rows per (lead, channel, rule) beyond one, and (lead, rule) pairs announced under more than one webhook-id. */
  duplicateNotifications: number;
  notificationRowsSent: number;
  notificationRowsOther: number;
  /** Leads whose score qualifies but that were not announced by the end. */
  unannounced: number;
  webhookPosts: number;
  distinctWebhookIds: number;
  provider: { calls: number; ok: number; notFound: number; serverErrors: number; timeouts: number; rateLimited: number; credits: number; personCredits: number; companyCredits: number };
  uniqueIdentities: number;
  /** Person identities bought more than once, and when each purchase after the first was made. */
  repeatPurchases: RepeatPurchases;
  faults: FaultRecord[];
  /** The first share of leads, posted with no fault: its backlog when the last was accepted and how long that took to drain, for comparison. */
  baseline: { leads: number; backlog: number | null; drainMs: number | null };
  finalDrainMs: number | null;
  wallMs: number;
  postingMs: number;
  logDir: string;
}

export interface RepeatPurchases {
  /** Identities whose person data was charged more than once. */
  identities: number;
  /** Charges beyond the first per identity. */
  extra: number;
  /**
   * The extra charges whose earlier answer reached the enricher, by when they were made:
   * `during <fault>`, `after <fault>` (until the next fault), or `baseline`.
   */
  byWindow: Record<string, number>;
  /** Extra charges after an answer that never reached the enricher (it had timed out or died first): charged, not received. */
  afterUndelivered: number;
  /** A few of them: the identity and its charges, in seconds from the start of the run. */
  examples: Array<{ identity: string; charges: Array<{ at: number; delivered: boolean }> }>;
}

const PERSON_ENDPOINTS: ReadonlySet<string> = new Set(['profile', 'profileByUrl', 'reverseLookup']);

/** The person a charge was for: a LinkedIn profile's username (from a URL or as sent), or the e-mail. */
export function personIdentity(purchase: Pick<Purchase, 'endpoint' | 'identifier'>): string {
  const id = purchase.identifier.trim().toLowerCase();
  if (purchase.endpoint === 'reverseLookup') return `email:${id}`;
  const slug = /\/in\/([^/?#]+)/.exec(id)?.[1] ?? id;
  return `in:${decodeURIComponent(slug)}`;
}

/**
 * Groups person charges by identity and places every charge after an identity's first in the
 * fault window it fell in: during a fault (injection to end), after it (until the next fault is
 * injected), or in the baseline before the first. A charge that follows an answer the enricher
 * never received is counted apart (`afterUndelivered`): the call was given up on, not the answer lost.
 */
export function repeatPurchases(purchases: readonly Purchase[], faults: readonly FaultRecord[], startedAt: number): RepeatPurchases {
  const byIdentity = new Map<string, Purchase[]>();
  for (const p of purchases) {
    if (!PERSON_ENDPOINTS.has(p.endpoint) || p.credits === 0) continue;
    const identity = personIdentity(p);
    const charges = byIdentity.get(identity);
    if (charges) charges.push(p);
    else byIdentity.set(identity, [p]);
  }
  const windowOf = (at: number): string => {
    for (let i = faults.length - 1; i >= 0; i--) {
      if (at >= faults[i].endedAt) return `after ${faults[i].fault}`;
      if (at >= faults[i].startedAt) return `during ${faults[i].fault}`;
    }
    return 'baseline';
  };
  const result: RepeatPurchases = { identities: 0, extra: 0, byWindow: {}, afterUndelivered: 0, examples: [] };
  for (const [identity, charges] of byIdentity) {
    if (charges.length < 2) continue;
    result.identities++;
    const sorted = [...charges].sort((a, b) => a.at - b.at);
    for (const [i, { at }] of sorted.entries()) {
      if (i === 0) continue;
      result.extra++;
      if (!sorted[i - 1].delivered) {
        result.afterUndelivered++;
        continue;
      }
      const window = windowOf(at);
      result.byWindow[window] = (result.byWindow[window] ?? 0) + 1;
    }
    if (result.examples.length < 10) {
      result.examples.push({ identity, charges: sorted.map((c) => ({ at: Math.round((c.at - startedAt) / 100) / 10, delivered: c.delivered })) });
    }
  }
  return result;
}

const seconds = (ms: number | null): string => (ms === null ? 'timed out' : `${(ms / 1000).toFixed(1)} s`);

const API_KEY = 'chaos-key';
const BATCH = 20;

/** Seconds a fault is expected to last, to spread its share of the leads over it. */
function expectedDownSeconds(fault: ChaosFault, o: ChaosOptions): number {
  switch (fault) {
    case 'broker-restart':
      return 15 + o.downSeconds;
    case 'postgres-restart':
    case 'redis-restart':
      return 1 + o.downSeconds;
    case 'provider-5xx':
      return o.stormSeconds;
    case 'provider-outage':
      return o.outageSeconds;
    default:
      return 8;
  }
}

/** The i-th lead: LinkedIn identities, every tenth one repeating the previous identity in another spelling. */
function leadBody(run: string, i: number): { linkedin_url: string; first_name?: string; last_name?: string } {
  if (i % 10 === 9) return { linkedin_url: `linkedin.com/in/CHAOS-${run}-${i - 1}?trk=chaos` };
  const body: { linkedin_url: string; first_name?: string; last_name?: string } = { linkedin_url: `https://www.linkedin.com/in/chaos-${run}-${i}/` };
  if (i % 2 === 0) Object.assign(body, { first_name: 'Chaos', last_name: `Lead${i}` });
  return body;
}

const uniqueIdentities = (n: number): number => n - Math.floor(n / 10);

export class ChaosRun {
  readonly broker = new PrivateBroker();
  readonly postgres = new PrivatePostgres();
  readonly redis = new PrivateRedis();
  readonly webhooks = new WebhookReceiver();
  env!: IsolatedEnv;
  simulator!: NetrowsSimulator;
  readonly services = new Map<ServiceName, ServiceProcess>();
  private readonly accepted: string[] = [];
  private readonly purchases: Purchase[] = [];
  private readonly log: (line: string) => void;
  private logDir = '';
  private posted = 0;
  private stopPosting = false;
  /** How many leads the producer may have posted by now, and its pace (leads/s since `paceFrom`, counted from `pacedAt`). */
  private allowance = 0;
  private pace = 1;
  private paceFrom = 0;
  private pacedAt = 0;

  constructor(private readonly options: ChaosOptions) {
    this.log = options.log ?? (() => undefined);
  }

  /** Starts the private infrastructure, the simulator, the receiver and the four services. */
  async setUp(): Promise<void> {
    const o = this.options;
    this.log('starting a private Kafka broker, PostgreSQL cluster and Redis');
    await this.broker.start();
    await this.postgres.start();
    await this.redis.start();
    this.env = new IsolatedEnv({ brokers: this.broker.brokers, databaseUrl: this.postgres.url, redisUrl: this.redis.url, idPrefix: 'chaos' });
    this.logDir = this.options.logDir ?? join(ROOT, '.run', 'bench-logs', this.env.id);
    await this.env.setUp();
    this.simulator = await createNetrowsSimulator({ port: 0, rateLimitPerMinute: o.limitPerMinute, notFoundShare: 0.1, apiKeys: [API_KEY], onCharged: (p) => this.purchases.push(p) });
    await this.webhooks.start();
    const common = { NODE_ENV: 'production', SHUTDOWN_TIMEOUT_MS: '10000' };
    const envFor: Record<ServiceName, Record<string, string>> = {
      ingest: { ...common, INGEST_THROTTLE_PER_MINUTE: '1000000', INGEST_OUTBOX_POLL_MS: '50' },
      enricher: {
        ...common,
        NETROWS_BASE_URL: this.simulator.url,
        NETROWS_API_KEY: API_KEY,
        NETROWS_RATE_LIMIT_PER_MINUTE: String(o.limitPerMinute),
        NETROWS_TIMEOUT_MS: '5000',
        ENRICHER_RETRY_BASE_MS: '1000',
        NETROWS_BREAKER_RESET_TIMEOUT_MS: '5000',
      },
      validator: { ...common },
      notifier: {
        ...common,
        NOTIFIER_WEBHOOK_URL: this.webhooks.url,
        NOTIFIER_WEBHOOK_SECRET: this.webhooks.secret,
        NOTIFIER_SCORE_THRESHOLD: String(o.scoreThreshold),
        NOTIFIER_RETRY_BASE_MS: '200',
      },
    };
    for (const name of ['ingest', 'enricher', 'validator', 'notifier'] as const) {
      const service = new ServiceProcess(name, await freePort(), this.env.serviceEnv({ ...envFor[name], ...o.serviceEnv }), this.logDir);
      this.services.set(name, service);
      await service.start();
    }
    await this.env.waitForStableGroup('enricher', 1);
    this.log(`run ${this.env.id}: services up, logs in ${this.logDir}`);
  }

  private service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} not started`);
    return service;
  }

  /**
   * Posts leads in batches as long as the allowance lets it, at the current pace; a refused or
   * failed batch is sent again with the same Idempotency-Key until it gets its 202.
   */
  private async produce(): Promise<void> {
    const run = this.env.id;
    for (let batch = 0; this.posted < this.options.leads && !this.stopPosting; batch++) {
      await waitFor(() => this.allowance > this.posted || this.stopPosting, { timeoutMs: 24 * 3_600_000, intervalMs: 50 });
      if (this.stopPosting) return;
      const due = this.paceFrom + ((this.posted - this.pacedAt) * 1000) / this.pace;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      const first = this.posted;
      const leads = Array.from({ length: Math.min(BATCH, this.allowance - first) }, (_, k) => leadBody(run, first + k));
      const key = `chaos-${run}-${batch}`;
      const ids = await waitFor(
        async () => {
          if (this.stopPosting) return [];
          const res = await fetch(`${this.service('ingest').url}/api/leads/batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify({ leads }),
            signal: AbortSignal.timeout(30_000),
          });
          if (res.status !== 202) return null;
          return ((await res.json()) as { leads: Array<{ id: string }> }).leads.map((l) => l.id);
        },
        { timeoutMs: 300_000, intervalMs: 250, what: `batch ${batch} accepted` },
      );
      this.posted += leads.length;
      this.accepted.push(...ids);
    }
  }

  /** Lets the producer post `count` more leads, spread over `seconds` (no faster than --rate). */
  private allow(count: number, seconds: number): void {
    this.allowance = Math.min(this.options.leads, this.allowance + count);
    this.pace = Math.min(this.options.rate ?? 200, Math.max(1, count / Math.max(1, seconds)));
    this.paceFrom = Date.now();
    this.pacedAt = this.posted;
  }

  /** How many of `ids` are not terminal yet (null while the database cannot be asked). */
  private async backlog(ids: readonly string[]): Promise<number | null> {
    try {
      const rows: Array<{ n: string }> = await this.env.db.query(`SELECT count(*) AS n FROM leads WHERE id = ANY($1) AND status = ANY($2)`, [ids, TERMINAL_STATES]);
      return ids.length - Number(rows[0].n);
    } catch {
      return null;
    }
  }

  private async deadLettered(): Promise<number | null> {
    try {
      const rows: Array<{ n: string }> = await this.env.db.query(`SELECT count(*) AS n FROM leads WHERE status = 'dead_lettered'`);
      return Number(rows[0].n);
    } catch {
      return null;
    }
  }

  /** Resolves with the milliseconds until every lead in `ids` is terminal, or null at the deadline. */
  private async drain(ids: readonly string[], timeoutMs: number): Promise<number | null> {
    const from = Date.now();
    try {
      await waitFor(
        async () => {
          const rows: Array<{ n: string }> = await this.env.db.query(`SELECT count(*) AS n FROM leads WHERE id = ANY($1) AND status = ANY($2)`, [
            ids,
            TERMINAL_STATES,
          ]);
          return Number(rows[0].n) === ids.length;
        },
        { timeoutMs, intervalMs: 250, what: `${ids.length} leads terminal` },
      );
      return Date.now() - from;
    } catch {
      return null;
    }
  }

  private async inject(fault: ChaosFault): Promise<void> {
    const o = this.options;
    // The fault's length is part of the experiment, not a wait for something to happen.
    const down = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    switch (fault) {
      case 'kill-ingest':
      case 'kill-enricher':
      case 'kill-validator':
      case 'kill-notifier': {
        const service = this.service(fault.slice('kill-'.length) as ServiceName);
        await service.kill();
        await service.start();
        return;
      }
      case 'broker-restart':
        await this.broker.stop();
        await down(o.downSeconds);
        await this.broker.start();
        return;
      case 'postgres-restart':
        await this.postgres.crash();
        await down(o.downSeconds);
        await this.postgres.start();
        return;
      case 'redis-restart':
        await this.redis.kill();
        await down(o.downSeconds);
        await this.redis.start();
        return;
      case 'provider-5xx':
        this.simulator.setFaults({ errorRate: 0.5 });
        await down(o.stormSeconds);
        this.simulator.setFaults({ errorRate: 0 });
        return;
      case 'provider-outage':
        this.simulator.setFaults({ forceStatus: 503 });
        await down(o.outageSeconds);
        this.simulator.setFaults({ forceStatus: null });
        return;
    }
  }

  /**
   * Posts the leads in equal shares: one before the faults (the baseline), then one during each
   * fault, spread over its expected length; measures the drain after each; then checks.
   */
  async run(): Promise<ChaosReport> {
    const o = this.options;
    const startedAt = Date.now();
    const segments = o.faults.length + 1;
    const share = (i: number) => Math.floor((o.leads * (i + 1)) / segments) - Math.floor((o.leads * i) / segments);
    let producerError: unknown;
    let producerDone = false;
    const producing = this.produce()
      .catch((error: unknown) => {
        producerError = error;
      })
      .finally(() => {
        producerDone = true;
      });

    const records: FaultRecord[] = [];
    this.log(`baseline: posting ${share(0)} leads with no fault`);
    this.allow(share(0), 10);
    await waitFor(() => this.accepted.length >= share(0) || producerDone, { timeoutMs: 600_000, what: 'baseline leads accepted' });
    const baselineIds = this.accepted.slice();
    const baselineBacklog = await this.backlog(baselineIds);
    const baselineDrainMs = await this.drain(baselineIds, o.drainTimeoutMs);
    this.log(`baseline: ${baselineBacklog ?? '?'} of ${baselineIds.length} leads not terminal when the last was accepted; drained ${seconds(baselineDrainMs)} later`);
    for (const [i, fault] of o.faults.entries()) {
      if (producerError) break;
      const before = this.accepted.length;
      this.log(`${fault}: injecting with ${share(i + 1)} more leads on their way (${before} accepted so far)`);
      this.allow(share(i + 1), expectedDownSeconds(fault, o));
      if (fault.startsWith('kill-') || fault === 'redis-restart') {
        // A kill lands among requests and messages in flight: a third of the share is in first.
        await waitFor(() => this.accepted.length >= before + Math.ceil(share(i + 1) / 3) || producerDone, { timeoutMs: 120_000 }).catch(() => undefined);
      }
      const from = Date.now();
      await this.inject(fault);
      const downMs = Date.now() - from;
      const ids = this.accepted.slice();
      const backlogAtEnd = await this.backlog(ids);
      const drainMs = await this.drain(ids, o.drainTimeoutMs);
      const deadLetteredAfter = await this.deadLettered();
      records.push({ fault, startedAt: from, endedAt: from + downMs, downMs, drainMs, acceptedAtEnd: ids.length, acceptedDuring: ids.length - before, backlogAtEnd, deadLetteredAfter });
      this.log(
        `${fault}: down ${seconds(downMs)}, ${drainMs === null ? `NOT drained within ${o.drainTimeoutMs / 1000} s` : `drained ${seconds(drainMs)} after it`} (${ids.length} leads accepted by its end)`,
      );
    }
    await producing;
    if (producerError) throw producerError;
    const postingMs = Date.now() - startedAt;
    this.log(`all ${this.accepted.length} leads accepted after ${seconds(postingMs)}; final drain`);
    const finalDrainMs = await this.drain(this.accepted, o.drainTimeoutMs);
    await this.settleNotifications();
    return this.check(records, { drainMs: baselineDrainMs, backlog: baselineBacklog, leads: baselineIds.length }, finalDrainMs, startedAt, postingMs);
  }

  /** Waits (with a deadline) until every qualifying lead has a `sent` notification and its POST arrived. */
  private async settleNotifications(): Promise<void> {
    await waitFor(
      async () => {
        const [q]: Array<{ qualifying: string; sent: string; pending: string }> = await this.env.db.query(
          `SELECT (SELECT count(*) FROM leads WHERE status = 'enriched' AND score >= $1) AS qualifying,
                  (SELECT count(*) FROM notifications WHERE status = 'sent') AS sent,
                  (SELECT count(*) FROM notifications WHERE status <> 'sent') AS pending`,
          [this.options.scoreThreshold],
        );
        const posted = new Set(this.webhooks.received.map((w) => w.body.lead.id)).size;
        return Number(q.pending) === 0 && Number(q.sent) >= Number(q.qualifying) && posted >= Number(q.sent);
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'notifications settled' },
    ).catch(() => undefined);
  }

  private async check(faults: FaultRecord[], baseline: ChaosReport['baseline'], finalDrainMs: number | null, startedAt: number, postingMs: number): Promise<ChaosReport> {
    const db = this.env.db;
    const ids = this.accepted;
    const statusRows: Array<{ status: string; n: string }> = await db.query(`SELECT status, count(*) AS n FROM leads WHERE id = ANY($1) GROUP BY status`, [ids]);
    const byStatus: Record<string, number> = Object.fromEntries(statusRows.map((r) => [r.status, Number(r.n)]));
    const present = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const notTerminal = statusRows.filter((r) => !(TERMINAL_STATES as readonly string[]).includes(r.status)).reduce((a, r) => a + Number(r.n), 0);
    const missingRows = new Set(ids).size - present;
    const [counts]: Array<{ leads: string; enrichments: string; enriched_leads: string; dup_notifications: string; sent: string; other: string; unannounced: string }> =
      await db.query(
        `SELECT (SELECT count(*) FROM leads) AS leads,
                (SELECT count(*) FROM enrichments) AS enrichments,
                (SELECT count(DISTINCT lead_id) FROM enrichments) AS enriched_leads,
                (SELECT count(*) FROM (SELECT 1 FROM notifications GROUP BY lead_id, channel, rule HAVING count(*) > 1) d) AS dup_notifications,
                (SELECT count(*) FROM notifications WHERE status = 'sent') AS sent,
                (SELECT count(*) FROM notifications WHERE status <> 'sent') AS other,
                (SELECT count(*) FROM leads l WHERE l.status = 'enriched' AND l.score >= $1
                   AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.lead_id = l.id AND n.status = 'sent')) AS unannounced`,
        [this.options.scoreThreshold],
      );
    const duplicateRows = Number(counts.leads) - present + (Number(counts.enrichments) - Number(counts.enriched_leads));
    const idsByAnnouncement = new Map<string, Set<string>>();
    for (const w of this.webhooks.received) {
      const key = `${w.body.lead.id} ${w.body.rule}`;
      const set = idsByAnnouncement.get(key) ?? new Set<string>();
      set.add(w.id);
      idsByAnnouncement.set(key, set);
    }
    const multiIds = [...idsByAnnouncement.values()].filter((s) => s.size > 1).length;
    const stats: SimulatorStats = this.simulator.stats();
    const credits = (endpoints: string[]) =>
      endpoints.reduce((sum, e) => sum + (stats.byEndpoint[e as keyof SimulatorStats['byEndpoint']]?.creditsCharged ?? 0), 0);
    return {
      id: this.env.id,
      startedAt,
      leadsPosted: this.posted,
      accepted: ids.length,
      byStatus,
      lost: missingRows + notTerminal,
      missingRows,
      notTerminal,
      duplicateRows,
      duplicateNotifications: Number(counts.dup_notifications) + multiIds,
      notificationRowsSent: Number(counts.sent),
      notificationRowsOther: Number(counts.other),
      unannounced: Number(counts.unannounced),
      webhookPosts: this.webhooks.received.length,
      distinctWebhookIds: new Set(this.webhooks.received.map((w) => w.id)).size,
      provider: {
        calls: stats.totals.calls,
        ok: stats.totals.ok,
        notFound: stats.totals.notFound,
        serverErrors: stats.totals.serverErrors,
        timeouts: stats.totals.timeouts,
        rateLimited: stats.totals.rateLimited,
        credits: stats.totals.creditsCharged,
        personCredits: credits(['profile', 'profileByUrl', 'reverseLookup']),
        companyCredits: credits(['companyDetails', 'companyByDomain']),
      },
      uniqueIdentities: uniqueIdentities(this.posted),
      repeatPurchases: repeatPurchases(this.purchases, faults, startedAt),
      faults,
      baseline,
      finalDrainMs,
      wallMs: Date.now() - startedAt,
      postingMs,
      logDir: this.logDir,
    };
  }

  /** Kills the services and removes everything the run created (service logs stay): nothing of it is kept, so nothing needs a graceful stop. */
  async tearDown(): Promise<void> {
    this.stopPosting = true;
    await Promise.all([...this.services.values()].map((service) => service.kill().catch(() => undefined)));
    await this.simulator?.close().catch(() => undefined);
    await this.webhooks.stop().catch(() => undefined);
    await this.env?.db?.destroy().catch(() => undefined);
    await this.redis.destroy().catch(() => undefined);
    await this.postgres.destroy().catch(() => undefined);
    await this.broker.kill().catch(() => undefined);
    await this.broker.destroy().catch(() => undefined);
  }
}


/** The report as printed by the benchmark. */
export function formatChaosReport(r: ChaosReport): string {
  const lines = [
    `Chaos run ${r.id}`,
    '',
    '| fault | injected at | down | drain after it | leads accepted during / by its end | not terminal at its end | dead-lettered so far |',
    '|---|---|---|---|---|---|---|',
    `| none (baseline) | 0 s | - | ${seconds(r.baseline.drainMs)} | ${r.baseline.leads} / ${r.baseline.leads} | ${r.baseline.backlog ?? '?'} | - |`,
    ...r.faults.map(
      (f) => `| ${f.fault} | ${seconds(f.startedAt - r.startedAt)} | ${seconds(f.downMs)} | ${seconds(f.drainMs)} | ${f.acceptedDuring} / ${f.acceptedAtEnd} | ${f.backlogAtEnd ?? '?'} | ${f.deadLetteredAfter ?? '?'} |`,
    ),
    '',
    `leads posted                   ${r.leadsPosted}`,
    `leads accepted (202)           ${r.accepted}`,
    ...TERMINAL_STATES.map((s) => `  ${s.padEnd(29)}${r.byStatus[s] ?? 0}`),
    `leads lost                     ${r.lost}  (no row ${r.missingRows}, not terminal ${r.notTerminal})`,
    `duplicate rows                 ${r.duplicateRows}`,
    `duplicate notifications        ${r.duplicateNotifications}  (rows per (lead, channel, rule) > 1, or one announcement under two webhook-ids)`,
    `notifications sent (rows)      ${r.notificationRowsSent}  (other states ${r.notificationRowsOther}, qualifying leads unannounced ${r.unannounced})`,
    `webhook POSTs received         ${r.webhookPosts}  (distinct webhook-ids ${r.distinctWebhookIds}; same-id redeliveries ${r.webhookPosts - r.distinctWebhookIds})`,
    `provider calls                 ${r.provider.calls}  (ok ${r.provider.ok}, 404 ${r.provider.notFound}, 5xx ${r.provider.serverErrors}, 429 ${r.provider.rateLimited})`,
    `credits charged                ${r.provider.credits}  (person ${r.provider.personCredits}, company ${r.provider.companyCredits})`,
    `unique identities              ${r.uniqueIdentities}  (person credits / identity ${(r.provider.personCredits / Math.max(1, r.uniqueIdentities)).toFixed(3)})`,
    `bought more than once          ${r.repeatPurchases.identities} identities, ${r.repeatPurchases.extra} extra person credits${
      r.repeatPurchases.extra > 0 ? `: ${Object.entries(r.repeatPurchases.byWindow).map(([w, n]) => `${n} ${w}`).join(', ')}` : ''
    }${r.repeatPurchases.afterUndelivered > 0 ? `, ${r.repeatPurchases.afterUndelivered} after an answer the enricher never received` : ''}`,
    ...r.repeatPurchases.examples.map(
      (e) => `  ${e.identity} charged at ${e.charges.map((c) => `${c.at} s${c.delivered ? '' : ' (never received)'}`).join(', ')}`,
    ),
    `final drain                    ${seconds(r.finalDrainMs)}`,
    `posting                        ${seconds(r.postingMs)}`,
    `wall time                      ${seconds(r.wallMs)}`,
    `service logs                   ${r.logDir}`,
  ];
  return lines.join('\n');
}

/** Parses `a,b,c` (or `all`) into fault names, refusing unknown ones. */
export function parseFaults(text: string): ChaosFault[] {
  if (text.trim() === 'all') return [...CHAOS_FAULTS];
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((s) => (s === 'kill-services' ? ['kill-ingest', 'kill-enricher', 'kill-validator', 'kill-notifier'] : [s]));
  const unknown = names.filter((n) => !(CHAOS_FAULTS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown fault(s) ${unknown.join(', ')}; known: ${CHAOS_FAULTS.join(', ')}, kill-services, all`);
  return names as ChaosFault[];
}
