import { z } from 'zod';
import { deadLetterSchema, EVENT_SCHEMAS, leadEnrichedSchema, leadReceivedSchema, leadValidatedSchema } from './events';

const EVENT_ID = '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f60';
const LEAD_ID = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
const AT = '2025-03-14T09:26:53.589Z';

const envelope = () => ({ schemaVersion: 1, eventId: EVENT_ID, leadId: LEAD_ID, identityKey: 'email:jane@acme.com' });
const lead = (overrides: Record<string, unknown> = {}) => ({
  email: 'jane@acme.com',
  firstName: 'Jane',
  lastName: 'Doe',
  companyDomain: 'acme.com',
  linkedinUrl: 'https://www.linkedin.com/in/jane-doe/',
  ...overrides,
});

const leadReceived = (overrides: Record<string, unknown> = {}) => ({
  ...envelope(),
  receivedAt: AT,
  source: 'api',
  priority: 'high',
  lead: lead(),
  ...overrides,
});

const leadEnriched = (overrides: Record<string, unknown> = {}) => ({
  ...envelope(),
  receivedAt: AT,
  lead: lead(),
  outcome: 'enriched',
  provider: 'netrows',
  providerCalls: 2,
  enrichedAt: '2025-03-14T09:27:00+01:00',
  person: { username: 'jane-doe', firstName: 'Jane' },
  company: null,
  ...overrides,
});

const leadValidated = (overrides: Record<string, unknown> = {}) => ({
  ...envelope(),
  status: 'enriched',
  score: 87,
  reasons: [],
  summary: {
    fullName: 'Jane Doe',
    email: 'jane@acme.com',
    title: 'VP of Sales',
    companyName: 'Acme',
    companyDomain: 'acme.com',
    country: 'DE',
    linkedinUrl: 'https://www.linkedin.com/in/jane-doe/',
  },
  validatedAt: AT,
  ...overrides,
});

const deadLetter = (overrides: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  eventId: EVENT_ID,
  leadId: null,
  stage: 'enricher',
  reason: 'lead.email: Invalid input',
  errorCode: 'schema_invalid',
  originTopic: 'leads.received.v1',
  originPartition: 3,
  originOffset: '1042',
  attempts: 1,
  firstFailureAt: AT,
  failedAt: AT,
  key: 'email:jane@acme.com',
  payload: '{"broken":',
  payloadEncoding: 'utf8',
  ...overrides,
});

const without = (event: Record<string, unknown>, key: string) => {
  const copy = { ...event };
  delete copy[key];
  return copy;
};

/** Paths of the issues zod reports, e.g. ['lead.email']: a rejection must point at the fault. */
function rejectedPaths(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((i) => i.path.join('.'));
}

describe('event schemas accept a well-formed event', () => {
  it.each([
    ['leadReceived', leadReceived()],
    ['leadEnriched', leadEnriched()],
    ['leadEnriched not_found, from the cache', leadEnriched({ outcome: 'not_found', providerCalls: 0, person: null, company: null })],
    ['leadValidated', leadValidated()],
    ['leadValidated invalid, without score', leadValidated({ status: 'invalid', score: null, reasons: ['email: not a valid e-mail address'] })],
    ['deadLetter', deadLetter()],
    ['deadLetter of a known lead, base64', deadLetter({ leadId: LEAD_ID, key: null, payloadEncoding: 'base64', payload: 'AAEC' })],
  ] as const)('%s', (name, event) => {
    const key = name.split(' ')[0] as keyof typeof EVENT_SCHEMAS;
    expect(rejectedPaths(EVENT_SCHEMAS[key], event)).toEqual([]);
  });
});

describe('leadReceived', () => {
  it("defaults priority to 'normal'", () => {
    const parsed = leadReceivedSchema.parse(without(leadReceived(), 'priority'));
    expect(parsed.priority).toBe('normal');
  });

  it('keeps a lead that has only a LinkedIn URL, or only an e-mail', () => {
    expect(rejectedPaths(leadReceivedSchema, leadReceived({ lead: { linkedinUrl: 'https://www.linkedin.com/in/jane-doe/' } }))).toEqual([]);
    expect(rejectedPaths(leadReceivedSchema, leadReceived({ lead: { email: 'jane@acme.com' } }))).toEqual([]);
  });

  it('trims the lead fields it keeps', () => {
    const parsed = leadReceivedSchema.parse(leadReceived({ lead: lead({ email: ' jane@acme.com ', firstName: '  Jane ' }) }));
    expect(parsed.lead).toMatchObject({ email: 'jane@acme.com', firstName: 'Jane' });
  });

  it.each([
    ['a missing eventId', without(leadReceived(), 'eventId'), 'eventId'],
    ['a non-uuid eventId', leadReceived({ eventId: 'evt-1' }), 'eventId'],
    ['a non-uuid leadId', leadReceived({ leadId: '12345' }), 'leadId'],
    ['schemaVersion 2', leadReceived({ schemaVersion: 2 }), 'schemaVersion'],
    ['schemaVersion as text', leadReceived({ schemaVersion: '1' }), 'schemaVersion'],
    ['an empty identityKey', leadReceived({ identityKey: '' }), 'identityKey'],
    // Regression (fuzz suite): text PostgreSQL cannot store held its partition, retried forever by the validator.
    ['a NUL in the identityKey', leadReceived({ identityKey: 'email:ja\u0000ne@acme.com' }), 'identityKey'],
    ['a NUL in firstName', leadReceived({ lead: lead({ firstName: 'Ja\u0000ne' }) }), 'lead.firstName'],
    ['a lone surrogate in lastName', leadReceived({ lead: lead({ lastName: 'Doe\uD800' }) }), 'lead.lastName'],
    ['a NUL in companyDomain', leadReceived({ lead: lead({ companyDomain: 'acme.com\u0000' }) }), 'lead.companyDomain'],
    ['a lone surrogate in email', leadReceived({ lead: lead({ email: 'jane\uDC00@acme.com' }) }), 'lead.email'],
    ['a lead with neither email nor linkedinUrl', leadReceived({ lead: { firstName: 'Jane', companyDomain: 'acme.com' } }), 'lead.email'],
    ['a lead whose email and linkedinUrl are blank', leadReceived({ lead: { email: '  ', linkedinUrl: '' } }), 'lead.email'],
    ['an empty firstName', leadReceived({ lead: lead({ firstName: '   ' }) }), 'lead.firstName'],
    ['an unknown source', leadReceived({ source: 'fax' }), 'source'],
    ['an unknown priority', leadReceived({ priority: 'urgent' }), 'priority'],
    ['a date without time', leadReceived({ receivedAt: '2025-03-14' }), 'receivedAt'],
    ['an impossible date', leadReceived({ receivedAt: '2025-02-30T10:00:00Z' }), 'receivedAt'],
    ['a month 13', leadReceived({ receivedAt: '2025-13-01T10:00:00Z' }), 'receivedAt'],
    ['an epoch number', leadReceived({ receivedAt: 1741944413589 }), 'receivedAt'],
    ['a human-readable date', leadReceived({ receivedAt: 'Fri, 14 Mar 2025 09:26:53 GMT' }), 'receivedAt'],
  ])('rejects %s', (_case, event, path) => {
    expect(rejectedPaths(leadReceivedSchema, event)).toEqual([path]);
  });
});

