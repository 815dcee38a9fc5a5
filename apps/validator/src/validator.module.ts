import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, ValidatorEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { PersistenceModule } from '@leadpipe/persistence';
import { HealthModule, loggingModule } from '@leadpipe/observability';
import { DeadLetterService } from './dead-letter.service';
import { HistoryRetentionService } from './history-retention.service';
import { LeadEnrichedConsumer } from './lead-enriched.consumer';
import { loadScoringRules, SCORING_RULES } from './scoring-rules';
import { ValidationService } from './validation.service';

@Module({})
export class ValidatorModule {
  /** Throws ScoringRulesError when VALIDATOR_SCORING_FILE is unreadable or invalid: the boot stops. */
  static register(config: ValidatorEnv): DynamicModule {
    const rules = loadScoringRules(config.VALIDATOR_SCORING_FILE);
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
      providers: [ValidationService, DeadLetterService, HistoryRetentionService, { provide: SCORING_RULES, useValue: rules }],
    };
  }
}
