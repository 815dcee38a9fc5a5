import { randomUUID } from 'node:crypto';
import type { ConsumedEvent } from '@leadpipe/kafka';

/** `value` as a handler receives it from `topic`: keyed by its identity, at offset 0 of partition 0, with a fresh correlation id. */
export function consumedEvent<T extends { identityKey: string }>(topic: string, value: T): ConsumedEvent<T> {
  return { topic, partition: 0, offset: '0', key: value.identityKey, headers: {}, correlationId: randomUUID(), value };
}
