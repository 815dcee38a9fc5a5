import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AppConfigModule, IngestEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { PersistenceModule } from '@leadpipe/persistence';
import { HealthModule, HttpMetricsInterceptor, loggingModule } from '@leadpipe/observability';
import { IngestMetrics } from './ingest.metrics';
import { LeadsController } from './leads.controller';
import { LeadsService } from './leads.service';
import { LeadEventsService } from './lead-events.service';
import { OutboxRelayService } from './outbox-relay.service';
import { WEBHOOK_CONTROLLERS, WEBHOOK_PROVIDERS } from './webhooks';
import { CsvImportService, ImportMetrics, ImportsController, ImportStore } from './imports';

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
      ],
      controllers: [LeadsController, ImportsController, ...WEBHOOK_CONTROLLERS],
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
      ],
    };
  }
}
