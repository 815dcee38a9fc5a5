import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { ConsumptionControl } from '@leadpipe/kafka';
import { NetrowsEndpoint } from '@leadpipe/netrows';
import { OpsAlerts } from './ops-alerts';

/** The day's credits are spent: the call is not made, the lead waits for tomorrow. */
export class BudgetExhaustedError extends Error {
  constructor(readonly budget: number) {
    super(`daily credit budget of ${budget} is spent`);
    this.name = 'BudgetExhaustedError';
  }
}

export const BUDGET_PAUSE_REASON = 'budget_exhausted';

/** Reserves `cost` if it fits in `budget`; returns the credits used, or -1 when it does not fit. */
const RESERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then return -1 end
redis.call('INCRBY', KEYS[1], cost)
redis.call('EXPIRE', KEYS[1], 172800)
return used + cost
`;

/** `reverseLookup=2,profile=1` → { reverseLookup: 2, profile: 1 }. */
export function parseCreditCosts(spec: string | undefined): Partial<Record<NetrowsEndpoint, number>> {
  const costs: Partial<Record<NetrowsEndpoint, number>> = {};
  for (const part of (spec ?? '').split(',').filter((p) => p.trim())) {
    const [name, value] = part.split('=').map((p) => p.trim());
    costs[name as NetrowsEndpoint] = Number(value);
  }
  return costs;
}

/**
 * A daily credit budget shared by every replica (a counter per UTC day in Redis). Credits are
 * reserved before a call and given back when the call was not charged (refused, failed
 * upstream, never made). When the budget is spent, consumption pauses, operators are alerted
 * once a day (whichever replica notices first), and consumption resumes at the next UTC midnight.
 */
export class CreditBudget {
  private readonly logger = new Logger(CreditBudget.name);
  private resumeTimer?: NodeJS.Timeout;
  /** This replica has handled today's exhaustion (paused; alerted if it was the first). */
  private alerted = false;

  constructor(
    private readonly redis: Redis,
    private readonly budget: number,
    private readonly costs: Partial<Record<NetrowsEndpoint, number>>,
    private readonly control: ConsumptionControl,
    private readonly alerts: OpsAlerts,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The daily limit in credits; 0 means no budget (calls are not counted against one). */
  get limit(): number {
    return this.budget;
  }

  costOf(endpoint: NetrowsEndpoint): number {
    return this.costs[endpoint] ?? 1;
  }

  async reserve(endpoint: NetrowsEndpoint): Promise<void> {
    if (this.budget === 0) return;
    const used = Number(await this.redis.eval(RESERVE, 1, this.key(), String(this.costOf(endpoint)), String(this.budget)));
    if (used >= 0) return;
    await this.exhausted();
    throw new BudgetExhaustedError(this.budget);
  }

  async refund(endpoint: NetrowsEndpoint): Promise<void> {
    if (this.budget === 0) return;
    await this.redis.decrby(this.key(), this.costOf(endpoint));
  }

  /** Credits used today (for metrics). */
  async usedToday(): Promise<number> {
    return Number((await this.redis.get(this.key())) ?? '0');
  }

  shutdown(): void {
    clearTimeout(this.resumeTimer);
  }

  private key(): string {
    return `budget:credits:${this.now().toISOString().slice(0, 10)}`;
  }

  private async exhausted(): Promise<void> {
    this.control.pause(BUDGET_PAUSE_REASON);
    if (!this.alerted) {
      this.alerted = true;
      // One alert a day for the whole deployment: the first replica to hit the wall raises it.
      const first = await this.redis.set(`${this.key()}:alerted`, '1', 'EX', 172_800, 'NX');
      if (first === 'OK') {
        await this.alerts
          .raise('budget_exhausted', 'warning', `daily credit budget of ${this.budget} is spent; enrichment paused until 00:00 UTC`)
          .catch((error: unknown) => this.logger.error({ msg: 'could not publish operator alert', error: String(error) }));
      }
    }
    if (!this.resumeTimer) {
      const now = this.now();
      const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      this.resumeTimer = setTimeout(() => {
        this.resumeTimer = undefined;
        this.alerted = false;
        this.control.resume(BUDGET_PAUSE_REASON);
      }, midnight - now.getTime() + 1_000);
      this.resumeTimer.unref();
    }
  }
}
