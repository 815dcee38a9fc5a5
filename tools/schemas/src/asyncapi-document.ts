import { EVENT_SCHEMAS, HEADERS, opsAlertSchema, TOPIC_PARTITIONS, TopicKey, TOPICS } from '@leadpipe/contracts';
import { EventDoc, eventJsonSchema, JsonSchema, schemaFileName } from './event-schemas';

type HeaderName = keyof typeof HEADERS;
/** Which messages carry a header: every event, retries and dead letters, or retries only. */
type HeaderScope = 'all' | 'failures' | 'retries';

const HEADER_DOCS: Record<HeaderName, { scope: HeaderScope; description: string; format?: string }> = {
  eventId: { scope: 'all', format: 'uuid', description: "The payload's eventId. Set by the pipeline on what it writes; optional from other producers." },
  correlationId: {
    scope: 'all',
    description: 'Carried through every hop and into the logs. Optional: the pipeline generates one when it is missing.',
  },
  schemaVersion: { scope: 'all', description: "The payload's schemaVersion, as text. Optional from other producers." },
  originTopic: { scope: 'failures', description: 'Topic where the message first was (kept across retries).' },
  originPartition: { scope: 'failures', description: 'Its partition there.' },
  originOffset: { scope: 'failures', description: 'Its offset there.' },
  attempts: { scope: 'failures', description: 'How often it was tried.' },
  firstFailureAt: { scope: 'failures', format: 'date-time', description: 'When it first failed.' },
  error: { scope: 'failures', description: 'The reason, cut to 1000 characters (the dead letter payload has it whole, up to 4000).' },
  stage: { scope: 'failures', description: 'The service that gave up on it (enricher, validator, notifier; ingest for an outbox row its topic refuses).' },
  notBefore: { scope: 'retries', description: 'Epoch milliseconds before which the retry is not processed.' },
};

type KeyRule = 'identity' | 'alert-kind' | 'original';

interface ChannelDoc {
  description: string;
  key: KeyRule;
  headers: readonly HeaderScope[];
  /** What the pipeline does on the topic; other systems do the opposite. Internal topics have none. */
  action?: 'receive' | 'send';
}

const received = (lane: string): ChannelDoc => ({
  description: `${lane} Written by ingest and by other systems' producers; consumed by the enricher.`,
  key: 'identity',
  headers: ['all'],
  action: 'receive',
});
const retry = (n: number): ChannelDoc => ({
  description: `Enrichment retry ${n}: internal to the enricher. Do not produce or consume.`,
  key: 'identity',
  headers: ['all', 'failures', 'retries'],
});

const CHANNEL_DOCS: Record<TopicKey, ChannelDoc> = {
  leadReceived: received('Leads to enrich.'),
  leadReceivedPriority: received("High-priority leads to enrich: consumed by a consumer of their own, so a backlog of normal leads never holds them up."),
  leadEnriched: { description: "The enricher's answers; consumed by the validator.", key: 'identity', headers: ['all'], action: 'send' },
  leadValidated: { description: 'Terminal results; consumed by the notifier.', key: 'identity', headers: ['all'], action: 'send' },
  deadLetter: {
    description: 'Messages a stage could not process (unreadable, schema-invalid, rejected, retries exhausted), with the reason. Replayable.',
    key: 'original',
    headers: ['all', 'failures'],
    action: 'send',
  },
  enrichRetry1: retry(1),
  enrichRetry2: retry(2),
  enrichRetry3: retry(3),
  opsAlert: { description: 'Operator alerts; delivered by the notifier.', key: 'alert-kind', headers: ['all'], action: 'send' },
};

const KEY_SCHEMAS: Record<KeyRule, JsonSchema> = {
  identity: {
    type: 'string',
    description: "The lead's identityKey (same value as in the payload), so every event of one lead lands on one partition, in order.",
    examples: ['email:jane@acme.com', 'linkedin:jane-doe'],
  },
  'alert-kind': { type: 'string', description: "The alert's kind.", enum: [...opsAlertSchema.shape.kind.options] },
  original: { type: ['string', 'null'], description: 'The key of the message that failed.' },
};

