import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DeadLetter, LeadEnriched, TOPICS } from '@leadpipe/contracts';
import { ConsumedEvent, Outcome } from '@leadpipe/kafka';
import { DeadLetterService } from './dead-letter.service';
import { ValidationService } from './validation.service';

@Controller()
export class LeadEnrichedConsumer {
  constructor(
    private readonly validation: ValidationService,
    private readonly deadLetters: DeadLetterService,
  ) {}

  @EventPattern(TOPICS.leadEnriched)
  handleEnriched(@Payload() events: ConsumedEvent<LeadEnriched>[]): Promise<Outcome[]> {
    return this.validation.validateBatch(events);
  }

  @EventPattern(TOPICS.deadLetter)
  handleDeadLetter(@Payload() events: ConsumedEvent<DeadLetter>[]): Promise<Outcome[]> {
    return this.deadLetters.recordBatch(events);
  }
}
