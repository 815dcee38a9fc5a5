import { OffsetCommits, OffsetCommitter } from './offset-committer';

type Offsets = ReturnType<OffsetCommits['uncommittedOffsets']>;

/** A consumer group's offsets as kafkajs keeps them: resolved ones wait in `pending` until committed. */
function fakeGroup() {
  let pending: Offsets['topics'] = [];
  const commits: Offsets['topics'][] = [];
  let failNext: Error | undefined;
  const source: OffsetCommits = {
    uncommittedOffsets: () => ({ topics: pending }),
    commitOffsetsIfNecessary: jest.fn(async (offsets?: Offsets) => {
      await Promise.resolve();
      if (failNext) {
        const error = failNext;
        failNext = undefined;
        throw error;
      }
      commits.push(offsets!.topics);
      pending = [];
    }),
  };
  return {
    source,
    commits,
    resolve(partition: number, offset: string) {
      pending = [...pending, { topic: 't', partitions: [{ partition, offset }] }];
    },
    failNextCommit(error: Error) {
      failNext = error;
    },
  };
}

describe('OffsetCommitter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('with interval 0 commits on every resolution, before it returns', async () => {
    const group = fakeGroup();
    const committer = new OffsetCommitter(0, jest.fn());
    group.resolve(0, '5');
    await committer.resolved(group.source);
    group.resolve(1, '3');
    await committer.resolved(group.source);
    expect(group.commits).toEqual([[{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }], [{ topic: 't', partitions: [{ partition: 1, offset: '3' }] }]]);
  });

  it('commits what was resolved within an interval once, when the interval has passed', async () => {
    const group = fakeGroup();
    const committer = new OffsetCommitter(1_000, jest.fn());
    group.resolve(0, '5');
    await committer.resolved(group.source);
    await jest.advanceTimersByTimeAsync(400);
    group.resolve(1, '3');
    await committer.resolved(group.source);
    expect(group.commits).toHaveLength(0);

    await jest.advanceTimersByTimeAsync(600);
    expect(group.commits).toEqual([
      [
        { topic: 't', partitions: [{ partition: 0, offset: '5' }] },
        { topic: 't', partitions: [{ partition: 1, offset: '3' }] },
      ],
    ]);
    // Nothing new: no timer, no request.
    await jest.advanceTimersByTimeAsync(5_000);
    expect(group.source.commitOffsetsIfNecessary).toHaveBeenCalledTimes(1);
  });

  it('flush() commits at once and cancels the pending timer', async () => {
    const group = fakeGroup();
    const committer = new OffsetCommitter(1_000, jest.fn());
    group.resolve(2, '9');
    await committer.resolved(group.source);
    await committer.flush();
    expect(group.commits).toEqual([[{ topic: 't', partitions: [{ partition: 2, offset: '9' }] }]]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(group.source.commitOffsetsIfNecessary).toHaveBeenCalledTimes(1);
  });

  it('flush() before anything was resolved sends nothing', async () => {
    const group = fakeGroup();
    const committer = new OffsetCommitter(1_000, jest.fn());
    await committer.flush();
    await committer.resolved(group.source);
    await committer.flush();
    expect(group.source.commitOffsetsIfNecessary).not.toHaveBeenCalled();
  });

  it('reports a failed timed commit and keeps its offsets for the next one', async () => {
    const group = fakeGroup();
    const onError = jest.fn();
    const committer = new OffsetCommitter(1_000, onError);
    group.failNextCommit(new Error('The coordinator is not aware of this member'));
    group.resolve(0, '5');
    await committer.resolved(group.source);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(onError).toHaveBeenCalledWith(new Error('The coordinator is not aware of this member'));
    expect(group.commits).toHaveLength(0);

    group.resolve(1, '3');
    await committer.resolved(group.source);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(group.commits).toEqual([
      [
        { topic: 't', partitions: [{ partition: 0, offset: '5' }] },
        { topic: 't', partitions: [{ partition: 1, offset: '3' }] },
      ],
    ]);
  });

  it('a flush rejects with its commit failure; the next flush still runs after it', async () => {
    const group = fakeGroup();
    const committer = new OffsetCommitter(1_000, jest.fn());
    group.resolve(0, '5');
    await committer.resolved(group.source);
    group.failNextCommit(new Error('rebalance in progress'));
    const failing = committer.flush();
    const next = committer.flush();
    await expect(failing).rejects.toThrow('rebalance in progress');
    await next;
    expect(group.commits).toEqual([[{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }]]);
  });

  it('commits one after the other: a flush waits for the commit in flight', async () => {
    const group = fakeGroup();
    let release!: () => void;
    const order: string[] = [];
    group.source.commitOffsetsIfNecessary = jest.fn(async (offsets?: Offsets) => {
      const first = order.length === 0;
      order.push(`start ${offsets!.topics.length}`);
      if (first) await new Promise<void>((resolve) => (release = resolve));
      order.push('end');
    });
    const committer = new OffsetCommitter(1_000, jest.fn());
    group.resolve(0, '5');
    await committer.resolved(group.source);
    const first = committer.flush();
    await Promise.resolve();
    await Promise.resolve();
    const second = committer.flush();
    await jest.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['start 1']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['start 1', 'end', 'start 1', 'end']);
  });
});
