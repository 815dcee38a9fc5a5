import { z } from 'zod';
import { deadLetterSchema, leadEnrichedSchema, leadInputSchema, leadReceivedSchema, leadValidatedSchema, opsAlertSchema } from '@leadpipe/contracts';

export type JsonSchema = z.core.JSONSchema.JSONSchema;

/**
 * Draft-07, not 2020-12: AsyncAPI 3.0's Schema Object is a superset of draft-07 (its tools
 * register `application/schema+json;version=draft-07`, not 2020-12), and every JSON Schema
 * validator reads it. The zod output uses nothing that differs between the two drafts.
 */
export const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

/** What `String.prototype.trim()` leaves non-empty: the contracts trim lead fields before checking them. */
export const NOT_BLANK = '\\S';

export interface EventDoc {
  /** File and message name, e.g. `lead-received` → `docs/schemas/lead-received.v1.schema.json`. */
  name: string;
  schema: z.ZodType;
  title: string;
  description: string;
  /** Descriptions by property path (`lead.email`). Every path must exist in the schema. */
  fields?: Record<string, string>;
  /** True when every property must have a description (the events other teams produce). */
  describeEveryField?: boolean;
}

/** Every event schema in the contracts, documented. Topics find theirs by schema identity. */
export const EVENT_DOCS: readonly EventDoc[] = [
  {
    name: 'lead-received',
    schema: leadReceivedSchema,
    title: 'Lead received',
    description:
      'A lead to enrich, as the pipeline (ingest) or another system writes it to leads.received.v1 or leads.received.priority.v1. ' +
      'The Kafka key must be identityKey. Unknown properties are accepted and dropped.',
    describeEveryField: true,
    fields: {
      schemaVersion: 'Payload version: 1 on the v1 topics. A breaking change gets a new topic (leads.received.v2), not a new value here.',
      eventId: 'Identifies this message. A new UUID per event; keep it when you send the same event again after an uncertain send.',
      leadId:
        'Identifies the lead in the pipeline (its id in GET /api/leads/{id}). A new UUID per lead; the same leadId sent again updates that lead instead of adding one.',
      identityKey:
        "The lead's identity, and the Kafka message key: 'email:' + the e-mail trimmed and lower-cased when there is one, " +
        "else 'linkedin:' + the LinkedIn profile slug (lower-cased, URL-decoded).",
      receivedAt: 'When your system received the lead: an RFC 3339 date-time with Z or an offset, e.g. 2025-03-14T09:26:53.589Z.',
      source: "Where the lead came from; other systems' producers send 'kafka'.",
      priority: "'high': enriched ahead of 'normal' leads; send such leads to leads.received.priority.v1.",
      refresh: "true: buy this lead's data again even if it is cached, and replace the cached answers (costs credits).",
      lead: 'What you know about the person. Strings are trimmed before they are checked; at least one of email or linkedinUrl must not be blank.',
      'lead.email': 'Work e-mail address. Decides the identity key when present.',
      'lead.firstName': 'First name.',
      'lead.lastName': 'Last name.',
      'lead.companyDomain': "The company's web domain, e.g. acme.com.",
      'lead.linkedinUrl': 'LinkedIn profile URL, e.g. https://www.linkedin.com/in/jane-doe/. Decides the identity key when there is no e-mail.',
    },
  },
  {
    name: 'lead-enriched',
    schema: leadEnrichedSchema,
    title: 'Lead enriched',
    description: "The enricher's answer for one lead: the received fields, the outcome and the provider's raw person and company objects.",
  },
  {
    name: 'lead-validated',
    schema: leadValidatedSchema,
    title: 'Lead validated',
    description: "A lead's terminal result after cleaning and scoring, as stored by the validator.",
  },
  {
    name: 'dead-letter',
    schema: deadLetterSchema,
    title: 'Dead letter',
    description: 'A message a stage could not process, with the reason and the original value (UTF-8 text, else base64).',
    fields: {
      reason: "Why, e.g. 'schema leads.received.v1: lead.email: at least one of email or linkedinUrl is required'.",
      payload: 'The original message value: as text when it was UTF-8, else base64 (see payloadEncoding).',
    },
  },
  {
    name: 'ops-alert',
    schema: opsAlertSchema,
    title: 'Operator alert',
    description: 'Something an operator must act on (provider account, breaker state), raised on state changes.',
  },
];

