import { DeadLetter } from '@leadpipe/contracts';
import { ConsumedEvent } from '@leadpipe/kafka';

/** The columns of one `dead_letters` row, in the order of {@link INSERT_DEAD_LETTER}. */
export type DeadLetterRecord = [
  id: string,
  leadId: string | null,
  stage: string,
  errorCode: string,
  reason: string,
  attempts: number,
  originTopic: string,
  originPartition: number,
  originOffset: string,
  firstFailureAt: Date,
  failedAt: Date,
  messageKey: string | null,
  payload: Buffer,
  payloadEncoding: string,
  correlationId: string,
];

/**
 * Redelivery-safe: the same dead letter (same event id) or the same failed message dead-lettered
 * twice (same origin) is recorded once; RETURNING tells the caller whether this one was new.
 */
export const INSERT_DEAD_LETTER = `
  INSERT INTO dead_letters (id, lead_id, stage, error_code, reason, attempts, origin_topic, origin_partition, origin_offset,
                            first_failure_at, failed_at, message_key, payload, payload_encoding, correlation_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
  ON CONFLICT DO NOTHING
  RETURNING id`;

/**
 * A dead letter as a row. PostgreSQL text cannot hold NUL characters and rejects some dates
 * the contract lets through (year 0), and an insert it refuses would stop the dead-letter
 * consumer for good (a handler that throws is retried, not skipped), so text is cleaned and
 * dates are passed as `Date`s. The payload is kept as its original bytes.
 */
export function deadLetterRecord(event: ConsumedEvent<DeadLetter>): DeadLetterRecord {
  const v = event.value;
  const failedAt = timestamp(v.failedAt, new Date());
  return [
    v.eventId,
    v.leadId,
    text(v.stage),
    v.errorCode,
    text(v.reason),
    v.attempts,
    text(v.originTopic),
    v.originPartition,
    text(v.originOffset),
    timestamp(v.firstFailureAt, failedAt),
    failedAt,
    v.key === null ? null : text(v.key),
    Buffer.from(v.payload, v.payloadEncoding === 'utf8' ? 'utf8' : 'base64'),
    v.payloadEncoding,
    text(event.correlationId),
  ];
}

/** Text PostgreSQL accepts: NUL characters become U+FFFD. */
export function text(value: string): string {
  return value.replace(/\u0000/g, '\uFFFD');
}

function timestamp(iso: string, fallback: Date): Date {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? fallback : date;
}
