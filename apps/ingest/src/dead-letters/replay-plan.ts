import { EVENT_SCHEMAS, RETRY_CHAINS, TopicKey, TOPICS } from '@leadpipe/contracts';

/** What a replay needs to know about a stored dead letter. */
export interface ReplayableLetter {
  originTopic: string;
  messageKey: string | null;
  /** The failed message's value, as the bytes it had. */
  payload: Buffer;
  payloadEncoding: 'utf8' | 'base64';
}

export type ReplayPlan =
  | {
      ok: true;
      /** Where the event goes back to: the origin, or the head of the origin's retry chain. */
      topicKey: TopicKey;
      key: string | null;
      /** The event as its topic's schema parsed it (defaults filled in): what the relay will send. */
      event: Record<string, unknown>;
    }
  | { ok: false; reason: string };

const TOPIC_KEY_BY_NAME = new Map<string, TopicKey>((Object.entries(TOPICS) as Array<[TopicKey, string]>).map(([key, name]) => [name, key]));
const RETRY_TOPICS = new Set<TopicKey>(Object.values(RETRY_CHAINS).flat());

/**
 * Decides, before anything is written, whether a dead letter can go back into the pipeline
 * and where: its original event must be JSON that satisfies the schema of the topic it goes to,
 * so the outbox never holds an event the relay would refuse. A dead letter from a retry topic
 * starts its chain again (with fresh attempts) on the topic the lead entered by: the priority
 * topic for a high-priority lead, else `leads.received`.
 */
export function planReplay(letter: ReplayableLetter, namespace: string): ReplayPlan {
  const prefix = namespace ? `${namespace}.` : '';
  const origin = letter.originTopic.startsWith(prefix) ? TOPIC_KEY_BY_NAME.get(letter.originTopic.slice(prefix.length)) : undefined;
  if (!origin || origin === 'deadLetter') return { ok: false, reason: `origin ${letter.originTopic} is not a pipeline topic` };
  if (letter.payloadEncoding !== 'utf8') return { ok: false, reason: 'payload is binary (stored as base64), not a JSON event' };
  let json: unknown;
  try {
    json = JSON.parse(letter.payload.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `payload is not JSON: ${(error as Error).message}` };
  }
  const topicKey = RETRY_TOPICS.has(origin) ? entryTopic(json) : origin;
  const parsed = EVENT_SCHEMAS[topicKey].safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { ok: false, reason: `payload fails the ${TOPICS[topicKey]} schema: ${issues}` };
  }
  const event = parsed.data as Record<string, unknown>;
  // PostgreSQL's jsonb (the outbox) cannot hold a NUL character.
  if (JSON.stringify(event).includes('\\u0000')) return { ok: false, reason: 'payload contains a NUL character' };
  const identityKey = typeof event.identityKey === 'string' ? event.identityKey : null;
  return { ok: true, topicKey, key: letter.messageKey ?? identityKey, event };
}

/** The enrichment chain's retry topics carry received leads; their chain starts where the lead entered. */
function entryTopic(json: unknown): TopicKey {
  const priority = json && typeof json === 'object' ? (json as { priority?: unknown }).priority : undefined;
  return priority === 'high' ? 'leadReceivedPriority' : 'leadReceived';
}
