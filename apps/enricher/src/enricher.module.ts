import { DynamicModule, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfigModule, APP_CONFIG, EnricherEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { NetrowsClient } from '@leadpipe/netrows';
import { REDIS, RedisModule } from '@leadpipe/persistence';
import { HealthModule, loggingModule } from '@leadpipe/observability';
import { EnrichmentCache } from './enrichment-cache';
import { EnrichmentService } from './enrichment.service';
import { LeadReceivedConsumer } from './lead-received.consumer';
import { NetrowsEnrichmentProvider } from './netrows-enrichment.provider';
import { RedisRateLimiter } from './rate-limiter';

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
        RedisModule,
        KafkaModule.forRoot(),
        HealthModule.forRoot(),
      ],
      controllers: [LeadReceivedConsumer],
      providers: [
        {
          provide: NetrowsEnrichmentProvider,
          inject: [REDIS, APP_CONFIG],
          useFactory: (redis: Redis, cfg: EnricherEnv) => {
            const cache = new EnrichmentCache(redis, {
              ttlDays: cfg.ENRICHER_CACHE_TTL_DAYS,
              notFoundTtlDays: cfg.ENRICHER_NOT_FOUND_TTL_DAYS,
            });
            // One bucket for the account, whatever the number of replicas or keys.
            const limiter = new RedisRateLimiter(redis, 'ratelimit:netrows', cfg.NETROWS_RATE_LIMIT_PER_MINUTE, cfg.NETROWS_RATE_LIMIT_MARGIN_MS);
            return new NetrowsEnrichmentProvider(netrowsClientFrom(cfg), cache, () => limiter.acquire());
          },
        },
        EnrichmentService,
      ],
    };
  }
}