/** Well-formed received leads, shown in the document; the tests check them against the contract. */
const receivedExample = (priority: 'normal' | 'high') => ({
  name: `${priority}-priority`,
  summary: `A ${priority}-priority lead with an e-mail address (the key is the normalised e-mail)`,
  headers: { 'event-id': '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f60', 'correlation-id': 'crm-export-2025-03-14', 'schema-version': '1' },
  payload: {
    schemaVersion: 1,
    eventId: '7b0e6a1c-3f2d-4c5b-9a8e-1d2c3b4a5f60',
    leadId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
    identityKey: 'email:jane@acme.com',
    receivedAt: '2025-03-14T09:26:53.589Z',
    source: 'kafka',
    priority,
    lead: { email: 'Jane@Acme.com', firstName: 'Jane', lastName: 'Doe', companyDomain: 'acme.com' },
  },
});

const EXAMPLES: Partial<Record<TopicKey, unknown[]>> = {
  leadReceived: [receivedExample('normal')],
  leadReceivedPriority: [receivedExample('high')],
};

const SCHEMA_FORMAT = 'application/schema+json;version=draft-07';

/**
 * The AsyncAPI 3.0 description of every topic, from the pipeline's side: it receives on the
 * received-lead topics and sends on the others. Payloads reference the JSON Schema files.
 */
export function asyncApiDocument(events: readonly EventDoc[], version: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const topicKey of Object.keys(TOPICS) as TopicKey[]) {
    const event = events.find((e) => e.schema === EVENT_SCHEMAS[topicKey]);
    if (!event) throw new Error(`topic ${topicKey} uses a schema that has no entry in EVENT_DOCS`);
    const doc = CHANNEL_DOCS[topicKey];
    const messageId = camelCase(event.name);
    channels[topicKey] = {
      address: TOPICS[topicKey],
      description: doc.description,
      messages: { [messageId]: message(event, doc, EXAMPLES[topicKey]) },
      bindings: { kafka: { partitions: TOPIC_PARTITIONS[topicKey], bindingVersion: '0.5.0' } },
    };
    if (doc.action) {
      operations[`${doc.action}${topicKey[0].toUpperCase()}${topicKey.slice(1)}`] = {
        action: doc.action,
        channel: { $ref: `#/channels/${topicKey}` },
        messages: [{ $ref: `#/channels/${topicKey}/messages/${messageId}` }],
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'leadpipe',
      version,
      description:
        'Kafka topics of the lead-enrichment pipeline. Generated from libs/contracts by `npm run schemas`; do not edit. ' +
        'A deployment may prefix every topic with a namespace (KAFKA_NAMESPACE=ns: ns.leads.received.v1). ' +
        'Values are UTF-8 JSON; a message that is not JSON or fails its schema goes to leads.dlq.v1 with the reason. ' +
        'How other systems produce leads: docs/producers.md.',
    },
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The local single-node broker of the README; yours is in KAFKA_BROKERS.' },
    },
    defaultContentType: 'application/json',
    channels,
    operations,
  };
}

function message(event: EventDoc, doc: ChannelDoc, examples: unknown[] | undefined): Record<string, unknown> {
  const payload = eventJsonSchema(event);
  return {
    name: event.name,
    title: payload.title,
    description: payload.description,
    contentType: 'application/json',
    headers: headersSchema(doc.headers),
    payload: { schemaFormat: SCHEMA_FORMAT, schema: { $ref: `./schemas/${schemaFileName(event, payload)}` } },
    bindings: { kafka: { key: KEY_SCHEMAS[doc.key], bindingVersion: '0.5.0' } },
    ...(examples ? { examples } : {}),
  };
}

function headersSchema(scopes: readonly HeaderScope[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const name of Object.keys(HEADERS) as HeaderName[]) {
    const { scope, description, format } = HEADER_DOCS[name];
    if (scopes.includes(scope)) properties[HEADERS[name]] = { type: 'string', description, ...(format ? { format } : {}) };
  }
  return { type: 'object', properties };
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
