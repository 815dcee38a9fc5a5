import { DynamicModule, INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { Kafka } from 'kafkajs';
import { CommonEnv } from '@leadpipe/config';
import { topicName } from '@leadpipe/contracts';
import { ConsumerMetrics, MetricsRegistry, ReadinessRegistry, startTracing, stopTracing } from '@leadpipe/observability';
import { KAFKA } from './kafka.module';
import { consumerGroupId } from './batch-consumer';
import { EventPublisher } from './event-publisher';
import { KafkaBatchTransport } from './kafka-batch.transport';
import { ConsumptionControl } from './consumption-control';

export interface ConsumerServiceOptions {
  module: DynamicModule;
  config: CommonEnv;
  /** HTTP port for health and metrics. */
  port: number;
  group: string;
  stage: string;
  maxBatchSize?: number;
  /** Overrides KAFKA_PARTITIONS_CONCURRENTLY for this service. */
  partitionsConsumedConcurrently?: number;
  /** Handle the slices of concurrently consumed partitions in one call (see `BatchConsumerOptions`). */
  coalescePartitions?: boolean;
  maxAttempts?: number;
  retryBaseMs?: number;
}

/**
 * Boots a Kafka-consuming service: a hybrid Nest app whose HTTP side serves health and
 * metrics (the consumer's outcomes and lag among them) and whose microservice side is the
 * batch transport. SIGTERM drains: the consumer finishes its slice, commits and leaves the
 * group before connections close.
 */
export async function bootstrapConsumerService(options: ConsumerServiceOptions): Promise<void> {
  try {
    // Before anything else, so every span the service starts goes to the exporter (off unless configured).
    startTracing(options.group, options.config);
    const app = await NestFactory.create(options.module, { bufferLogs: true });
    const logger = app.get(Logger);
    app.useLogger(logger);
    closeOnSignal(app, options.config.SHUTDOWN_TIMEOUT_MS);
    const kafkaLogger = new NestLogger(`consumer:${options.group}`);
    const kafka = app.get<Kafka>(KAFKA);
    const namespace = options.config.KAFKA_NAMESPACE;
    let lanes: () => string[] = () => [options.group];
    const metrics = new ConsumerMetrics(app.get(MetricsRegistry), {
      groupId: consumerGroupId(namespace, options.group),
      stage: options.stage,
      lagGroupIds: () => lanes().map((group) => consumerGroupId(namespace, group)),
      admin: () => kafka.admin(),
    });
    const transport = new KafkaBatchTransport({
      kafka,
      namespace,
      group: options.group,
      stage: options.stage,
      publisher: app.get(EventPublisher),
      logger: {
        debug: (message, extra) => kafkaLogger.debug({ msg: message, ...extra }),
        log: (message, extra) => kafkaLogger.log({ msg: message, ...extra }),
        warn: (message, extra) => kafkaLogger.warn({ msg: message, ...extra }),
        error: (message, extra) => kafkaLogger.error({ msg: message, ...extra }),
      },
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? options.config.KAFKA_PARTITIONS_CONCURRENTLY,
      sessionTimeoutMs: options.config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: options.config.KAFKA_HEARTBEAT_INTERVAL_MS,
      fetchMinBytes: options.config.KAFKA_FETCH_MIN_BYTES,
      fetchMaxWaitMs: options.config.KAFKA_FETCH_MAX_WAIT_MS,
      commitIntervalMs: options.config.KAFKA_COMMIT_INTERVAL_MS,
      maxBatchSize: options.maxBatchSize,
      coalescePartitions: options.coalescePartitions,
      maxAttempts: options.maxAttempts,
      retryBaseMs: options.retryBaseMs,
      onOutcome: (topicKey, outcome) => metrics.countOutcome(topicName(topicKey, namespace), outcome),
      onHandlerDuration: (topicKey, seconds) => metrics.observeBatch(topicName(topicKey, namespace), seconds),
      onDeadLetter: (_topicKey, code) => metrics.countDeadLetter(code),
      control: app.get(ConsumptionControl),
    });
    lanes = () => (transport.groups.length > 0 ? transport.groups : [options.group]);
    app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
    app.get(ReadinessRegistry).register({ name: `consumer:${options.group}`, isReady: () => transport.isReady });
    await app.init();
    await app.startAllMicroservices();
    await app.listen(options.port, '0.0.0.0');
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  }
}

/**
 * SIGTERM/SIGINT close the app (consumers drain and commit, then connections close) and
 * exit 0. A drain that cannot finish (the broker is gone, say) must not outlive the grace
 * period: after `timeoutMs` the process exits 1 anyway; uncommitted work is redelivered.
 */
export function closeOnSignal(app: INestApplication, timeoutMs: number): void {
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      setTimeout(() => {
        console.error(`shutdown did not finish within ${timeoutMs} ms; exiting`);
        process.exit(1);
      }, timeoutMs).unref();
      app
        .close()
        // Spans still buffered are exported before the process goes.
        .then(() => stopTracing())
        .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
    });
  }
}
