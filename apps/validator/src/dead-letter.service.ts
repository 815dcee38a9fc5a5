import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeadLetter } from '@leadpipe/contracts';
import { ConsumedEvent, Outcome, processed, skipped } from '@leadpipe/kafka';
import { deadLetterRecord, INSERT_DEAD_LETTER, text } from './dead-letter-record';

/**
 * Records every dead letter in `dead_letters` (listed and replayed by ingest's
 * `/api/dead-letters`) and gives dead-lettered leads their terminal state, in one transaction
 * per slice. Only a lead still waiting (`received`) is marked: a failure after a lead was
 * stored (a notification, say) does not undo its result. A dead letter already recorded
 * (redelivered, or published twice for one failed message) changes nothing, so it cannot
 * mark a lead again after its dead letter was replayed.
 */
@Injectable()
export class DeadLetterService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async recordBatch(events: ConsumedEvent<DeadLetter>[]): Promise<Outcome[]> {
    return this.db.transaction(async (tx) => {
      const outcomes: Outcome[] = [];
      for (const event of events) {
        const { value } = event;
        const inserted: unknown[] = await tx.query(INSERT_DEAD_LETTER, deadLetterRecord(event));
        if (inserted.length === 0) {
          outcomes.push(skipped('dead letter already recorded'));
          continue;
        }
        if (value.leadId) {
          const reason = text(value.reason).slice(0, 2000);
          await tx.query(
            `UPDATE leads SET status = 'dead_lettered', status_reason = $2, reasons = $3, updated_at = now()
              WHERE id = $1 AND status = 'received'`,
            [value.leadId, text(`${value.stage}: ${reason}`).slice(0, 2000), JSON.stringify([reason])],
          );
        }
        outcomes.push(processed());
      }
      return outcomes;
    });
  }
}
