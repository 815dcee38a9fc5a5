import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { identityKeyOf as contractIdentityKeyOf, leadReceivedSchema, topicName } from '@leadpipe/contracts';
import { buildLeadMessage, identityKeyOf, Lead } from '../../examples/kafka-producer';

/** examples/kafka-producer.ts builds its events by hand, as another codebase would: they must still be ours. */
describe('examples/kafka-producer', () => {
  const schemaFile = resolve(__dirname, '../../docs/schemas/lead-received.v1.schema.json');
  const validate = new Ajv({ allErrors: true, format: 'full' }).compile(JSON.parse(readFileSync(schemaFile, 'utf8')));

  it.each([
    ['an e-mail lead', { email: ' Jane.Doe@ACME.com', firstName: 'Jane', lastName: 'Doe', companyDomain: 'acme.com' }, 'normal'],
    ['a LinkedIn-only lead', { linkedinUrl: 'https://de.linkedin.com/in/Jane-Doe/?trk=x' }, 'high'],
    ['a lead with blank fields', { email: 'jane@acme.com', firstName: '  ', lastName: '' }, 'normal'],
  ] as Array<[string, Lead, 'normal' | 'high']>)('builds %s that the contract and the JSON Schema accept, keyed and routed like ingest', (_case, lead, priority) => {
    const { topic, message } = buildLeadMessage(lead, { namespace: 'team-a', priority, correlationId: 'batch-7' });
    const payload = JSON.parse(message.value) as Record<string, unknown>;

    expect(leadReceivedSchema.safeParse(payload).error?.issues ?? []).toEqual([]);
    expect(validate(payload)).toBe(true);
    expect(topic).toBe(topicName(priority === 'high' ? 'leadReceivedPriority' : 'leadReceived', 'team-a'));
    expect(message.key).toBe(contractIdentityKeyOf(lead));
    expect(payload).toMatchObject({ identityKey: message.key, priority, source: 'kafka' });
    expect(message.headers).toEqual({ 'event-id': payload.eventId, 'schema-version': '1', 'correlation-id': 'batch-7' });
  });

  it.each([
    'https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa',
    'HTTPS://WWW.LINKEDIN.COM/IN/JANE/',
    'linkedin.com/in/jane-doe/',
    'https://www.linkedin.com/in/jane-doe/details/experience/',
    'https://www.linkedin.com/pub/jane-doe/12/345/678',
    'https://www.linkedin.com/in/łukasz-nowak/',
  ])('keys %s as the contracts do', (linkedinUrl) => {
    expect(identityKeyOf({ linkedinUrl })).toBe(contractIdentityKeyOf({ linkedinUrl }));
  });

  it.each([
    ['no identity', {}],
    ['a company page', { linkedinUrl: 'https://www.linkedin.com/company/acme/' }],
    ['a look-alike host', { linkedinUrl: 'https://linkedin.com.evil.io/in/jane-doe' }],
    ['malformed percent-encoding', { linkedinUrl: 'https://www.linkedin.com/in/jos%C3-garcia' }],
  ] as Array<[string, Lead]>)('refuses a lead it cannot key: %s', (_case, lead) => {
    expect(contractIdentityKeyOf(lead)).toBeNull();
    expect(() => buildLeadMessage(lead)).toThrow(/e-mail address or a LinkedIn profile URL/);
  });
});
