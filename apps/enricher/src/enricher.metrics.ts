import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { ConsumptionControl } from '@leadpipe/kafka';
import { MetricsRegistry } from '@leadpipe/observability';

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
      help: 'Enrichment cache lookups: hit, miss (a call was bought) or joined (another caller was already buying it).',
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
  }

  /** The breaker is created after the metrics; it tells them how to read its state. */
  readBreakerStateFrom(read: () => number): void {
    this.breakerStateOf = read;
  }
}
