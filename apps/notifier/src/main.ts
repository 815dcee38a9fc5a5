import 'reflect-metadata';
import { loadConfig, notifierEnvSchema } from '@leadpipe/config';
import { bootstrapConsumerService } from '@leadpipe/kafka';
import { NotifierModule } from './notifier.module';

const config = loadConfig(notifierEnvSchema);
void bootstrapConsumerService({
  module: NotifierModule.register(config),
  config,
  port: config.NOTIFIER_PORT,
  group: 'notifier',
  stage: 'notifier',
  maxAttempts: config.NOTIFIER_MAX_ATTEMPTS,
  retryBaseMs: config.NOTIFIER_RETRY_BASE_MS,
});
