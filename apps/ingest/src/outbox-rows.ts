import { randomUUID } from 'node:crypto';
import { DeadLetter, EVENT_SCHEMAS, HEADERS, TopicKey, TOPICS, topicName } from '@leadpipe/contracts';
import { OutgoingEvent } from '@leadpipe/kafka';

/** One outbox row as the relay reads it. */
export interface OutboxRow {
  id: string;
  topic_key: string;
  message_key: string | null;
  payload: unknown;
  headers: Record<string, string>;
}

/**
 * Every topic the relay sends to, in the order a batch is sent: priority leads first (they are
 * waited for), then the rest in catalogue order. Rows of a key not listed here (written by a
 * newer version during a rolling deploy) are left for a replica that knows it.
 */
export const RELAY_ORDER: readonly TopicKey[] = [
  'leadReceivedPriority',
  ...(Object.keys(TOPICS) as TopicKey[]).filter((key) => key !== 'leadReceivedPriority'),
];

export interface TriagedRows {
  /** Rows whose payload satisfies their topic's schema, by topic, in {@link RELAY_ORDER}. */
  relayable: Array<[TopicKey, OutboxRow[]]>;
  /** Rows the publisher would refuse: sending them would fail the whole batch, every time. */
  poison: Array<{ row: OutboxRow; reason: string }>;
}

/**
 * Splits a batch into what can be sent and what never could. Every writer validates before it
 * writes, so poison only appears when a schema became stricter while rows waited (a deploy
 * during a broker outage); without this one such row would hold back every row after it.
 */
export function triageOutboxRows(rows: readonly OutboxRow[]): TriagedRows {
  const byTopic = new Map<TopicKey, OutboxRow[]>();
  const poison: TriagedRows['poison'] = [];
  for (const row of rows) {
    const topicKey = row.topic_key as TopicKey;
    const schema = RELAY_ORDER.includes(topicKey) ? EVENT_SCHEMAS[topicKey] : undefined;
    if (!schema) {
      poison.push({ row, reason: `outbox row ${row.id}: unknown topic key ${row.topic_key}` });
      continue;
    }
    const parsed = schema.safeParse(row.payload);
    if (parsed.success) byTopic.set(topicKey, [...(byTopic.get(topicKey) ?? []), row]);
    else {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      poison.push({ row, reason: `outbox row ${row.id}: payload fails the ${TOPICS[topicKey]} schema: ${issues}` });
    }
  }
  return { relayable: RELAY_ORDER.filter((key) => byTopic.has(key)).map((key) => [key, byTopic.get(key)!]), poison };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A poison row as a dead letter of stage `ingest`: recorded and shown by `/api/dead-letters`
 * like any other, its lead marked `dead_lettered`. The origin is the topic it was meant for,
 * partition -1 and offset `outbox:<row id>` (it never reached Kafka), which also makes a
 * second publish of the same row (a relay that crashed before deleting it) recorded once.
 */
export function outboxDeadLetter(row: OutboxRow, reason: string, namespace: string, now = new Date()): OutgoingEvent<'deadLetter'> {
  const payload = row.payload as { leadId?: unknown } | null;
  const leadId = payload && typeof payload.leadId === 'string' && UUID.test(payload.leadId) ? payload.leadId : null;
  const known = (Object.keys(TOPICS) as string[]).includes(row.topic_key);
  const originTopic = known ? topicName(row.topic_key as TopicKey, namespace) : row.topic_key;
  const at = now.toISOString();
  const value: DeadLetter = {
    schemaVersion: 1,
    eventId: randomUUID(),
    leadId,
    stage: 'ingest',
    reason: reason.slice(0, 4000),
    errorCode: 'schema_invalid',
    originTopic,
    originPartition: -1,
    originOffset: `outbox:${row.id}`,
    attempts: 1,
    firstFailureAt: at,
    failedAt: at,
    key: row.message_key,
    payload: JSON.stringify(row.payload),
    payloadEncoding: 'utf8',
  };
  return {
    key: row.message_key,
    value,
    headers: {
      [HEADERS.correlationId]: row.headers[HEADERS.correlationId] ?? randomUUID(),
      [HEADERS.originTopic]: originTopic,
      [HEADERS.originPartition]: '-1',
      [HEADERS.originOffset]: value.originOffset,
      [HEADERS.attempts]: '1',
      [HEADERS.firstFailureAt]: at,
      [HEADERS.error]: reason.slice(0, 1000),
      [HEADERS.stage]: 'ingest',
    },
  };
}
