import { Logger } from '@nestjs/common';
import { ConsumerMetrics, consumerLag, OffsetsAdmin } from './metrics-consumer';
import { MetricsRegistry } from './metrics.registry';

const ends = (...partitions: Array<[high: number, low?: number]>) => partitions.map(([high, low = 0], partition) => ({ partition, high: String(high), low: String(low) }));

describe('consumerLag', () => {
  it('is the log end minus the committed offset, per partition', () => {
    const committed = [{ topic: 'a', partitions: [{ partition: 0, offset: '2' }, { partition: 1, offset: '10' }] }];
    expect(consumerLag(committed, new Map([['a', ends([5], [10])]]))).toEqual([
      { topic: 'a', partition: 0, lag: 3 },
      { topic: 'a', partition: 1, lag: 0 },
    ]);
  });

  it('counts a partition without a commit from the log start (consumers read from the beginning)', () => {
    const committed = [{ topic: 'a', partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '-1' }] }];
    expect(consumerLag(committed, new Map([['a', ends([4], [9, 3], [2])]]))).toEqual([
      { topic: 'a', partition: 0, lag: 0 },
      { topic: 'a', partition: 1, lag: 6 },
      { topic: 'a', partition: 2, lag: 2 },
    ]);
  });

  it('is never negative (a topic recreated under a committed offset)', () => {
    const committed = [{ topic: 'a', partitions: [{ partition: 0, offset: '50' }] }];
    expect(consumerLag(committed, new Map([['a', ends([3])]]))).toEqual([{ topic: 'a', partition: 0, lag: 0 }]);
  });
});

