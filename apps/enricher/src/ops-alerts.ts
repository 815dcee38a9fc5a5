import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { OpsAlert } from '@leadpipe/contracts';
import { EventPublisher } from '@leadpipe/kafka';

/** Raises operator alerts on `ops.alerts.v1`; the notifier delivers them. */
@Injectable()
export class OpsAlerts {
  private readonly logger = new Logger(OpsAlerts.name);

  constructor(private readonly publisher: EventPublisher) {}

  async raise(kind: OpsAlert['kind'], severity: OpsAlert['severity'], message: string): Promise<void> {
    this.logger.warn({ msg: 'operator alert', kind, severity, message });
    await this.publisher.publish('opsAlert', [
      {
        key: kind,
        value: { schemaVersion: 1, eventId: randomUUID(), kind, severity, source: 'enricher', message, raisedAt: new Date().toISOString() },
      },
    ]);
  }
}
