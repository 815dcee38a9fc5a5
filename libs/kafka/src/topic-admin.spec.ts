import { Kafka } from 'kafkajs';
import { topicName } from '@leadpipe/contracts';
import { DEAD_LETTER_MAX_MESSAGE_BYTES, ensureTopics } from './topic-admin';

type CreateTopics = { topics: Array<{ topic: string; configEntries: Array<{ name: string; value: string }> }> };

/** A Kafka whose admin lists `existing` and records what it is asked to create. */
function kafkaWith(existing: string[]): { kafka: Kafka; created: CreateTopics[] } {
  const created: CreateTopics[] = [];
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => existing,
    createTopics: async (request: CreateTopics) => {
      created.push(request);
      return true;
    },
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, created };
}

describe('ensureTopics', () => {
  const configsOf = (request: CreateTopics, topic: string) => request.topics.find((t) => t.topic === topic)?.configEntries;

  it('creates the missing topics with the given settings, over the defaults of the same name', async () => {
    const { kafka, created } = kafkaWith([topicName('leadValidated', 'ns')]);
    const names = await ensureTopics(kafka, 'ns', 1, {
      leadEnriched: [{ name: 'max.message.bytes', value: '30000' }],
      deadLetter: [
        { name: 'max.message.bytes', value: '2000000' },
        { name: 'retention.ms', value: '60000' },
      ],
    });
    expect(names).not.toContain(topicName('leadValidated', 'ns'));
    expect(names).toContain(topicName('leadEnriched', 'ns'));
    expect(configsOf(created[0], topicName('leadEnriched', 'ns'))).toEqual([{ name: 'max.message.bytes', value: '30000' }]);
    expect(configsOf(created[0], topicName('deadLetter', 'ns'))).toEqual([
      { name: 'max.message.bytes', value: '2000000' },
      { name: 'retention.ms', value: '60000' },
    ]);
    expect(configsOf(created[0], topicName('leadReceived', 'ns'))).toEqual([]);
  });

  it('keeps the defaults when no settings are given', async () => {
    const { kafka, created } = kafkaWith([]);
    await ensureTopics(kafka, 'ns');
    expect(configsOf(created[0], topicName('deadLetter', 'ns'))).toEqual([{ name: 'max.message.bytes', value: String(DEAD_LETTER_MAX_MESSAGE_BYTES) }]);
  });
});
