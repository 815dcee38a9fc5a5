import { DynamicModule, Module, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfigModule, IngestEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { PersistenceModule } from '@leadpipe/persistence';
import { databaseProbe, HealthModule, loggingModule, ReadinessRegistry } from '@leadpipe/observability';
import { LeadsController } from './leads.controller';
import { LeadsService } from './leads.service';
import { OutboxRelayService } from './outbox-relay.service';

@Module({})
export class IngestModule implements OnApplicationBootstrap {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

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

  onApplicationBootstrap(): void {
    // Ingest needs only PostgreSQL to accept leads: while Kafka is down they wait in the outbox.
    this.readiness.register(databaseProbe(this.db));
  }
}
