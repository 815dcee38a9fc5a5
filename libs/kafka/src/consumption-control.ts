import { Injectable, Logger } from '@nestjs/common';

/** What a paused consumer can do: stop fetching everything, and start again. */
export interface PausableConsumer {
  pauseAll(): void;
  resumeAll(): void;
}

/**
 * Lets a service stop its own consumption while something outside the messages is wrong (the
 * provider's circuit is open, the account is out of credits) and start again when it is fixed.
 * Consumption is paused while any reason is active. Work already fetched still runs; handlers
 * decide what to do with it (typically: throw, so the slice waits and probes).
 */
@Injectable()
export class ConsumptionControl {
  private readonly logger = new Logger(ConsumptionControl.name);
  private readonly reasons = new Set<string>();
  private readonly consumers: PausableConsumer[] = [];
  private readonly listeners: Array<(reasons: ReadonlySet<string>) => void> = [];

  /** Called by the transport for each consumer it starts. */
  attach(consumer: PausableConsumer): void {
    this.consumers.push(consumer);
    if (this.reasons.size > 0) consumer.pauseAll();
  }

  get pausedFor(): ReadonlySet<string> {
    return this.reasons;
  }

  /** Returns true when this reason was not active before (a state change worth an alert). */
  pause(reason: string): boolean {
    if (this.reasons.has(reason)) return false;
    this.reasons.add(reason);
    if (this.reasons.size === 1) for (const consumer of this.consumers) consumer.pauseAll();
    this.logger.warn(`consumption paused: ${reason}`);
    this.notify();
    return true;
  }

  /** Returns true when this reason was active. */
  resume(reason: string): boolean {
    if (!this.reasons.delete(reason)) return false;
    this.logger.log(`pause reason cleared: ${reason}${this.reasons.size === 0 ? '; consumption resumed' : ''}`);
    if (this.reasons.size === 0) for (const consumer of this.consumers) consumer.resumeAll();
    this.notify();
    return true;
  }

  onChange(listener: (reasons: ReadonlySet<string>) => void): void {
    this.listeners.push(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.reasons);
  }
}
