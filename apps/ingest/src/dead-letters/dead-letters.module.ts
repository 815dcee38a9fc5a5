import { Module } from '@nestjs/common';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLetterMetrics } from './dead-letters.metrics';
import { DeadLettersService } from './dead-letters.service';

/** `/api/dead-letters`: list the dead letters the validator recorded, replay one or all through the outbox. */
@Module({
  controllers: [DeadLettersController],
  providers: [DeadLettersService, DeadLetterMetrics],
})
export class DeadLettersModule {}
