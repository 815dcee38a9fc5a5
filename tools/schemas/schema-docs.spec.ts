import Ajv from 'ajv';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  deadLetterSchema,
  EVENT_SCHEMAS,
  HEADERS,
  identityKeyOf,
  leadEnrichedSchema,
  leadReceivedSchema,
  leadValidatedSchema,
  opsAlertSchema,
  TopicKey,
  TOPICS,
} from '@leadpipe/contracts';
import { ASYNCAPI_FILE, findDrift, generateSchemaDocs, SCHEMAS_DIR } from './src/schema-docs';
import { replaceGenerated } from './src/field-table';

const ROOT = resolve(__dirname, '../..');
const files = generateSchemaDocs(ROOT);
// ajv 6 (draft-07, its default meta-schema); `full` checks formats like date-time strictly.
const ajv = new Ajv({ allErrors: true, format: 'full' });
const jsonSchema = (event: string): Record<string, unknown> => JSON.parse(files.get(`${SCHEMAS_DIR}/${event}.v1.schema.json`)!);
const validatorFor = (event: string) => ajv.compile(jsonSchema(event));

describe('the generated contract documents', () => {
  it('are the committed ones (after changing libs/contracts: npm run build && npm run schemas)', () => {
    expect(findDrift(ROOT, files)).toEqual({ changed: [], stale: [] });
  });

  it('are valid draft-07 JSON Schemas', () => {
    const schemas = [...files].filter(([path]) => path.startsWith(`${SCHEMAS_DIR}/`));
    expect(schemas.map(([path]) => path.slice(SCHEMAS_DIR.length + 1)).sort()).toEqual(
      ['dead-letter', 'lead-enriched', 'lead-received', 'lead-validated', 'ops-alert'].map((e) => `${e}.v1.schema.json`),
    );
    for (const [path, content] of schemas) expect([path, ajv.validateSchema(JSON.parse(content)), ajv.errorsText()]).toEqual([path, true, 'No errors']);
  });

  it('refuse to replace a field table without its markers', () => {
    expect(() => replaceGenerated('# Producers\n', 'lead-received-fields', '| field |')).toThrow(/markers/);
  });
});