/** The payload version an event's schema fixes (`schemaVersion: z.literal(n)`). */
export function versionOf(json: JsonSchema): number {
  const version = asSchema(json.properties?.schemaVersion)?.const;
  if (typeof version !== 'number') throw new Error('event schema has no literal schemaVersion');
  return version;
}

export function schemaFileName(event: EventDoc, json: JsonSchema): string {
  return `${event.name}.v${versionOf(json)}.schema.json`;
}

/**
 * The JSON Schema of what a topic accepts: the input side of the zod schema (defaulted fields
 * are optional, unknown properties allowed), plus what zod cannot express by itself.
 */
export function eventJsonSchema(event: EventDoc): JsonSchema {
  const generated = z.toJSONSchema(event.schema, {
    target: 'draft-07',
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema === leadInputSchema) expressLeadInputRefinements(jsonSchema);
    },
  });
  const { $schema: _dialect, ...body } = generated;
  const described = describe(body, event.fields ?? {}, event.name);
  if (event.describeEveryField) requireDescriptions(described, event.name);
  return { $schema: JSON_SCHEMA_DIALECT, title: event.title, description: event.description, ...described };
}

/**
 * leadInputSchema trims every field before checking it and refines "email or linkedinUrl".
 * The same rules in JSON Schema: a non-empty trimmed field contains a non-space character.
 * (maxLength stays on the untrimmed value: stricter than the contract, never looser.)
 */
function expressLeadInputRefinements(json: JsonSchema): void {
  const properties = json.properties ?? {};
  for (const field of Object.values(properties)) {
    const schema = asSchema(field);
    if (schema && (schema.minLength ?? 0) >= 1) schema.pattern = NOT_BLANK;
  }
  const identityFields = ['email', 'linkedinUrl'];
  for (const name of identityFields) if (!(name in properties)) throw new Error(`lead input has no ${name} field any more`);
  json.anyOf = identityFields.map((name) => ({ required: [name], properties: { [name]: { pattern: NOT_BLANK } } }));
}

function describe(schema: JsonSchema, fields: Record<string, string>, eventName: string): JsonSchema {
  const copy = structuredClone(schema);
  for (const [path, description] of Object.entries(fields)) {
    const segments = path.split('.');
    const last = segments.pop()!;
    let parent: JsonSchema | undefined = copy;
    for (const segment of segments) parent = asSchema(parent?.properties?.[segment]);
    const target = asSchema(parent?.properties?.[last]);
    if (!parent?.properties || !target) throw new Error(`${eventName}: a description names ${path}, which the schema does not have`);
    parent.properties[last] = { description, ...target };
  }
  return copy;
}

function requireDescriptions(schema: JsonSchema, eventName: string): void {
  const missing = propertyPaths(schema).filter(([, property]) => !property.description);
  if (missing.length > 0) throw new Error(`${eventName}: describe ${missing.map(([path]) => path).join(', ')}`);
}

/** Every property of an object schema and of its nested object properties, by dotted path. */
export function propertyPaths(schema: JsonSchema, prefix = ''): Array<[string, JsonSchema]> {
  return Object.entries(schema.properties ?? {}).flatMap(([name, value]) => {
    const property = asSchema(value);
    if (!property) return [];
    const path = `${prefix}${name}`;
    return [[path, property] as [string, JsonSchema], ...(property.properties ? propertyPaths(property, `${path}.`) : [])];
  });
}

export function asSchema(value: unknown): JsonSchema | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonSchema) : undefined;
}
