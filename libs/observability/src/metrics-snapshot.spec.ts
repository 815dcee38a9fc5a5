import { ScrapeSnapshot } from './metrics-snapshot';

/** A promise the test resolves or rejects when it wants to. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ScrapeSnapshot', () => {
  it('shares one load between the gauges of a scrape and overlapping scrapes', async () => {
    const load = jest.fn(async () => 7);
    const snapshot = new ScrapeSnapshot(load, { maxAgeMs: 60_000, onError: jest.fn() });
    await expect(Promise.all([snapshot.get(), snapshot.get(), snapshot.get()])).resolves.toEqual([7, 7, 7]);
    await snapshot.get();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('loads again once the values are older than maxAgeMs', async () => {
    let value = 0;
    const snapshot = new ScrapeSnapshot(async () => ++value, { maxAgeMs: 0, onError: jest.fn() });
    expect(await snapshot.get()).toBe(1);
    expect(await snapshot.get()).toBe(2);
  });

  it('keeps the last values when a load fails, and reports a repeated failure once', async () => {
    const failures = [new Error('connection refused'), new Error('connection refused'), new Error('timeout')];
    let calls = 0;
    const onError = jest.fn();
    const snapshot = new ScrapeSnapshot(
      async () => {
        calls += 1;
        if (calls > 1 && failures.length > 0) throw failures.shift()!;
        return calls;
      },
      { maxAgeMs: 0, onError },
    );
    expect(await snapshot.get()).toBe(1);
    for (let i = 0; i < 3; i++) expect(await snapshot.get()).toBe(1);
    expect(onError.mock.calls.map(([error]) => (error as Error).message)).toEqual(['connection refused', 'timeout']);
    expect(await snapshot.get()).toBe(5);
  });

  it('answers a slow load with the last values within the timeout, and uses the load when it lands', async () => {
    const slow = deferred<number>();
    let calls = 0;
    const snapshot = new ScrapeSnapshot(async () => (++calls === 1 ? 1 : slow.promise), { maxAgeMs: 0, timeoutMs: 20, onError: jest.fn() });
    expect(await snapshot.get()).toBe(1);
    expect(await snapshot.get()).toBe(1);
    expect(await snapshot.get()).toBe(1);
    expect(calls).toBe(2);
    slow.resolve(2);
    await slow.promise;
    expect(await snapshot.get()).toBeGreaterThanOrEqual(2);
  });

  it('answers undefined until a load has succeeded', async () => {
    const snapshot = new ScrapeSnapshot<number>(() => Promise.reject(new Error('down')), { onError: jest.fn() });
    expect(await snapshot.get()).toBeUndefined();
  });
});
