import { ConsumptionControl } from '@leadpipe/kafka';
import { MetricsRegistry } from '@leadpipe/observability';
import { CreditBudgetReader, EnricherMetrics } from './enricher.metrics';

describe('EnricherMetrics', () => {
  const lines = async (registry: MetricsRegistry, name: string) =>
    (await registry.getSingleMetricAsString(name)).split('\n').filter((line) => line && !line.startsWith('#'));

  function setUp() {
    const registry = new MetricsRegistry({});
    return { registry, metrics: new EnricherMetrics(registry, new ConsumptionControl()) };
  }

  function budget(limit: number, used: () => Promise<number>): CreditBudgetReader & { usedToday: jest.Mock } {
    return { limit, usedToday: jest.fn(used) };
  }

  afterEach(() => jest.restoreAllMocks());

  it('exports the configured rate limit once it is reported', async () => {
    const { registry, metrics } = setUp();
    expect(await lines(registry, 'leadpipe_ratelimit_limit_per_minute')).toEqual([]);
    metrics.reportRateLimit(40);
    expect(await lines(registry, 'leadpipe_ratelimit_limit_per_minute')).toEqual(['leadpipe_ratelimit_limit_per_minute{provider="netrows"} 40']);
  });

  it("exports the daily limit and today's remaining credits, never below 0", async () => {
    const { registry, metrics } = setUp();
    let used = 120;
    metrics.readCreditBudgetFrom(budget(1000, async () => used));
    expect(await lines(registry, 'leadpipe_credit_budget_limit')).toEqual(['leadpipe_credit_budget_limit{provider="netrows"} 1000']);
    expect(await lines(registry, 'leadpipe_credit_budget_remaining')).toEqual(['leadpipe_credit_budget_remaining{provider="netrows"} 880']);

    // Scrapes within the snapshot's age share one read: move the clock to force the next.
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 5_000);
    used = 1003; // refunds come after reservations: the counter can briefly pass the limit
    expect(await lines(registry, 'leadpipe_credit_budget_remaining')).toEqual(['leadpipe_credit_budget_remaining{provider="netrows"} 0']);
  });

  it('keeps the last remaining value when Redis fails or is slow, and logs a failure once', async () => {
    const { registry, metrics } = setUp();
    const warn = jest.spyOn((metrics as unknown as { logger: { warn: () => void } }).logger, 'warn').mockImplementation(() => undefined);
    let answer: () => Promise<number> = async () => 100;
    const reader = budget(500, () => answer());
    metrics.readCreditBudgetFrom(reader, { timeoutMs: 50 });
    expect(await lines(registry, 'leadpipe_credit_budget_remaining')).toEqual(['leadpipe_credit_budget_remaining{provider="netrows"} 400']);

    let now = Date.now();
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    answer = () => Promise.reject(new Error('Connection is closed.'));
    for (let i = 0; i < 2; i += 1) {
      now += 5_000;
      expect(await lines(registry, 'leadpipe_credit_budget_remaining')).toEqual(['leadpipe_credit_budget_remaining{provider="netrows"} 400']);
    }
    expect(warn).toHaveBeenCalledTimes(1);

    now += 5_000;
    answer = () => new Promise<number>(() => undefined);
    expect(await lines(registry, 'leadpipe_credit_budget_remaining')).toEqual(['leadpipe_credit_budget_remaining{provider="netrows"} 400']);
  });

  it('exports no budget series without a budget (NETROWS_DAILY_CREDIT_BUDGET=0), and never asks Redis', async () => {
    const { registry, metrics } = setUp();
    const reader = budget(0, async () => 0);
    metrics.readCreditBudgetFrom(reader);
    expect(await lines(registry, 'leadpipe_credit_budget_limit')).toEqual([]);
    expect(await lines(registry, 'leadpipe_credit_budget_remaining')).toEqual([]);
    expect(reader.usedToday).not.toHaveBeenCalled();
  });
});
