import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, ValidatorEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { PersistenceModule } from '@leadpipe/persistence';
import { HealthModule, loggingModule } from '@leadpipe/observability';
import { DeadLetterService } from './dead-letter.service';
import { LeadEnrichedConsumer } from './lead-enriched.consumer';
import { ValidationService } from './validation.service';

@Module({})
export class ValidatorModule {
  static register(config: ValidatorEnv): DynamicModule {
    return {
      module: ValidatorModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggingModule('validator', config.LOG_LEVEL),
        PersistenceModule.forRoot(),
        KafkaModule.forRoot(),
        HealthModule.forRoot({ service: 'validator' }),
      ],
      controllers: [LeadEnrichedConsumer],
      providers: [ValidationService, DeadLetterService],
    };
  }
}
