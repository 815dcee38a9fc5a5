import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AppConfigModule, IngestEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { PersistenceModule } from '@leadpipe/persistence';
import { HealthModule, HttpMetricsInterceptor, loggingModule } from '@leadpipe/observability';
import { ErasureModule } from './erasure/erasure.module';
import { IngestMetrics } from './ingest.metrics';
import { LeadsController } from './leads.controller';
import { LeadsService } from './leads.service';
import { OutboxRelayService } from './outbox-relay.service';

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
        ErasureModule,
      ],
      controllers: [LeadsController],
      providers: [LeadsService, OutboxRelayService, IngestMetrics, { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor }],
    };
  }
}
