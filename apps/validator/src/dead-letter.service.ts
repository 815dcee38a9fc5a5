import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeadLetter } from '@leadpipe/contracts';
import { ConsumedEvent, Outcome, processed, skipped } from '@leadpipe/kafka';

/**
 * Gives dead-lettered leads their terminal state. Only a lead still waiting (`received`) is
 * marked: a failure after a lead was stored (a notification, say) does not undo its result.
 */
@Injectable()
export class DeadLetterService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async recordBatch(events: ConsumedEvent<DeadLetter>[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const { value } of events) {
      if (!value.leadId) {
        outcomes.push(skipped('dead letter names no lead'));
        continue;
      }
      await this.db.query(
        `UPDATE leads SET status = 'dead_lettered', status_reason = $2, reasons = $3, updated_at = now()
          WHERE id = $1 AND status = 'received'`,
        [value.leadId, `${value.stage}: ${value.reason}`.slice(0, 2000), JSON.stringify([value.reason.slice(0, 2000)])],
      );
      outcomes.push(processed());
    }
    return outcomes;
  }
}
