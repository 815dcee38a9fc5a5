import 'reflect-metadata';
import { loadConfig, validatorEnvSchema } from '@leadpipe/config';
import { bootstrapConsumerService } from '@leadpipe/kafka';
import { ValidatorModule } from './validator.module';

const config = loadConfig(validatorEnvSchema);
void bootstrapConsumerService({
  module: ValidatorModule.register(config),
  config,
  port: config.VALIDATOR_PORT,
  group: 'validator',
  stage: 'validator',
  // One transaction and one produce for the slices of the partitions fetched together.
  coalescePartitions: true,
});
