import { DynamicModule, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfigModule, APP_CONFIG, EnricherEnv } from '@leadpipe/config';
import { ConsumptionControl, KafkaModule } from '@leadpipe/kafka';
import { NetrowsClient } from '@leadpipe/netrows';
import { REDIS, RedisModule } from '@leadpipe/persistence';
import { HealthModule, loggingModule } from '@leadpipe/observability';
import { CreditBudget, parseCreditCosts } from './credit-budget';
import { EnricherMetrics } from './enricher.metrics';
import { EnrichmentCache } from './enrichment-cache';
import { EnrichmentService, QUALIFICATION_RULES } from './enrichment.service';
import { qualificationRulesFrom } from './lead-qualifier';
import { LeadReceivedConsumer } from './lead-received.consumer';
import { NetrowsEnrichmentProvider } from './netrows-enrichment.provider';
import { OpsAlerts } from './ops-alerts';
import { ProviderGuard } from './provider-guard';
import { CallPriority, LimiterUnavailableError, RedisRateLimiter } from './rate-limiter';
import { RedisSuppressionList } from './suppression-list';

export function netrowsClientFrom(config: EnricherEnv): NetrowsClient {
  return new NetrowsClient({
    baseUrl: config.NETROWS_BASE_URL,
    apiKey: config.NETROWS_API_KEY,
    timeoutMs: config.NETROWS_TIMEOUT_MS,
    paths: {
      profile: config.NETROWS_PATH_PROFILE,
      profileByUrl: config.NETROWS_PATH_PROFILE_BY_URL,
      reverseLookup: config.NETROWS_PATH_REVERSE_LOOKUP,
      companyDetails: config.NETROWS_PATH_COMPANY_DETAILS,
      companyByDomain: config.NETROWS_PATH_COMPANY_BY_DOMAIN,
    },
    params: {
      profileUsername: config.NETROWS_PARAM_PROFILE_USERNAME,
      profileUrl: config.NETROWS_PARAM_PROFILE_URL,
      reverseLookupEmail: config.NETROWS_PARAM_REVERSE_LOOKUP_EMAIL,
      companyDetailsId: config.NETROWS_PARAM_COMPANY_DETAILS_ID,
      companyDomain: config.NETROWS_PARAM_COMPANY_DOMAIN,
    },
  });
}

@Module({})
export class EnricherModule {
  static register(config: EnricherEnv): DynamicModule {
    return {
      module: EnricherModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggingModule('enricher', config.LOG_LEVEL),
        RedisModule.forRoot(),
        KafkaModule.forRoot(),
        HealthModule.forRoot({ service: 'enricher' }),
      ],
      controllers: [LeadReceivedConsumer],
      providers: [
        OpsAlerts,
        EnricherMetrics,
        {
          provide: ProviderGuard,
          inject: [APP_CONFIG, ConsumptionControl, OpsAlerts, EnricherMetrics],
          useFactory: (cfg: EnricherEnv, control: ConsumptionControl, alerts: OpsAlerts, metrics: EnricherMetrics) => {
            const guard = new ProviderGuard(
              {
                provider: 'netrows',
                windowMs: cfg.NETROWS_BREAKER_WINDOW_MS,
                volumeThreshold: cfg.NETROWS_BREAKER_VOLUME_THRESHOLD,
                errorPercentage: cfg.NETROWS_BREAKER_ERROR_PERCENTAGE,
                resetTimeoutMs: cfg.NETROWS_BREAKER_RESET_TIMEOUT_MS,
                consecutiveFailures: cfg.NETROWS_BREAKER_CONSECUTIVE_FAILURES,
                accountProbeIntervalMs: cfg.NETROWS_ACCOUNT_PROBE_INTERVAL_MS,
              },
              control,
              alerts,
            );
            metrics.readBreakerStateFrom(() => guard.state);
            return guard;
          },
        },
        {
          provide: RedisSuppressionList,
          inject: [REDIS, APP_CONFIG],
          useFactory: (redis: Redis, cfg: EnricherEnv) => new RedisSuppressionList(redis, cfg.SUPPRESSION_PEPPER),
        },
        {
          provide: NetrowsEnrichmentProvider,
          inject: [REDIS, APP_CONFIG, ProviderGuard, EnricherMetrics, ConsumptionControl, OpsAlerts, RedisSuppressionList],
          useFactory: (
            redis: Redis,
            cfg: EnricherEnv,
            guard: ProviderGuard,
            metrics: EnricherMetrics,
            control: ConsumptionControl,
            alerts: OpsAlerts,
            suppressions: RedisSuppressionList,
          ) => {
            const cache = new EnrichmentCache(redis, {
              ttlDays: cfg.ENRICHER_CACHE_TTL_DAYS,
              notFoundTtlDays: cfg.ENRICHER_NOT_FOUND_TTL_DAYS,
              onLookup: (key, result) => metrics.cacheRequests.inc({ kind: key.split(':')[0], result }),
              suppressionSetKey: suppressions.key,
              recentAnswers: { maxBytes: cfg.ENRICHER_RECENT_ANSWERS_MB * 1024 * 1024, ttlMs: cfg.ENRICHER_RECENT_ANSWERS_TTL_SECONDS * 1000 },
            });
            // One bucket for the account, whatever the number of replicas or keys.
            const limiter = new RedisRateLimiter(redis, 'ratelimit:netrows', cfg.NETROWS_RATE_LIMIT_PER_MINUTE, cfg.NETROWS_RATE_LIMIT_HEADROOM_MS);
            metrics.reportRateLimit(cfg.NETROWS_RATE_LIMIT_PER_MINUTE);
            const gate = async (priority: CallPriority) => {
              try {
                metrics.rateLimitWait.observe((await limiter.acquire(priority)) / 1000);
              } catch (error) {
                if (error instanceof LimiterUnavailableError) metrics.rateLimitUnavailable.inc();
                throw error;
              }
            };
            const recorder = {
              record: (endpoint: string, outcome: string, seconds: number) => {
                const labels = { provider: 'netrows', endpoint };
                metrics.providerCalls.inc({ ...labels, outcome });
                metrics.providerDuration.observe(labels, seconds);
                // Charged: answers and misses (Netrows charges a 404); refused or failed calls are not.
                if (outcome === 'found' || outcome === 'not_found') metrics.providerCredits.inc(labels);
              },
            };
            const budget = new CreditBudget(
              redis,
              cfg.NETROWS_DAILY_CREDIT_BUDGET,
              parseCreditCosts(cfg.NETROWS_CREDIT_COSTS),
              control,
              alerts,
            );
            metrics.readCreditBudgetFrom(budget);
            return new NetrowsEnrichmentProvider(netrowsClientFrom(cfg), cache, gate, guard, recorder, budget, suppressions);
          },
        },
        { provide: QUALIFICATION_RULES, inject: [APP_CONFIG], useFactory: (cfg: EnricherEnv) => qualificationRulesFrom(cfg) },
        EnrichmentService,
      ],
    };
  }
}
