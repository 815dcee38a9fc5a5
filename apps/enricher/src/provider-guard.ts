import { Logger } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { ConsumptionControl } from '@leadpipe/kafka';
import { isNetrowsError, NETROWS_ERROR_KINDS, NetrowsError } from '@leadpipe/netrows';
import { OpsAlerts } from './ops-alerts';

export interface ProviderGuardOptions {
  provider: string;
  windowMs: number;
  volumeThreshold: number;
  errorPercentage: number;
  resetTimeoutMs: number;
  /**
   * Upstream failures in a row that open the circuit at once, whatever the window holds: an
   * outage after a healthy minute would otherwise take a good part of the window to outweigh
   * it, and leads retried meanwhile would run out of attempts.
   */
  consecutiveFailures: number;
  /** While the account is refused or out of credits, how often consumption resumes to probe it. */
  accountProbeIntervalMs: number;
}

/** Pause reasons, also the alert kinds. */
export const PAUSE_REASONS = {
  breakerOpen: 'breaker_open',
  unauthorized: 'provider_unauthorized',
  outOfCredits: 'provider_out_of_credits',
} as const;

/** The call was not made: the provider's circuit is open (or its one trial call is in flight). */
export function isBreakerRejection(error: unknown): boolean {
  return error instanceof Error && (error as { code?: string }).code === 'EOPENBREAKER';
}

/**
 * Everything between the enricher and one paid provider that is not the lookup itself:
 *
 * - a circuit breaker (opossum) counting only upstream trouble (5xx, timeouts, network);
 *   while it is open no call is made, no token is spent, and consumption is paused; after
 *   `resetTimeoutMs` it turns half-open, consumption resumes and the first call is the trial:
 *   success closes the circuit, failure opens it (and pauses) again; `consecutiveFailures`
 *   upstream failures in a row open it at once (an outage, told apart from a flaky minute);
 * - account trouble (401, 402): consumption pauses and an operator alert goes out; every
 *   `accountProbeIntervalMs` consumption resumes so that one call probes the account, and the
 *   first call that succeeds ends the pause.
 *
 * One alert per state change: a failed trial or probe pauses again without alerting again.
 *
 * The rate-limit token is taken inside the breaker, so a rejected call costs no quota.
 */
export class ProviderGuard {
  private readonly logger = new Logger(ProviderGuard.name);
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  /** Conditions an alert went out for and that have not recovered yet. */
  private readonly alerted = new Set<string>();
  private probeTimer?: NodeJS.Timeout;
  /** Upstream failures since the last call that was not one. */
  private failuresInARow = 0;

  constructor(
    private readonly options: ProviderGuardOptions,
    private readonly control: ConsumptionControl,
    private readonly alerts: OpsAlerts,
  ) {
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      name: options.provider,
      // The client aborts its own requests at NETROWS_TIMEOUT_MS; the breaker adds no timer.
      timeout: false,
      rollingCountTimeout: options.windowMs,
      rollingCountBuckets: 10,
      volumeThreshold: options.volumeThreshold,
      errorThresholdPercentage: options.errorPercentage,
      resetTimeout: options.resetTimeoutMs,
      // Only upstream trouble opens the circuit; answers about the request or the account do not.
      errorFilter: (error: unknown) => !isUpstreamFailure(error),
    });
    this.breaker.on('open', () => {
      this.control.pause(PAUSE_REASONS.breakerOpen);
      this.raiseOnce(PAUSE_REASONS.breakerOpen, `${options.provider} circuit opened after repeated upstream failures; consumption paused`);
    });
    // Let the trial call happen: nothing is fetched while paused, so nothing would try.
    this.breaker.on('halfOpen', () => this.control.resume(PAUSE_REASONS.breakerOpen));
    this.breaker.on('close', () => {
      this.control.resume(PAUSE_REASONS.breakerOpen);
      this.recovered(PAUSE_REASONS.breakerOpen, 'circuit closed');
    });
  }

  /** 0 closed, 1 half-open, 2 open (the value of the breaker-state metric). */
  get state(): 0 | 1 | 2 {
    return this.breaker.opened ? 2 : this.breaker.halfOpen ? 1 : 0;
  }

  async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      const result = (await this.breaker.fire(request)) as T;
      this.failuresInARow = 0;
      this.accountWorks();
      return result;
    } catch (error) {
      if (isUpstreamFailure(error)) {
        this.failuresInARow += 1;
        if (this.failuresInARow >= this.options.consecutiveFailures && !this.breaker.opened) {
          this.logger.warn({ msg: 'circuit opened: upstream failures in a row', failures: this.failuresInARow });
          this.breaker.open();
        }
      } else if (!isBreakerRejection(error)) this.failuresInARow = 0;
      if (isNetrowsError(error)) this.onProviderError(error);
      throw error;
    }
  }

  shutdown(): void {
    clearTimeout(this.probeTimer);
    this.breaker.shutdown();
  }

  private onProviderError(error: NetrowsError): void {
    const reason =
      error.kind === NETROWS_ERROR_KINDS.UNAUTHORIZED
        ? PAUSE_REASONS.unauthorized
        : error.kind === NETROWS_ERROR_KINDS.INSUFFICIENT_CREDITS
          ? PAUSE_REASONS.outOfCredits
          : null;
    if (!reason) return;
    this.control.pause(reason);
    this.raiseOnce(
      reason,
      reason === PAUSE_REASONS.unauthorized
        ? `${this.options.provider} refused the API key (${error.status}); consumption paused, no lead failed`
        : `${this.options.provider} account is out of credits; consumption paused, leads wait`,
    );
    if (!this.probeTimer) {
      this.probeTimer = setTimeout(() => {
        this.probeTimer = undefined;
        // Fetch again: the next call probes the account and pauses again if it is still refused.
        this.control.resume(reason);
      }, this.options.accountProbeIntervalMs);
      this.probeTimer.unref();
    }
  }

  private accountWorks(): void {
    for (const reason of [PAUSE_REASONS.unauthorized, PAUSE_REASONS.outOfCredits]) {
      this.control.resume(reason);
      this.recovered(reason, 'calls are accepted again');
    }
  }

  private raiseOnce(kind: (typeof PAUSE_REASONS)[keyof typeof PAUSE_REASONS], message: string): void {
    if (this.alerted.has(kind)) return;
    this.alerted.add(kind);
    void this.alert(kind, 'critical', message);
  }

  private recovered(kind: string, what: string): void {
    if (!this.alerted.delete(kind)) return;
    void this.alert('provider_recovered', 'info', `${this.options.provider}: ${kind} is over (${what}); consumption resumed`);
  }

  private async alert(...args: Parameters<OpsAlerts['raise']>): Promise<void> {
    try {
      await this.alerts.raise(...args);
    } catch (error) {
      // The pause itself already happened; a lost alert is logged loudly rather than retried forever.
      this.logger.error({ msg: 'could not publish operator alert', kind: args[0], error: error instanceof Error ? error.message : String(error) });
    }
  }
}

const COUNTED: ReadonlySet<string> = new Set([NETROWS_ERROR_KINDS.SERVER_ERROR, NETROWS_ERROR_KINDS.TIMEOUT, NETROWS_ERROR_KINDS.NETWORK]);

/** Trouble on the provider's side (5xx, timeout, network): what the circuit counts. */
function isUpstreamFailure(error: unknown): boolean {
  return isNetrowsError(error) && COUNTED.has(error.kind);
}