describe('leadEnriched', () => {
  it.each([
    ['a missing eventId', without(leadEnriched(), 'eventId'), 'eventId'],
    ['a non-uuid leadId', leadEnriched({ leadId: 'lead-1' }), 'leadId'],
    ['schemaVersion 0', leadEnriched({ schemaVersion: 0 }), 'schemaVersion'],
    ['an unknown outcome', leadEnriched({ outcome: 'invalid' }), 'outcome'],
    ['an empty provider', leadEnriched({ provider: '' }), 'provider'],
    ['negative providerCalls', leadEnriched({ providerCalls: -1 }), 'providerCalls'],
    ['fractional providerCalls', leadEnriched({ providerCalls: 1.5 }), 'providerCalls'],
    ['a bad enrichedAt', leadEnriched({ enrichedAt: 'yesterday' }), 'enrichedAt'],
    ['a person that is an array', leadEnriched({ person: [] }), 'person'],
    ['a missing company', without(leadEnriched(), 'company'), 'company'],
    ['a lead without identity', leadEnriched({ lead: { lastName: 'Doe' } }), 'lead.email'],
  ])('rejects %s', (_case, event, path) => {
    expect(rejectedPaths(leadEnrichedSchema, event)).toEqual([path]);
  });
});

describe('leadValidated', () => {
  it.each([
    ['a missing eventId', without(leadValidated(), 'eventId'), 'eventId'],
    ['a non-uuid leadId', leadValidated({ leadId: 'not-a-uuid' }), 'leadId'],
    ['schemaVersion 2', leadValidated({ schemaVersion: 2 }), 'schemaVersion'],
    ['status dead_lettered', leadValidated({ status: 'dead_lettered' }), 'status'],
    ['a score above 100', leadValidated({ score: 101 }), 'score'],
    ['a negative score', leadValidated({ score: -1 }), 'score'],
    ['a fractional score', leadValidated({ score: 50.5 }), 'score'],
    ['a summary missing a field', leadValidated({ summary: without(leadValidated().summary, 'title') }), 'summary.title'],
    ['a bad validatedAt', leadValidated({ validatedAt: '2025-03-14 09:26:53' }), 'validatedAt'],
  ])('rejects %s', (_case, event, path) => {
    expect(rejectedPaths(leadValidatedSchema, event)).toEqual([path]);
  });
});

describe('deadLetter', () => {
  it.each([
    ['a missing eventId', without(deadLetter(), 'eventId'), 'eventId'],
    ['a non-uuid leadId', deadLetter({ leadId: 'lead-1' }), 'leadId'],
    ['schemaVersion 2', deadLetter({ schemaVersion: 2 }), 'schemaVersion'],
    ['an unknown errorCode', deadLetter({ errorCode: 'boom' }), 'errorCode'],
    ['an errorCode in another case', deadLetter({ errorCode: 'SCHEMA_INVALID' }), 'errorCode'],
    ['an empty stage', deadLetter({ stage: '' }), 'stage'],
    ['an empty reason', deadLetter({ reason: '' }), 'reason'],
    ['zero attempts', deadLetter({ attempts: 0 }), 'attempts'],
    ['a numeric offset', deadLetter({ originOffset: 1042 }), 'originOffset'],
    ['a bad firstFailureAt', deadLetter({ firstFailureAt: '2025-03-14T25:00:00Z' }), 'firstFailureAt'],
    ['an unknown payload encoding', deadLetter({ payloadEncoding: 'hex' }), 'payloadEncoding'],
  ])('rejects %s', (_case, event, path) => {
    expect(rejectedPaths(deadLetterSchema, event)).toEqual([path]);
  });
});
