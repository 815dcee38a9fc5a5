import { Admin, Kafka, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { withAdmin } from './admin-retry';

// As kafkajs builds it from the broker's error code (its typings admit only a message).
const NOT_LEADER = { type: 'NOT_LEADER_FOR_PARTITION', code: 6, retriable: true, message: 'This server is not the leader for that topic-partition' };
const notLeader = () => new KafkaJSProtocolError(NOT_LEADER as unknown as Error);

/** A Kafka whose admin clients are recorded: connected, disconnected. */
function recordingKafka(connect: () => Promise<void> = async () => undefined) {
  const admins: Array<{ connected: boolean; disconnected: boolean }> = [];
  const kafka = {
    admin: () => {
      const state = { connected: false, disconnected: false };
      admins.push(state);
      return {
        connect: async () => {
          await connect();
          state.connected = true;
        },
        disconnect: async () => void (state.disconnected = true),
      };
    },
  } as unknown as Kafka;
  return { kafka, admins };
}

/** A read that fails with `errors` in turn, then answers `answer`. */
function failingThen<T>(errors: Error[], answer: T): (admin: Admin) => Promise<T> {
  return async () => {
    const error = errors.shift();
    if (error) throw error;
    return answer;
  };
}

describe('withAdmin', () => {
  it('answers what the read returns, on a connected client it then disconnects', async () => {
    const { kafka, admins } = recordingKafka();
    await expect(withAdmin(kafka, async () => 42)).resolves.toBe(42);
    expect(admins).toEqual([{ connected: true, disconnected: true }]);
  });

  it('tries again, on a new client, when the broker says leadership is moving', async () => {
    const { kafka, admins } = recordingKafka();
    await expect(withAdmin(kafka, failingThen([notLeader(), notLeader()], 'ends'), { delayMs: 1 })).resolves.toBe('ends');
    expect(admins).toHaveLength(3);
    expect(admins.every((a) => a.disconnected)).toBe(true);
  });

  it('gives up after the attempts it is given, with the last error', async () => {
    const { kafka, admins } = recordingKafka();
    const read = failingThen([notLeader(), notLeader(), notLeader()], 'ends');
    await expect(withAdmin(kafka, read, { attempts: 3, delayMs: 1 })).rejects.toThrow('not the leader');
    expect(admins).toHaveLength(3);
  });

  it('fails at once on an error that is not retriable', async () => {
    const { kafka, admins } = recordingKafka();
    const read = failingThen([new KafkaJSNonRetriableError('topic authorization failed')], 'ends');
    await expect(withAdmin(kafka, read, { delayMs: 1 })).rejects.toThrow('topic authorization failed');
    expect(admins).toHaveLength(1);
  });

  it('retries a connection the broker refuses for a retriable reason', async () => {
    let refusals = 1;
    const { kafka, admins } = recordingKafka(async () => {
      if (refusals-- > 0) throw notLeader();
    });
    await expect(withAdmin(kafka, async () => 'ends', { delayMs: 1 })).resolves.toBe('ends');
    expect(admins.map((a) => a.connected)).toEqual([false, true]);
  });
});
