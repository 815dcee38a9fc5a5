import { DynamicModule, Module, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfigModule, ValidatorEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { PersistenceModule } from '@leadpipe/persistence';
import { databaseProbe, HealthModule, loggingModule, ReadinessRegistry } from '@leadpipe/observability';
import { DeadLetterService } from './dead-letter.service';
import { LeadEnrichedConsumer } from './lead-enriched.consumer';
import { ValidationService } from './validation.service';

@Module({})
export class ValidatorModule implements OnApplicationBootstrap {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  static register(config: ValidatorEnv): DynamicModule {
    return {
      module: ValidatorModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggingModule('validator', config.LOG_LEVEL),
        PersistenceModule.forRoot(),
        KafkaModule.forRoot(),
        HealthModule.forRoot(),
      ],
      controllers: [LeadEnrichedConsumer],
      providers: [ValidationService, DeadLetterService],
    };
  }

  onApplicationBootstrap(): void {
    this.readiness.register(databaseProbe(this.db));
  }
}
