import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, IngestEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { PersistenceModule } from '@leadpipe/persistence';
import { HealthModule, loggingModule } from '@leadpipe/observability';
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
        HealthModule.forRoot(),
      ],
      controllers: [LeadsController],
      providers: [LeadsService, OutboxRelayService],
    };
  }
}
