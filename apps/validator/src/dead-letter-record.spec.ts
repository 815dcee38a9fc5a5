import { randomUUID } from 'node:crypto';
import { DeadLetter } from '@leadpipe/contracts';
import { ConsumedEvent } from '@leadpipe/kafka';
import { deadLetterRecord } from './dead-letter-record';

function consumed(overrides: Partial<DeadLetter> = {}): ConsumedEvent<DeadLetter> {
  return {
    topic: 'leads.dlq.v1',
    partition: 0,
    offset: '7',
    key: 'email:ada@acme.example',
    headers: {},
    correlationId: 'corr-1',
    value: {
      schemaVersion: 1,
      eventId: randomUUID(),
      leadId: randomUUID(),
      stage: 'enricher',
      reason: 'Netrows rejected the request: bad username',
      errorCode: 'provider_rejected',
      originTopic: 'leads.received.v1',
      originPartition: 2,
      originOffset: '41',
      attempts: 1,
      firstFailureAt: '2026-11-30T10:00:00.000Z',
      failedAt: '2026-11-30T10:00:01.000+01:00',
      key: 'email:ada@acme.example',
      payload: '{"leadId":"x"}',
      payloadEncoding: 'utf8',
      ...overrides,
    },
  };
}

describe('deadLetterRecord', () => {
  it('maps a dead letter to its row, the payload as its original bytes', () => {
    const event = consumed();
    const v = event.value;
    expect(deadLetterRecord(event)).toEqual([
      v.eventId,
      v.leadId,
      'enricher',
      'provider_rejected',
      'Netrows rejected the request: bad username',
      1,
      'leads.received.v1',
      2,
      '41',
      new Date('2026-11-30T10:00:00.000Z'),
      new Date('2026-11-30T09:00:01.000Z'),
      'email:ada@acme.example',
      Buffer.from('{"leadId":"x"}'),
      'utf8',
      'corr-1',
    ]);
  });

  it('keeps a binary payload byte for byte', () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe]);
    const record = deadLetterRecord(consumed({ payload: bytes.toString('base64'), payloadEncoding: 'base64' }));
    expect(record[12]).toEqual(bytes);
    expect(record[13]).toBe('base64');
  });

  // Regression: PostgreSQL refuses NUL in text, and a refused insert would retry the dead-letter slice forever.
  it('replaces NUL characters in text columns', () => {
    const record = deadLetterRecord(consumed({ reason: 'value is not JSON: Unexpected token \u0000', key: 'a\u0000b', payload: 'x\u0000y' }));
    expect(record[4]).toBe('value is not JSON: Unexpected token \uFFFD');
    expect(record[11]).toBe('a\uFFFDb');
    // The payload is bytea: NUL is fine there and kept.
    expect(record[12]).toEqual(Buffer.from('x\u0000y'));
  });
});
