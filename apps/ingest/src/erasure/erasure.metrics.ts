import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '@leadpipe/observability';

/** Ingest's erasure metrics (see docs/metrics.md). Counts only: nothing about whom. */
@Injectable()
export class ErasureMetrics {
  readonly erasures: Counter;
  readonly leadsSuppressed: Counter;
  readonly mirrorRepairs: Counter;

  constructor(registry: MetricsRegistry) {
    const registers = [registry];
    this.erasures = new Counter({
      name: 'leadpipe_ingest_erasures_total',
      help: 'Erasure requests carried out (DELETE /api/leads/:id answered 200).',
      registers,
    });
    this.leadsSuppressed = new Counter({
      name: 'leadpipe_ingest_leads_suppressed_total',
      help: 'Leads refused (409) because the person they name asked to be erased.',
      registers,
    });
    this.mirrorRepairs = new Counter({
      name: 'leadpipe_suppression_mirror_repairs_total',
      help: "Times ingest found the Redis mirror of the suppression list out of step with PostgreSQL and repaired it.",
      registers,
    });
  }
}
