import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ConsumptionControl } from '@leadpipe/kafka';
import { BUDGET_PAUSE_REASON, BudgetExhaustedError, CreditBudget, parseCreditCosts } from '../../apps/enricher/src/credit-budget';
import { OpsAlerts } from '../../apps/enricher/src/ops-alerts';

/** The daily credit budget on real Redis: shared by replicas, refunds, pause and one alert. */
describe('CreditBudget', () => {
  const prefix = `leadpipe:test-budget-${randomUUID()}:`;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', { keyPrefix: prefix });
  const other = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', { keyPrefix: prefix });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await other.del(...keys.map((k) => k.slice(prefix.length)));
    redis.disconnect();
    other.disconnect();
  });

  function budgetOf(client: Redis, limit: number, day: string, costs = '') {
    const control = new ConsumptionControl();
    const raised: string[] = [];
    const alerts = { raise: async (kind: string) => void raised.push(kind) } as unknown as OpsAlerts;
    const budget = new CreditBudget(client, limit, parseCreditCosts(costs), control, alerts, () => new Date(`${day}T12:00:00Z`));
    return { budget, control, raised };
  }

  it('lets two replicas spend the budget together, never beyond it, then pauses and alerts once', async () => {
    const a = budgetOf(redis, 5, '2026-11-30');
    const b = budgetOf(other, 5, '2026-11-30');
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).budget.reserve('profile')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(3);
    for (const r of refused) expect(r.reason).toBeInstanceOf(BudgetExhaustedError);
    expect(await a.budget.usedToday()).toBe(5);
    expect([...a.control.pausedFor, ...b.control.pausedFor]).toContain(BUDGET_PAUSE_REASON);
    // One alert for the whole deployment, not one per refused call or per replica.
    expect([...a.raised, ...b.raised]).toEqual(['budget_exhausted']);
    a.budget.shutdown();
    b.budget.shutdown();
  });

  it('gives back credits of calls that were not charged, and charges per endpoint', async () => {
    const { budget } = budgetOf(redis, 4, '2026-12-01', 'reverseLookup=3');
    await budget.reserve('reverseLookup');
    expect(await budget.usedToday()).toBe(3);
    await expect(budget.reserve('reverseLookup')).rejects.toBeInstanceOf(BudgetExhaustedError);
    await budget.refund('reverseLookup');
    expect(await budget.usedToday()).toBe(0);
    await budget.reserve('profile');
    expect(await budget.usedToday()).toBe(1);
    budget.shutdown();
  });

  it('starts a fresh budget every UTC day', async () => {
    const today = budgetOf(redis, 1, '2026-12-02');
    await today.budget.reserve('profile');
    await expect(today.budget.reserve('profile')).rejects.toBeInstanceOf(BudgetExhaustedError);
    const tomorrow = budgetOf(redis, 1, '2026-12-03');
    await expect(tomorrow.budget.reserve('profile')).resolves.toBeUndefined();
    today.budget.shutdown();
    tomorrow.budget.shutdown();
  });

  it('costs nothing and checks nothing without a budget', async () => {
    const { budget } = budgetOf(redis, 0, '2026-12-04');
    for (let i = 0; i < 3; i++) await budget.reserve('profile');
    expect(await budget.usedToday()).toBe(0);
  });
});
