import type { Kafka } from 'kafkajs';
import { BatchConsumer, type BatchConsumerLogger, describeError } from './batch-consumer';
import type { EventPublisher } from './event-publisher';

describe('describeError (what the consumer logs when a handler or a publish fails)', () => {
  it.each<[string, unknown, string]>([
    ['an Error', new Error('connect ECONNREFUSED 127.0.0.1:5432'), 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['a plain object with a message', { message: 'invalid byte sequence for encoding "UTF8": 0x00', code: '22021' }, 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['a plain object without one', { code: '22021', severity: 'ERROR' }, "{ code: '22021', severity: 'ERROR' }"],
    ['a string', 'timeout', 'timeout'],
    ['undefined', undefined, 'undefined'],
  ])('names %s by its content, never as [object Object]', (_case, error, text) => {
    expect(describeError(error)).toBe(text);
  });

  it('masks the e-mail addresses a database error quotes', () => {
    expect(describeError(new Error('Key (email)=(ada.lovelace@example.com) already exists.'))).toBe('Key (email)=(a***@example.com) already exists.');
  });

  it('describes an object that refers to itself', () => {
    const cyclic: Record<string, unknown> = { code: 'E1' };
    cyclic.self = cyclic;
    expect(describeError(cyclic)).toBe("<ref *1> { code: 'E1', self: [Circular *1] }");
  });
});

describe('BatchConsumer after a crash kafkajs does not restart', () => {
  /** A kafkajs consumer double: records its lifecycle calls and lets the test emit its events. */
  function fakeKafka() {
    const listeners = new Map<string, (event: { payload: Record<string, unknown> }) => void>();
    const calls: string[] = [];
    const consumer = {
      events: { GROUP_JOIN: 'group_join', REBALANCING: 'rebalancing', CRASH: 'crash' },
      on: (name: string, listener: (event: { payload: Record<string, unknown> }) => void) => void listeners.set(name, listener),
      connect: async () => void calls.push('connect'),
      subscribe: async () => void calls.push('subscribe'),
      run: async () => void calls.push('run'),
      disconnect: async () => void calls.push('disconnect'),
      pause: () => void calls.push('pause'),
      resume: () => void calls.push('resume'),
    };
    const emit = (name: string, payload: Record<string, unknown> = {}) => listeners.get(name)!({ payload });
    return { kafka: { consumer: () => consumer } as unknown as Kafka, calls, emit };
  }

  function consumerOn(kafka: Kafka, logs: string[]): BatchConsumer {
    const logger = { warn: (msg: string) => void logs.push(msg), error: (msg: string) => void logs.push(msg), log: () => undefined, debug: () => undefined };
    return new BatchConsumer({
      kafka,
      namespace: 'ns',
      group: 'validator',
      stage: 'validator',
      publisher: {} as EventPublisher,
      handlers: new Map([['leadEnriched', async () => []]]),
      logger: logger as unknown as BatchConsumerLogger,
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 3_000,
    });
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs the consumer again, with a growing delay, until it joins; not after a stop', async () => {
    const { kafka, calls, emit } = fakeKafka();
    const logs: string[] = [];
    const consumer = consumerOn(kafka, logs);
    await consumer.start();
    expect(calls).toEqual(['connect', 'subscribe', 'run']);

    // "Failed to find group coordinator" while the broker restarts: kafkajs gives up.
    emit('crash', { error: new Error('Failed to find group coordinator'), restart: false });
    expect(consumer.isReady).toBe(false);
    await jest.advanceTimersByTimeAsync(999);
    expect(calls).toEqual(['connect', 'subscribe', 'run']);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['connect', 'subscribe', 'run', 'connect', 'run']);

    // It crashes again before joining: the next try waits twice as long.
    emit('crash', { error: new Error('Failed to find group coordinator'), restart: false });
    await jest.advanceTimersByTimeAsync(1_999);
    expect(calls).toHaveLength(5);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(7);
    emit('group_join');
    expect(consumer.isReady).toBe(true);

    // A crash kafkajs restarts itself is left to it.
    emit('crash', { error: new Error('retriable'), restart: true });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(7);

    // Stopped meanwhile: no restart.
    emit('crash', { error: new Error('Failed to find group coordinator'), restart: false });
    await consumer.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(calls.slice(7)).toEqual(['disconnect']);
    expect(logs.filter((l) => l === 'restarting the consumer after a crash')).toHaveLength(2);
  });
});
