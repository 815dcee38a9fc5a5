/**
 * Prepares the pipeline's shared state: creates the Kafka topics and the PostgreSQL database
 * and applies the migrations. Idempotent; run by the README's commands and by deployments
 * (as a Kubernetes Job) before the services start.
 */
import { commonEnvSchema, loadConfig } from '@leadpipe/config';
import { createKafka, ensureTopics, parseBrokers } from '@leadpipe/kafka';
import { migrate } from '@leadpipe/persistence';

async function main(): Promise<void> {
  const config = loadConfig(commonEnvSchema);
  const applied = await migrate(config.DATABASE_URL);
  const database = new URL(config.DATABASE_URL).pathname.slice(1);
  console.log(`database ${database}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`);
  const kafka = createKafka({ brokers: parseBrokers(config.KAFKA_BROKERS), clientId: `${config.KAFKA_CLIENT_ID}-setup` });
  const created = await ensureTopics(kafka, config.KAFKA_NAMESPACE, config.KAFKA_REPLICATION_FACTOR);
  console.log(`kafka topics: ${created.length > 0 ? `created ${created.join(', ')}` : 'all present'}`);
}

main().catch((error: unknown) => {
  console.error(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
