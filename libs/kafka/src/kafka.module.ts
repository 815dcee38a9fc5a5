import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { CommonEnv, APP_CONFIG } from '@leadpipe/config';
import { createKafka, parseBrokers } from './kafka.factory';
import { EventPublisher } from './event-publisher';
import { ensureTopics } from './topic-admin';
import { ConsumptionControl } from './consumption-control';

export const KAFKA = Symbol('KAFKA');

/** Connects the publisher at boot and disconnects it only after consumers have drained. */
@Injectable()
class PublisherLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Kafka');

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: CommonEnv,
    private readonly publisher: EventPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const created = await ensureTopics(this.kafka, this.config.KAFKA_NAMESPACE, this.config.KAFKA_REPLICATION_FACTOR);
      if (created.length > 0) this.logger.log(`created topics ${created.join(', ')}`);
      await this.publisher.connect();
    } catch (error) {
      // A service must be able to start while the broker is away (ingest keeps accepting into
      // its outbox); the publisher connects on first use and consumers retry on their own.
      this.logger.warn(`Kafka unavailable at start (${error instanceof Error ? error.message : String(error)}); will connect on first use`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        {
          provide: KAFKA,
          inject: [APP_CONFIG],
          useFactory: (config: CommonEnv) => {
            const logger = new Logger('kafkajs');
            return createKafka({
              brokers: parseBrokers(config.KAFKA_BROKERS),
              clientId: config.KAFKA_CLIENT_ID,
              log: (level, message, extra) =>
                level === 'error' ? logger.error(message, extra) : logger.warn(message, extra),
            });
          },
        },
        {
          provide: EventPublisher,
          inject: [KAFKA, APP_CONFIG],
          useFactory: (kafka: Kafka, config: CommonEnv) => new EventPublisher(kafka, config.KAFKA_NAMESPACE, config.KAFKA_PRODUCE_MAX_BYTES),
        },
        PublisherLifecycle,
        ConsumptionControl,
      ],
      exports: [KAFKA, EventPublisher, ConsumptionControl],
    };
  }
}
