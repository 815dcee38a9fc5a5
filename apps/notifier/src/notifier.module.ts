import { DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, NotifierEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { PersistenceModule } from '@leadpipe/persistence';
import { HealthModule, loggingModule } from '@leadpipe/observability';
import { LeadValidatedConsumer } from './lead-validated.consumer';
import { channelsFor, NOTIFICATION_CHANNELS, NOTIFICATION_RULES, NotificationService } from './notification.service';
import { OpsAlertConsumer } from './ops-alert.consumer';
import { OpsAlertService } from './ops-alert.service';
import { NotificationRules } from './rules/notification-rules';

@Module({})
export class NotifierModule {
  static register(config: NotifierEnv, rules: NotificationRules): DynamicModule {
    return {
      module: NotifierModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggingModule('notifier', config.LOG_LEVEL),
        PersistenceModule.forRoot(),
        KafkaModule.forRoot(),
        HealthModule.forRoot({ service: 'notifier' }),
      ],
      controllers: [LeadValidatedConsumer, OpsAlertConsumer],
      providers: [
        { provide: NOTIFICATION_RULES, useValue: rules },
        { provide: NOTIFICATION_CHANNELS, useValue: channelsFor(config) },
        NotificationService,
        OpsAlertService,
      ],
    };
  }
}
