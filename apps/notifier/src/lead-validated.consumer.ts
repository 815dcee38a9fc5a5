import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { LeadValidated, TOPICS } from '@leadpipe/contracts';
import { ConsumedEvent, Outcome } from '@leadpipe/kafka';
import { NotificationService } from './notification.service';

@Controller()
export class LeadValidatedConsumer {
  constructor(private readonly notifications: NotificationService) {}

  @EventPattern(TOPICS.leadValidated)
  handle(@Payload() events: ConsumedEvent<LeadValidated>[]): Promise<Outcome[]> {
    return this.notifications.notifyBatch(events);
  }
}
