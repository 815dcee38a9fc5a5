import { coalescing } from './coalesce';
import { BatchHandler, ConsumedEvent, processed, skipped } from './outcome';

const event = (partition: number, offset: number): ConsumedEvent<string> => ({
  topic: 'leads.validated.v1',
  partition,
  offset: String(offset),
  key: `k${partition}`,
  headers: {},
  correlationId: 'c',
  value: `p${partition}o${offset}`,
});

/** A handler that records each call's events and skips the values in `skip`. */
function recording(skip: string[] = []) {
  const calls: string[][] = [];
  const handler: BatchHandler<string> = async (events) => {
    calls.push(events.map((e) => e.value));
    return events.map((e) => (skip.includes(e.value) ? skipped('test') : processed()));
  };
  return { calls, handler };
}

describe('coalescing', () => {
  it('merges the calls of one turn into one, in the order they came, and answers each caller with its own outcomes', async () => {
    const { calls, handler } = recording(['p1o7']);
    const merged = coalescing(handler, 100);
    const answers = await Promise.all([merged([event(0, 1), event(0, 2)]), merged([event(1, 7)]), merged([event(2, 3)])]);
    expect(calls).toEqual([['p0o1', 'p0o2', 'p1o7', 'p2o3']]);
    expect(answers.map((outcomes) => outcomes.map((o) => o.status))).toEqual([['processed', 'processed'], ['skipped'], ['processed']]);
  });

  it('never makes a call larger than maxEvents, and never splits a caller', async () => {
    const { calls, handler } = recording();
    const merged = coalescing(handler, 3);
    await Promise.all([merged([event(0, 1), event(0, 2)]), merged([event(1, 1), event(1, 2)]), merged([event(2, 1)]), merged([event(3, 1), event(3, 2), event(3, 3), event(3, 4)])]);
    expect(calls).toEqual([['p0o1', 'p0o2'], ['p1o1', 'p1o2', 'p2o1'], ['p3o1', 'p3o2', 'p3o3', 'p3o4']]);
  });

  it('calls again for what comes in a later turn', async () => {
    const { calls, handler } = recording();
    const merged = coalescing(handler, 100);
    await merged([event(0, 1)]);
    await merged([event(1, 1)]);
    expect(calls).toEqual([['p0o1'], ['p1o1']]);
  });

  it('fails every caller of a merged call that throws, or that answers the wrong number of outcomes', async () => {
    const failing = coalescing<string>(async () => {
      throw new Error('database down');
    }, 100);
    const results = await Promise.allSettled([failing([event(0, 1)]), failing([event(1, 1)])]);
    expect(results.map((r) => r.status === 'rejected' && String(r.reason))).toEqual(['Error: database down', 'Error: database down']);

    const short = coalescing<string>(async () => [processed()], 100);
    const answers = await Promise.allSettled([short([event(0, 1)]), short([event(1, 1)])]);
    expect(answers.map((r) => r.status === 'rejected' && String(r.reason))).toEqual([
      'Error: handler returned 1 outcomes for 2 events',
      'Error: handler returned 1 outcomes for 2 events',
    ]);
  });

  it('fails the callers when the handler throws before returning a promise', async () => {
    const throwing = coalescing<string>(() => {
      throw new Error('not even a promise');
    }, 100);
    await expect(throwing([event(0, 1)])).rejects.toThrow('not even a promise');
  });
});
