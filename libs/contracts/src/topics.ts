/**
 * Every topic the pipeline uses, with its version in the name. Services never type topic
 * strings by hand: they take them from here, resolved through {@link topicName} so that a
 * deployment (or a test suite) can namespace them.
 */
export const TOPICS = {
  leadReceived: 'leads.received.v1',
  leadEnriched: 'leads.enriched.v1',
  leadValidated: 'leads.validated.v1',
  deadLetter: 'leads.dlq.v1',
} as const;

export type TopicKey = keyof typeof TOPICS;

/** Partition counts created by the local broker script and by the services' topic check. */
export const TOPIC_PARTITIONS: Record<TopicKey, number> = {
  leadReceived: 6,
  leadEnriched: 6,
  leadValidated: 6,
  deadLetter: 3,
};

/** Resolves a topic key to its physical name: `<namespace>.<name>` when a namespace is set. */
export function topicName(key: TopicKey, namespace = ''): string {
  return namespace ? `${namespace}.${TOPICS[key]}` : TOPICS[key];
}
