import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { NotifierEnv } from '@leadpipe/config';
import type { LeadValidated } from '@leadpipe/contracts';
import type { ConsumedEvent } from '@leadpipe/kafka';
import { NotificationService } from './notification.service';

const config = {
  NOTIFIER_ENABLED: true,
  // Never reached in these tests: the database answers first.
  NOTIFIER_WEBHOOK_URL: 'http://127.0.0.1:9/never',
  NOTIFIER_WEBHOOK_TIMEOUT_MS: 1_000,
  NOTIFIER_SCORE_THRESHOLD: 70,
} as NotifierEnv;

const event = (): ConsumedEvent<LeadValidated> => ({
  topic: 'leads.validated.v1',
  partition: 0,
  offset: '0',
  key: 'email:jane@acme.com',
  headers: {},
  correlationId: 'c',
  value: {
    schemaVersion: 1,
    eventId: randomUUID(),
    leadId: randomUUID(),
    identityKey: 'email:jane@acme.com',
    status: 'enriched',
    score: 90,
    reasons: [],
    summary: { fullName: 'Jane', email: 'jane@acme.com', title: null, companyName: null, companyDomain: null, country: null, linkedinUrl: null },
    validatedAt: new Date().toISOString(),
  },
});

/** What TypeORM throws for a PostgreSQL error: the driver's error under `driverError`, its fields copied. */
const queryFailed = (code: string) => Object.assign(new Error('query failed'), { code, driverError: { code } });

describe('NotificationService and erased leads', () => {
  it('skips a lead that is gone (its notification row has no lead to reference) and sends nothing', async () => {
    const query = jest.fn().mockRejectedValueOnce(queryFailed('23503'));
    const service = new NotificationService({ query } as unknown as DataSource, config);
    expect(await service.notifyBatch([event()])).toEqual([{ status: 'skipped', reason: 'lead erased' }]);
    expect(query).toHaveBeenCalledTimes(1);
  });

  it('lets any other database failure through, so the slice is retried', async () => {
    const query = jest.fn().mockRejectedValueOnce(queryFailed('57P01'));
    const service = new NotificationService({ query } as unknown as DataSource, config);
    await expect(service.notifyBatch([event()])).rejects.toThrow('query failed');
  });
});
