import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { OpsAlert, TOPICS } from '@leadpipe/contracts';
import { ConsumedEvent, Outcome } from '@leadpipe/kafka';
import { OpsAlertService } from './ops-alert.service';

@Controller()
export class OpsAlertConsumer {
  constructor(private readonly alerts: OpsAlertService) {}

  @EventPattern(TOPICS.opsAlert)
  handle(@Payload() events: ConsumedEvent<OpsAlert>[]): Promise<Outcome[]> {
    return this.alerts.deliverBatch(events);
  }
}
