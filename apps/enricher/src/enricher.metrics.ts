import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { ConsumptionControl } from '@leadpipe/kafka';
import { MetricsRegistry, ScrapeSnapshot } from '@leadpipe/observability';

/** What the credit-budget gauges read: the shared daily budget (see `CreditBudget`). */
export interface CreditBudgetReader {
  /** The daily limit in credits; 0 when no budget is configured. */
  readonly limit: number;
  /** Credits used today, read from Redis. */
  usedToday(): Promise<number>;
}

/** The enricher's metrics (see docs/metrics.md): what the paid API costs and why it waits. */
@Injectable()
export class EnricherMetrics {
  readonly providerCalls: Counter<'provider' | 'endpoint' | 'outcome'>;
  readonly providerCredits: Counter<'provider' | 'endpoint'>;
  readonly providerDuration: Histogram<'provider' | 'endpoint'>;
  readonly rateLimitWait: Histogram;
  readonly rateLimitUnavailable: Counter;
  readonly cacheRequests: Counter<'kind' | 'result'>;
  readonly breakerState: Gauge<'provider'>;
  private breakerStateOf: () => number = () => 0;
  private rateLimitPerMinute?: number;
  private budget?: { reader: CreditBudgetReader; snapshot: ScrapeSnapshot<number> };
  private readonly logger = new Logger(EnricherMetrics.name);

  constructor(registry: MetricsRegistry, control: ConsumptionControl) {
    const registers = [registry];
    this.providerCalls = new Counter({
      name: 'leadpipe_provider_calls_total',
      help: 'Calls to the paid provider by endpoint and outcome (found, not_found, or the error kind).',
      labelNames: ['provider', 'endpoint', 'outcome'],
      registers,
    });
    this.providerCredits = new Counter({
      name: 'leadpipe_provider_credits_total',
      help: 'Credits spent: one per charged call (answers and 404s; refused, rate-limited and failed calls are free).',
      labelNames: ['provider', 'endpoint'],
      registers,
    });
    this.providerDuration = new Histogram({
      name: 'leadpipe_provider_call_duration_seconds',
      help: 'Duration of provider calls, without the wait for a rate-limit token.',
      labelNames: ['provider', 'endpoint'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20],
      registers,
    });
    this.rateLimitWait = new Histogram({
      name: 'leadpipe_ratelimit_wait_seconds',
      help: 'Time spent waiting for a token of the shared rate limiter.',
      buckets: [0, 0.01, 0.1, 0.5, 1, 3, 10, 30, 60, 180],
      registers,
    });
    this.rateLimitUnavailable = new Counter({
      name: 'leadpipe_ratelimit_unavailable_total',
      help: 'Calls not made because the shared rate limiter (Redis) could not be asked (fail closed).',
      registers,
    });
    this.cacheRequests = new Counter({
      name: 'leadpipe_cache_requests_total',
      help: 'Enrichment cache lookups: hit, miss (a call was bought), joined (another caller was already buying it) or restored (Redis had lost it; the enricher still held it in memory).',
      labelNames: ['kind', 'result'],
      registers,
    });
    const breakerState = () => this.breakerStateOf();
    this.breakerState = new Gauge({
      name: 'leadpipe_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
      labelNames: ['provider'],
      registers,
      collect() {
        this.set({ provider: 'netrows' }, breakerState());
      },
    });
    new Gauge({
      name: 'leadpipe_enricher_paused',
      help: 'Whether consumption is paused, by reason (breaker_open, provider_unauthorized, provider_out_of_credits, budget_exhausted).',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const reason of ['breaker_open', 'provider_unauthorized', 'provider_out_of_credits', 'budget_exhausted']) {
          this.set({ reason }, control.pausedFor.has(reason) ? 1 : 0);
        }
      },
    });
    const rateLimit = () => this.rateLimitPerMinute;
    new Gauge({
      name: 'leadpipe_ratelimit_limit_per_minute',
      help: 'Provider calls a minute the shared rate limiter allows (NETROWS_RATE_LIMIT_PER_MINUTE).',
      labelNames: ['provider'],
      registers,
      collect() {
        const limit = rateLimit();
        if (limit !== undefined) this.set({ provider: 'netrows' }, limit);
      },
    });
    // The remaining credits come from one Redis read per scrape. No budget configured, no
    // series: a labelled gauge exports nothing until set, where an unlabelled one would say 0.
    const budget = () => this.budget;
    new Gauge({
      name: 'leadpipe_credit_budget_limit',
      help: 'The daily provider credit budget (NETROWS_DAILY_CREDIT_BUDGET); absent when there is none.',
      labelNames: ['provider'],
      registers,
      collect() {
        const source = budget();
        if (source) this.set({ provider: 'netrows' }, source.reader.limit);
      },
    });
    new Gauge({
      name: 'leadpipe_credit_budget_remaining',
      help: "Credits left in today's (UTC) daily budget, read from Redis on scrape; absent when there is no budget.",
      labelNames: ['provider'],
      registers,
      async collect() {
        const source = budget();
        if (!source) return;
        const used = await source.snapshot.get();
        if (used !== undefined) this.set({ provider: 'netrows' }, Math.max(0, source.reader.limit - used));
      },
    });
  }

  /** The configured per-minute limit of the shared rate limiter. */
  reportRateLimit(perMinute: number): void {
    this.rateLimitPerMinute = perMinute;
  }

  /**
   * The budget is created after the metrics; it tells them where to read today's spending. A
   * scrape waits at most 2 s for Redis and keeps the last value when it does not answer.
   */
  readCreditBudgetFrom(reader: CreditBudgetReader, options: { timeoutMs?: number } = {}): void {
    if (reader.limit <= 0) return;
    const snapshot = new ScrapeSnapshot(() => reader.usedToday(), {
      timeoutMs: options.timeoutMs,
      onError: (error) =>
        this.logger.warn(`credit budget unavailable, keeping the last value: ${error instanceof Error ? error.message : String(error)}`),
    });
    this.budget = { reader, snapshot };
  }

  /** The breaker is created after the metrics; it tells them how to read its state. */
  readBreakerStateFrom(read: () => number): void {
    this.breakerStateOf = read;
  }
}