describe('ConsumerMetrics', () => {
  function fakeAdmin(): jest.Mocked<OffsetsAdmin> {
    return {
      connect: jest.fn(async () => undefined),
      disconnect: jest.fn(async () => undefined),
      fetchOffsets: jest.fn(async (_options: { groupId: string }) => [{ topic: 'ns.leads.received.v1', partitions: [{ partition: 0, offset: '2' }] }]),
      fetchTopicOffsets: jest.fn(async (_topic: string) => ends([5])),
    };
  }

  async function lagLines(registry: MetricsRegistry): Promise<string[]> {
    return (await registry.getSingleMetricAsString('leadpipe_consumer_lag')).split('\n').filter((line) => !line.startsWith('#'));
  }

  it('counts outcomes by group, topic and outcome', async () => {
    const registry = new MetricsRegistry({});
    const metrics = new ConsumerMetrics(registry, { groupId: 'ns.leadpipe.enricher', stage: 'enricher', admin: fakeAdmin });
    metrics.countOutcome('ns.leads.received.v1', 'processed');
    metrics.countOutcome('ns.leads.received.v1', 'processed');
    metrics.countOutcome('ns.leads.received.v1', 'dead_letter');
    const text = await registry.getSingleMetricAsString('leadpipe_consumer_messages_total');
    expect(text).toContain('leadpipe_consumer_messages_total{group="ns.leadpipe.enricher",topic="ns.leads.received.v1",outcome="processed"} 2');
    expect(text).toContain('leadpipe_consumer_messages_total{group="ns.leadpipe.enricher",topic="ns.leads.received.v1",outcome="dead_letter"} 1');
  });

  it('times handler calls per group and topic, in buckets from 5 ms to a minute', async () => {
    const registry = new MetricsRegistry({});
    const metrics = new ConsumerMetrics(registry, { groupId: 'ns.leadpipe.enricher', stage: 'enricher', admin: fakeAdmin });
    metrics.observeBatch('ns.leads.received.v1', 0.004);
    metrics.observeBatch('ns.leads.received.v1', 45);
    const text = await registry.getSingleMetricAsString('leadpipe_consumer_batch_duration_seconds');
    const labels = 'group="ns.leadpipe.enricher",topic="ns.leads.received.v1"';
    expect(text).toContain(`leadpipe_consumer_batch_duration_seconds_bucket{le="0.005",${labels}} 1`);
    expect(text).toContain(`leadpipe_consumer_batch_duration_seconds_bucket{le="30",${labels}} 1`);
    expect(text).toContain(`leadpipe_consumer_batch_duration_seconds_bucket{le="60",${labels}} 2`);
    expect(text).toContain(`leadpipe_consumer_batch_duration_seconds_count{${labels}} 2`);
    expect(text).toContain(`leadpipe_consumer_batch_duration_seconds_sum{${labels}} 45.004`);
  });

  it('counts dead letters by stage and reason code', async () => {
    const registry = new MetricsRegistry({});
    const metrics = new ConsumerMetrics(registry, { groupId: 'ns.leadpipe.validator', stage: 'validator', admin: fakeAdmin });
    metrics.countDeadLetter('schema_invalid');
    metrics.countDeadLetter('schema_invalid');
    metrics.countDeadLetter('retries_exhausted');
    const text = await registry.getSingleMetricAsString('leadpipe_dead_letters_total');
    expect(text).toContain('leadpipe_dead_letters_total{stage="validator",code="schema_invalid"} 2');
    expect(text).toContain('leadpipe_dead_letters_total{stage="validator",code="retries_exhausted"} 1');
  });

  afterEach(() => jest.restoreAllMocks());

  it('reads lag on scrape over one admin connection, and keeps the last values when the broker fails', async () => {
    // Scrapes within the snapshot's age share one read: move the clock to force the next.
    let now = Date.now();
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const registry = new MetricsRegistry({});
    const admin = fakeAdmin();
    const metrics = new ConsumerMetrics(registry, { groupId: 'g', stage: 'g', admin: () => admin });
    const expected = ['leadpipe_consumer_lag{group="g",topic="ns.leads.received.v1",partition="0"} 3'];
    expect(await lagLines(registry)).toEqual(expected);
    now += 1_000;
    expect(await lagLines(registry)).toEqual(expected);
    expect(admin.connect).toHaveBeenCalledTimes(1);
    expect(admin.fetchOffsets).toHaveBeenCalledTimes(2);

    admin.fetchOffsets.mockRejectedValue(new Error('broker down'));
    now += 1_000;
    await expect(lagLines(registry)).resolves.toEqual(expected);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('broker down'));
    // A failed read drops the connection; the next one reconnects.
    expect(admin.disconnect).toHaveBeenCalledTimes(1);
    admin.fetchOffsets.mockResolvedValue([{ topic: 'ns.leads.received.v1', partitions: [{ partition: 0, offset: '5' }] }]);
    now += 1_000;
    expect(await lagLines(registry)).toEqual(['leadpipe_consumer_lag{group="g",topic="ns.leads.received.v1",partition="0"} 0']);
    expect(admin.connect).toHaveBeenCalledTimes(2);
    await metrics.close();
  });

  it('reports the lag of every lane group, each under its own group label, reading each topic end once', async () => {
    const registry = new MetricsRegistry({});
    const admin = fakeAdmin();
    admin.fetchOffsets.mockImplementation(async ({ groupId }) =>
      groupId === 'g-retry'
        ? [{ topic: 'ns.leads.enrich.retry.1.v1', partitions: [{ partition: 0, offset: '1' }] }]
        : [{ topic: 'ns.leads.received.v1', partitions: [{ partition: 0, offset: groupId === 'g' ? '2' : '4' }] }],
    );
    const metrics = new ConsumerMetrics(registry, { groupId: 'g', stage: 'g', lagGroupIds: () => ['g', 'g-priority', 'g-retry'], admin: () => admin });
    expect((await lagLines(registry)).sort()).toEqual([
      'leadpipe_consumer_lag{group="g",topic="ns.leads.received.v1",partition="0"} 3',
      'leadpipe_consumer_lag{group="g-priority",topic="ns.leads.received.v1",partition="0"} 1',
      'leadpipe_consumer_lag{group="g-retry",topic="ns.leads.enrich.retry.1.v1",partition="0"} 4',
    ]);
    expect(admin.fetchTopicOffsets).toHaveBeenCalledTimes(2);
    await metrics.close();
  });
});
