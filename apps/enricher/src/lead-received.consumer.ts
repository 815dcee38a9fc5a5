import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { LeadReceived, TOPICS } from '@leadpipe/contracts';
import { ConsumedEvent, Outcome } from '@leadpipe/kafka';
import { EnrichmentService } from './enrichment.service';

@Controller()
export class LeadReceivedConsumer {
  constructor(private readonly enrichment: EnrichmentService) {}

  @EventPattern(TOPICS.leadReceived)
  handle(@Payload() events: ConsumedEvent<LeadReceived>[]): Promise<Outcome[]> {
    return this.enrichment.enrichBatch(events);
  }

  /** Same work; the runtime holds back the normal topic while this one has a backlog. */
  @EventPattern(TOPICS.leadReceivedPriority)
  handlePriority(@Payload() events: ConsumedEvent<LeadReceived>[]): Promise<Outcome[]> {
    return this.enrichment.enrichBatch(events);
  }
}
