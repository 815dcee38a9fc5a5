import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfigModule, IngestEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { PersistenceModule, REDIS, RedisModule } from '@leadpipe/persistence';
import { HealthModule, HttpMetricsInterceptor, loggingModule } from '@leadpipe/observability';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { ErasureModule } from './erasure/erasure.module';
import { ErasureController } from './erasure/erasure.controller';
import { IngestMetrics } from './ingest.metrics';
import { LeadsController } from './leads.controller';
import { LeadsService } from './leads.service';
import { LeadEventsService } from './lead-events.service';
import { OutboxRelayService } from './outbox-relay.service';
import { WEBHOOK_CONTROLLERS, WEBHOOK_PROVIDERS } from './webhooks';
import { CsvImportService, ImportMetrics, ImportsController, ImportStore } from './imports';
import { ApiKeyGuard, AuthenticatedRequest } from './auth/api-key.guard';
import { ApiKeyThrottlerGuard } from './auth/api-key-throttler.guard';

/** Every controller of ingest (the access-scope test walks them). */
export const INGEST_CONTROLLERS = [LeadsController, ImportsController, ...WEBHOOK_CONTROLLERS];
/** Controllers of ingest's feature modules (registered there; listed for the access-scope test). */
export const FEATURE_CONTROLLERS = [DeadLettersController, ErasureController];

@Module({})
export class IngestModule {
  static register(config: IngestEnv): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggingModule('ingest', config.LOG_LEVEL),
        PersistenceModule.forRoot(),
        KafkaModule.forRoot(),
        HealthModule.forRoot({ service: 'ingest' }),
        // Throttle counts, shared by every replica; throttling fails open, so Redis is no readiness dependency.
        RedisModule.forRoot({ readiness: false }),
        ThrottlerModule.forRootAsync({
          inject: [REDIS, APP_CONFIG],
          useFactory: (redis: Redis, cfg: IngestEnv) => ({
            throttlers: [
              {
                // 'default': the answers carry the standard Retry-After and X-RateLimit-* headers.
                name: 'default',
                ttl: 60_000,
                limit: (context) => context.switchToHttp().getRequest<AuthenticatedRequest>().apiKey?.rateLimitPerMinute ?? cfg.INGEST_THROTTLE_PER_MINUTE,
              },
            ],
            storage: new ThrottlerStorageRedisService(redis),
          }),
        }),
        DeadLettersModule,
        ErasureModule,
      ],
      controllers: INGEST_CONTROLLERS,
      providers: [
        LeadsService,
        LeadEventsService,
        OutboxRelayService,
        IngestMetrics,
        CsvImportService,
        ImportStore,
        ImportMetrics,
        ...WEBHOOK_PROVIDERS,
        { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
        // In this order: the key is known before the throttle counts it.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: ApiKeyThrottlerGuard },
      ],
    };
  }
}
