import { Kafka, logLevel, LogEntry } from 'kafkajs';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /** Receives kafkajs' own log lines (warnings and errors only). */
  log?: (level: 'error' | 'warn', message: string, extra: Record<string, unknown>) => void;
}

export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

export function createKafka(options: KafkaConnectionOptions): Kafka {
  const sink = options.log;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    // Brokers come and go (restarts, rolling upgrades): keep trying instead of crashing.
    retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 10_000 },
    logCreator: () => (entry: LogEntry) => {
      // Bounded retries on the idempotent producer are a deliberate choice (see EventPublisher).
      if (!sink || entry.log.message.startsWith('Limiting retries for the idempotent producer')) return;
      const { message, ...extra } = entry.log;
      sink(entry.level === logLevel.ERROR ? 'error' : 'warn', `kafkajs ${entry.namespace}: ${message}`, extra);
    },
  });
}
