import { randomUUID } from 'node:crypto';
import { EventInputOf } from '@leadpipe/contracts';

export type LeadReceivedInput = EventInputOf<'leadReceived'>;

let sequence = 0;

/** A valid `leadReceived` event; every call is a new lead with its own identity. */
export function aLeadReceived(overrides: Partial<LeadReceivedInput> = {}): LeadReceivedInput {
  sequence += 1;
  const email = `lead${sequence}.${randomUUID().slice(0, 8)}@acme-${sequence % 5}.example`;
  return {
    schemaVersion: 1,
    eventId: randomUUID(),
    leadId: randomUUID(),
    identityKey: `email:${email}`,
    receivedAt: new Date().toISOString(),
    source: 'api',
    priority: 'normal',
    lead: { email, firstName: 'Ada', lastName: `Tester${sequence}` },
    ...overrides,
  };
}

/** `count` valid events. */
export function someLeadsReceived(count: number): LeadReceivedInput[] {
  return Array.from({ length: count }, () => aLeadReceived());
}
