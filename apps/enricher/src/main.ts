import 'reflect-metadata';
import { enricherEnvSchema, loadConfig } from '@leadpipe/config';
import { bootstrapConsumerService } from '@leadpipe/kafka';
import { EnricherModule } from './enricher.module';

const config = loadConfig(enricherEnvSchema);
void bootstrapConsumerService({
  module: EnricherModule.register(config),
  config,
  port: config.ENRICHER_PORT,
  group: 'enricher',
  stage: 'enricher',
  maxBatchSize: 100,
  partitionsConsumedConcurrently: config.ENRICHER_PARTITIONS_CONCURRENTLY,
  retryBaseMs: config.ENRICHER_RETRY_BASE_MS,
});
