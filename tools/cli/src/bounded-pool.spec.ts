import { forEachBounded } from './bounded-pool';

describe('forEachBounded', () => {
  it('never runs more than `concurrency` workers at once and visits every item', async () => {
    let active = 0;
    let peak = 0;
    const seen: number[] = [];
    async function* source(): AsyncGenerator<number> {
      for (let i = 0; i < 20; i += 1) yield i;
    }
    await forEachBounded(source(), 3, async (item) => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise<void>((resolve) => setImmediate(resolve));
      seen.push(item);
      active -= 1;
    });
    expect(peak).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('stops pulling after a worker fails and rethrows that error', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<number> {
      for (let i = 0; i < 100; i += 1) {
        pulled += 1;
        yield i;
      }
    }
    await expect(
      forEachBounded(source(), 2, async (item) => {
        if (item === 3) throw new Error('boom');
        await Promise.resolve();
      }),
    ).rejects.toThrow('boom');
    expect(pulled).toBeLessThan(10);
  });
});