const received = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemaVersion: 1,
  eventId: '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f60',
  leadId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  identityKey: 'email:jane@acme.com',
  receivedAt: '2025-03-14T09:26:53.589+01:00',
  source: 'kafka',
  priority: 'high',
  refresh: false,
  lead: { email: 'jane@acme.com', firstName: 'Jane', lastName: 'Doe', companyDomain: 'acme.com', linkedinUrl: 'https://www.linkedin.com/in/jane-doe/' },
  ...overrides,
});
const withLead = (lead: Record<string, unknown>) => received({ lead });
const without = (event: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(Object.entries(event).filter(([k]) => !keys.includes(k)));

describe('lead-received.v1.schema.json', () => {
  const validate = validatorFor('lead-received');

  it.each([
    ['a complete event', received(), true],
    ['an event without the defaulted priority and refresh', without(received(), 'priority', 'refresh'), true],
    ['a lead with only a LinkedIn URL', withLead({ linkedinUrl: 'https://www.linkedin.com/in/jane-doe/' }), true],
    ['a lead with only an e-mail', withLead({ email: 'jane@acme.com' }), true],
    ['a blank e-mail next to a LinkedIn URL', withLead({ email: '  ', linkedinUrl: 'linkedin.com/in/jane-doe' }), true],
    ['fields with spaces around them', withLead({ email: ' jane@acme.com ', firstName: '  Jane ' }), true],
    ['an unknown property (dropped)', received({ crmId: 'A-17' }), true],
    ['a firstName of 200 emoji (lengths count characters)', withLead({ email: 'jane@acme.com', firstName: '😀'.repeat(200) }), true],
    ['a firstName of 201 emoji', withLead({ email: 'jane@acme.com', firstName: '😀'.repeat(201) }), false],
    ['a firstName that is a number', withLead({ email: 'jane@acme.com', firstName: 42 }), false],
    ['a lead with neither e-mail nor LinkedIn URL', withLead({ firstName: 'Jane', companyDomain: 'acme.com' }), false],
    ['a blank e-mail and LinkedIn URL', withLead({ email: ' \t', linkedinUrl: '\n' }), false],
    ['a blank firstName', withLead({ email: 'jane@acme.com', firstName: '   ' }), false],
    ['an empty companyDomain', withLead({ email: 'jane@acme.com', companyDomain: '' }), false],
    ['a lead that is an array', received({ lead: [] }), false],
    ['a lead that is null', received({ lead: null }), false],
    ['schemaVersion 2', received({ schemaVersion: 2 }), false],
    ['schemaVersion as text', received({ schemaVersion: '1' }), false],
    ['a missing leadId', without(received(), 'leadId'), false],
    ['a non-uuid eventId', received({ eventId: 'evt-1' }), false],
    ['an empty identityKey', received({ identityKey: '' }), false],
    ['an unknown source', received({ source: 'crm' }), false],
    ['an unknown priority', received({ priority: 'urgent' }), false],
    ['refresh as text', received({ refresh: 'yes' }), false],
    ['an impossible date', received({ receivedAt: '2025-02-30T10:00:00Z' }), false],
    ['a date-time without offset', received({ receivedAt: '2025-03-14T09:26:53' }), false],
    ['an epoch number', received({ receivedAt: 1741944413589 }), false],
    ['an array instead of an event', [received()], false],
  ])('agrees with the contract on %s', (_case, payload, accepted) => {
    expect({ contract: leadReceivedSchema.safeParse(payload).success, jsonSchema: validate(payload) }).toEqual({
      contract: accepted,
      jsonSchema: accepted,
    });
  });

  // The difference docs/producers.md states; if it disappears, update the document.
  it('counts lengths before trimming, so it is stricter than the contract for padded strings', () => {
    const padded = withLead({ email: 'jane@acme.com', firstName: ` ${'a'.repeat(200)} ` });
    expect({ contract: leadReceivedSchema.safeParse(padded).success, jsonSchema: validate(padded) }).toEqual({ contract: true, jsonSchema: false });
  });
});

describe('the other event schemas', () => {
  const envelope = { schemaVersion: 1, eventId: '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f60', leadId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f', identityKey: 'email:jane@acme.com' };
  const at = '2025-03-14T09:26:53.589Z';
  const events: Array<[string, z.ZodType, Record<string, unknown>, Record<string, unknown>]> = [
    [
      'lead-enriched',
      leadEnrichedSchema,
      { ...envelope, receivedAt: at, lead: { email: 'jane@acme.com' }, outcome: 'enriched', provider: 'netrows', providerCalls: 2, enrichedAt: at, person: { username: 'jane-doe' }, company: null },
      { providerCalls: 1.5 },
    ],
    [
      'lead-validated',
      leadValidatedSchema,
      {
        ...envelope,
        status: 'enriched',
        score: 87,
        reasons: [],
        summary: { fullName: 'Jane Doe', email: null, title: null, companyName: null, companyDomain: null, country: 'DE', linkedinUrl: null },
        validatedAt: at,
      },
      { score: 101 },
    ],
    [
      'dead-letter',
      deadLetterSchema,
      {
        schemaVersion: 1,
        eventId: envelope.eventId,
        leadId: null,
        stage: 'enricher',
        reason: 'schema leads.received.v1: lead.firstName: Invalid input: expected string, received number',
        errorCode: 'schema_invalid',
        originTopic: 'leads.received.v1',
        originPartition: 3,
        originOffset: '1042',
        attempts: 1,
        firstFailureAt: at,
        failedAt: at,
        key: 'email:jane@acme.com',
        payload: '{"lead":{"firstName":42}}',
        payloadEncoding: 'utf8',
      },
      { errorCode: 'SCHEMA_INVALID' },
    ],
    [
      'ops-alert',
      opsAlertSchema,
      { schemaVersion: 1, eventId: envelope.eventId, kind: 'breaker_open', severity: 'warning', source: 'enricher', message: 'provider failing', raisedAt: at },
      { severity: 'urgent' },
    ],
  ];

  it.each(events)('%s accepts what the contract accepts and refuses what it refuses', (event, schema, valid, breaking) => {
    const validate = validatorFor(event);
    const invalid = { ...valid, ...breaking };
    expect([schema.safeParse(valid).success, validate(valid)]).toEqual([true, true]);
    expect([schema.safeParse(invalid).success, validate(invalid)]).toEqual([false, false]);
  });
});

describe('asyncapi.json', () => {
  const document = JSON.parse(files.get(ASYNCAPI_FILE)!) as {
    asyncapi: string;
    channels: Record<string, { address: string; messages: Record<string, Message> }>;
    operations: Record<string, { action: string; channel: { $ref: string } }>;
  };
  interface Message {
    headers: { properties: Record<string, unknown> };
    payload: { schemaFormat: string; schema: { $ref: string } };
    bindings: { kafka: { key: { description: string } } };
    examples?: Array<{ headers: Record<string, string>; payload: Record<string, unknown> }>;
  }
  const topicKeys = Object.keys(TOPICS) as TopicKey[];

  it('describes every topic at its address, with a payload schema that is one of the generated files', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(Object.keys(document.channels).sort()).toEqual([...topicKeys].sort());
    for (const key of topicKeys) {
      const channel = document.channels[key];
      expect(channel.address).toBe(TOPICS[key]);
      for (const message of Object.values(channel.messages)) {
        expect(message.payload.schemaFormat).toBe('application/schema+json;version=draft-07');
        expect(files.has(`docs/${message.payload.schema.$ref.replace(/^\.\//, '')}`)).toBe(true);
        for (const header of Object.keys(message.headers.properties)) expect(Object.values(HEADERS)).toContain(header);
      }
    }
  });

  it('has the pipeline receive on the received-lead topics, which other systems write to', () => {
    const receives = Object.values(document.operations).filter((op) => op.action === 'receive');
    expect(receives.map((op) => op.channel.$ref).sort()).toEqual(['#/channels/leadReceived', '#/channels/leadReceivedPriority']);
  });

  it('shows examples the contract accepts, keyed by their identity', () => {
    const examples = topicKeys.flatMap((key) => Object.values(document.channels[key].messages).flatMap((m) => (m.examples ?? []).map((e) => [key, e] as const)));
    expect(examples.length).toBeGreaterThan(0);
    for (const [key, example] of examples) {
      const parsed = EVENT_SCHEMAS[key].parse(example.payload) as { eventId: string; identityKey: string; lead: { email?: string } };
      expect(parsed.identityKey).toBe(identityKeyOf(parsed.lead));
      expect(example.headers['event-id']).toBe(parsed.eventId);
      expect(validatorFor('lead-received')(example.payload)).toBe(true);
    }
  });
});
