/** Kafka header names carried by every event (see docs/topics.md). */
export const HEADERS = {
  eventId: 'event-id',
  correlationId: 'correlation-id',
  schemaVersion: 'schema-version',
  // Set on dead letters.
  originTopic: 'origin-topic',
  originPartition: 'origin-partition',
  originOffset: 'origin-offset',
  attempts: 'attempts',
  firstFailureAt: 'first-failure-at',
  error: 'error',
  stage: 'stage',
  // Set on retries: epoch milliseconds before which the message must not be processed.
  notBefore: 'not-before',
} as const;
