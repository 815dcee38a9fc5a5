/**
 * Every topic the pipeline uses, with its version in the name. Services never type topic
 * strings by hand: they take them from here, resolved through {@link topicName} so that a
 * deployment (or a test suite) can namespace them.
 */
export const TOPICS = {
  leadReceived: 'leads.received.v1',
  /** High-priority leads (by the producer, or by ingest's rules): enriched first when both wait. */
  leadReceivedPriority: 'leads.received.priority.v1',
  leadEnriched: 'leads.enriched.v1',
  leadValidated: 'leads.validated.v1',
  deadLetter: 'leads.dlq.v1',
  /**
   * Non-blocking retries of enrichment: a lead whose provider call failed transiently waits
   * in retry topic n (delay `ENRICHER_RETRY_BASE_MS × 2^(n-1)`, with jitter) while its
   * partition of `leads.received` moves on. Same payload as `leads.received`.
   */
  enrichRetry1: 'leads.enrich.retry.1.v1',
  enrichRetry2: 'leads.enrich.retry.2.v1',
  enrichRetry3: 'leads.enrich.retry.3.v1',
  /** Operator alerts (provider account trouble, breaker state), delivered by the notifier. */
  opsAlert: 'ops.alerts.v1',
} as const;

export type TopicKey = keyof typeof TOPICS;

/** Partition counts created by the local broker script and by the services' topic check. */
export const TOPIC_PARTITIONS: Record<TopicKey, number> = {
  leadReceived: 6,
  leadReceivedPriority: 3,
  leadEnriched: 6,
  leadValidated: 6,
  deadLetter: 3,
  enrichRetry1: 3,
  enrichRetry2: 3,
  enrichRetry3: 3,
  opsAlert: 1,
};

/** The retry chain of each topic that has one, in order. */
export const RETRY_CHAINS: Partial<Record<TopicKey, readonly TopicKey[]>> = {
  leadReceived: ['enrichRetry1', 'enrichRetry2', 'enrichRetry3'],
  leadReceivedPriority: ['enrichRetry1', 'enrichRetry2', 'enrichRetry3'],
};

/**
 * Priority lanes: a topic on the left is consumed by its own consumer (so it is fetched at
 * once, whatever the other topics' backlog) and its work goes ahead of the topics on the right
 * (the enricher's rate limiter gives its callers the next tokens).
 */
export const PRIORITY_OVER: Partial<Record<TopicKey, readonly TopicKey[]>> = {
  leadReceivedPriority: ['leadReceived'],
};

/** Resolves a topic key to its physical name: `<namespace>.<name>` when a namespace is set. */
export function topicName(key: TopicKey, namespace = ''): string {
  return namespace ? `${namespace}.${TOPICS[key]}` : TOPICS[key];
}
