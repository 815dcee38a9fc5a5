import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');

export interface MetricsOptions {
  /** Value of the `service` label on every metric of the process (`ingest`, `enricher`...). */
  service?: string;
}

/**
 * The process's one Prometheus registry: inject it and register metrics on it explicitly
 * (`registers: [metrics]`). prom-client's global registry is never used, so that two apps in
 * one test process do not collide over metric names.
 *
 * Node's default metrics keep their standard names (`process_cpu_seconds_total`,
 * `nodejs_heap_size_used_bytes`...), unprefixed, so that stock Node.js dashboards work.
 */
@Injectable()
export class MetricsRegistry extends Registry implements OnApplicationShutdown {
  private readonly closers: Array<() => Promise<void>> = [];

  constructor(@Inject(METRICS_OPTIONS) options: MetricsOptions) {
    super();
    if (options.service) this.setDefaultLabels({ service: options.service });
    collectDefaultMetrics({ register: this });
  }

  /** Releases what a scrape-time collector holds (a Kafka admin connection) when the app closes. */
  closeOnShutdown(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.closers.map((close) => close()));
  }
}
