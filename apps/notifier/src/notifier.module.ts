import { DynamicModule, Module, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfigModule, NotifierEnv } from '@leadpipe/config';
import { KafkaModule } from '@leadpipe/kafka';
import { PersistenceModule } from '@leadpipe/persistence';
import { databaseProbe, HealthModule, loggingModule, ReadinessRegistry } from '@leadpipe/observability';
import { LeadValidatedConsumer } from './lead-validated.consumer';
import { NotificationService } from './notification.service';

@Module({})
export class NotifierModule implements OnApplicationBootstrap {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  static register(config: NotifierEnv): DynamicModule {
    return {
      module: NotifierModule,
      imports: [
        AppConfigModule.forRoot(config),
        loggingModule('notifier', config.LOG_LEVEL),
        PersistenceModule.forRoot(),
        KafkaModule.forRoot(),
        HealthModule.forRoot(),
      ],
      controllers: [LeadValidatedConsumer],
      providers: [NotificationService],
    };
  }

  onApplicationBootstrap(): void {
    this.readiness.register(databaseProbe(this.db));
  }
}
