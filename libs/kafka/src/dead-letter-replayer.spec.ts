import { Kafka, KafkaJSProtocolError } from 'kafkajs';
import { replayDeadLetters } from './dead-letter-replayer';
import { EventPublisher } from './event-publisher';

// As kafkajs builds it from the broker's error code (its typings admit only a message).
const NOT_LEADER = { type: 'NOT_LEADER_FOR_PARTITION', code: 6, retriable: true, message: 'This server is not the leader for that topic-partition' };
const notLeader = () => new KafkaJSProtocolError(NOT_LEADER as unknown as Error);

/** A Kafka whose admin answers `fetchTopicOffsets` from `answers` in turn (an Error is thrown). */
function kafkaAnswering(answers: Array<Error | Array<{ partition: number; offset: string }>>) {
  const admins: Array<{ disconnected: boolean }> = [];
  const kafka = {
    admin: () => {
      const state = { disconnected: false };
      admins.push(state);
      return {
        connect: async () => undefined,
        disconnect: async () => void (state.disconnected = true),
        fetchTopicOffsets: async () => {
          const answer = answers.shift();
          if (!answer) throw new Error('no more answers');
          if (answer instanceof Error) throw answer;
          return answer.map((p) => ({ ...p, high: p.offset, low: '0' }));
        },
        fetchOffsets: async () => [{ topic: 'dlq', partitions: [] }],
      };
    },
  } as unknown as Kafka;
  return { kafka, admins };
}

const publisher = {} as EventPublisher; // nothing to replay: never used
const options = { namespace: 'unit' };

// The retry itself is `withAdmin`'s (admin-retry.spec.ts); this checks the replayer uses it.
describe('replayDeadLetters reading where to stop', () => {
  it('tries again, on a new admin client, when the broker says leadership is moving', async () => {
    const { kafka, admins } = kafkaAnswering([notLeader(), [{ partition: 0, offset: '0' }]]);
    await expect(replayDeadLetters(kafka, publisher, options)).resolves.toEqual({ scanned: 0, replayed: 0, filtered: 0, unreplayable: [] });
    expect(admins).toEqual([{ disconnected: true }, { disconnected: true }]);
  });
});
