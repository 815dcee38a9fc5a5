import { resolve } from 'node:path';
import type { TopicConfigs } from '@leadpipe/kafka';
import { freePort, IsolatedEnv, ServiceName, ServiceProcess } from '../../tools/harness';

/** An IsolatedEnv on the local infrastructure, as configured for the test run. */
export class TestEnv extends IsolatedEnv {
  /** `brokers` defaults to KAFKA_BROKERS (the shared local broker); `topicConfigs` are set when the topics are created. */
  constructor(options: { brokers?: string; topicConfigs?: TopicConfigs } = {}) {
    super({
      topicConfigs: options.topicConfigs,
      brokers: options.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/leadpipe',
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
      serviceLogLevel: process.env.TEST_SERVICE_LOG_LEVEL ?? 'warn',
    });
  }

  /** Starts one compiled service of this suite on a free port (its log in `.run/test-logs/<id>`); resolves once it is ready. */
  async startService(name: ServiceName, extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = new ServiceProcess(name, await freePort(), this.serviceEnv(extraEnv), resolve(__dirname, '../../.run/test-logs', this.id));
    await service.start();
    return service;
  }
}
