import type { NetrowsEndpoint } from '@leadpipe/netrows';

/** What happened to one request, for the counters. */
export type CallOutcome = 'ok' | 'not_found' | 'client_error' | 'rate_limited' | 'server_error' | 'timeout';

export interface CallCounters {
  calls: number;
  /** 2xx answers. */
  ok: number;
  /** 404 answers (charged, like the real service). */
  notFound: number;
  /** 400, 401, 402, 405: refused before doing the work, not charged. */
  clientErrors: number;
  /** 429 answers, not charged. */
  rateLimited: number;
  /** 5xx answers, refunded. */
  serverErrors: number;
  /** Requests held without an answer by the `timeoutRate` fault, refunded. */
  timeouts: number;
  creditsCharged: number;
}

export interface KeyStats extends CallCounters {
  /** Credits left for this key; null when the key has no credit limit. */
  creditsRemaining: number | null;
  byEndpoint: Partial<Record<NetrowsEndpoint, CallCounters>>;
}

export interface SimulatorStats {
  totals: CallCounters;
  byEndpoint: Partial<Record<NetrowsEndpoint, CallCounters>>;
  /** By API key; "(missing)" and "(invalid)" collect unauthenticated calls. */
  byKey: Record<string, KeyStats>;
  /** Requests to paths that are no endpoint (answered 404, never charged). */
  unrouted: number;
}

const OUTCOME_FIELD: Record<CallOutcome, keyof Omit<CallCounters, 'calls' | 'creditsCharged'>> = {
  ok: 'ok',
  not_found: 'notFound',
  client_error: 'clientErrors',
  rate_limited: 'rateLimited',
  server_error: 'serverErrors',
  timeout: 'timeouts',
};

export const emptyCounters = (): CallCounters => ({
  calls: 0,
  ok: 0,
  notFound: 0,
  clientErrors: 0,
  rateLimited: 0,
  serverErrors: 0,
  timeouts: 0,
  creditsCharged: 0,
});

function add(counters: CallCounters, outcome: CallOutcome, credits: number): void {
  counters.calls += 1;
  counters[OUTCOME_FIELD[outcome]] += 1;
  counters.creditsCharged += credits;
}

/** Calls and credits per key and endpoint, plus the credit balances that drive 402s. */
export class Accounting {
  readonly #initialCredits: number | Readonly<Record<string, number>> | undefined;
  #remaining = new Map<string, number>();
  #totals = emptyCounters();
  #byEndpoint = new Map<NetrowsEndpoint, CallCounters>();
  #byKey = new Map<string, { counters: CallCounters; byEndpoint: Map<NetrowsEndpoint, CallCounters> }>();
  #unrouted = 0;

  /** `credits`: one balance for every key, a balance per listed key, or undefined for unlimited. */
  constructor(credits: number | Readonly<Record<string, number>> | undefined) {
    this.#initialCredits = credits;
  }

  /** Credits left for `key`, or null when unlimited. */
  remaining(key: string): number | null {
    const spent = this.#remaining.get(key);
    if (spent !== undefined) return spent;
    const initial = this.#initialFor(key);
    return initial ?? null;
  }

  #initialFor(key: string): number | undefined {
    if (typeof this.#initialCredits === 'number') return this.#initialCredits;
    return this.#initialCredits?.[key];
  }

  /** Takes `cost` credits before the work, like the real service; false when the balance is short. */
  charge(key: string, cost: number): boolean {
    const left = this.remaining(key);
    if (left === null) return true;
    if (left < cost) return false;
    this.#remaining.set(key, left - cost);
    return true;
  }

  /** Gives credits back after an upstream failure (5xx, hung request). */
  refund(key: string, cost: number): void {
    const left = this.remaining(key);
    if (left !== null) this.#remaining.set(key, left + cost);
  }

  record(key: string, endpoint: NetrowsEndpoint, outcome: CallOutcome, creditsCharged: number): void {
    add(this.#totals, outcome, creditsCharged);
    add(getOrCreate(this.#byEndpoint, endpoint, emptyCounters), outcome, creditsCharged);
    const perKey = getOrCreate(this.#byKey, key, () => ({ counters: emptyCounters(), byEndpoint: new Map<NetrowsEndpoint, CallCounters>() }));
    add(perKey.counters, outcome, creditsCharged);
    add(getOrCreate(perKey.byEndpoint, endpoint, emptyCounters), outcome, creditsCharged);
  }

  recordUnrouted(): void {
    this.#unrouted += 1;
  }

  snapshot(): SimulatorStats {
    const byKey: Record<string, KeyStats> = {};
    for (const [key, { counters, byEndpoint }] of this.#byKey) {
      byKey[key] = { ...counters, creditsRemaining: this.remaining(key), byEndpoint: Object.fromEntries(cloneEntries(byEndpoint)) };
    }
    return {
      totals: { ...this.#totals },
      byEndpoint: Object.fromEntries(cloneEntries(this.#byEndpoint)),
      byKey,
      unrouted: this.#unrouted,
    };
  }

  /** Clears counters and restores the initial balances. */
  reset(): void {
    this.#remaining = new Map();
    this.#totals = emptyCounters();
    this.#byEndpoint = new Map();
    this.#byKey = new Map();
    this.#unrouted = 0;
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

function cloneEntries<K>(map: Map<K, CallCounters>): [K, CallCounters][] {
  return [...map].map(([key, counters]) => [key, { ...counters }]);
}
