import 'reflect-metadata';
import { loadConfig, notifierEnvSchema } from '@leadpipe/config';
import { bootstrapConsumerService } from '@leadpipe/kafka';
import { NotifierModule } from './notifier.module';
import { loadRules, NotificationRules, RulesFileError } from './rules/notification-rules';

const config = loadConfig(notifierEnvSchema);
let rules: NotificationRules;
try {
  rules = loadRules(config);
} catch (error) {
  if (!(error instanceof RulesFileError)) throw error;
  // Like an invalid environment: stop the boot, saying where in the file and why.
  console.error(error.message);
  process.exit(1);
}
void bootstrapConsumerService({
  module: NotifierModule.register(config, rules),
  config,
  port: config.NOTIFIER_PORT,
  group: 'notifier',
  stage: 'notifier',
  // One transaction and one produce for the slices of the partitions fetched together.
  coalescePartitions: true,
  // Notifier topics have no retry chain: failed deliveries retry in place, with exponential back-off.
  maxAttempts: config.NOTIFIER_MAX_ATTEMPTS,
  retryBaseMs: config.NOTIFIER_RETRY_BASE_MS,
});
