/**
 * How another system hands leads to leadpipe over Kafka: one `leads.received.v1` event per
 * lead, keyed by the lead's identity. Nothing here comes from leadpipe's code: the payload is
 * built by hand from the documented schema (docs/producers.md, docs/schemas/lead-received.v1.schema.json),
 * as a producer in another codebase would. Only kafkajs is needed.
 *
 * Run from the repository root against a broker whose topics exist (`npm run setup`):
 *   npx tsc examples/kafka-producer.ts --outDir .cache/examples --module commonjs --target es2022 --strict --types node \
 *     && KAFKA_BROKERS=127.0.0.1:9092 node .cache/examples/kafka-producer.js jane.doe@acme.com Jane Doe acme.com
 * The first argument is an e-mail address or a LinkedIn profile URL; add --priority=high for the priority topic.
 * KAFKA_NAMESPACE=ns sends to ns.leads.received.v1, for a pipeline started with the same namespace.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, Message, Partitioners } from 'kafkajs';

/** What the other system knows about the person. Blank fields are left out of the event. */
export interface Lead {
  email?: string;
  firstName?: string;
  lastName?: string;
  companyDomain?: string;
  linkedinUrl?: string;
}

export interface LeadMessageOptions {
  /** The pipeline's KAFKA_NAMESPACE, if it runs with one. */
  namespace?: string;
  /** `high` goes to `leads.received.priority.v1` and is enriched first. */
  priority?: 'normal' | 'high';
  /** Follows the lead through the pipeline's logs; use your own request or batch id. */
  correlationId?: string;
  /** Keep the same leadId (and eventId) when you send the same lead again after an uncertain send. */
  leadId?: string;
  eventId?: string;
  receivedAt?: Date;
}

/** One Kafka message for one lead, and the topic it goes to. */
export interface LeadMessage {
  topic: string;
  message: Message & { key: string; value: string; headers: Record<string, string> };
}

/**
 * The identity rule every leadpipe producer follows, which decides the message key: the e-mail,
 * trimmed and lower-cased, when there is one; else the LinkedIn profile slug.
 */
export function identityKeyOf(lead: Lead): string {
  const email = lead.email?.trim().toLowerCase();
  if (email) return `email:${email}`;
  const slug = lead.linkedinUrl ? linkedinSlug(lead.linkedinUrl) : null;
  if (slug) return `linkedin:${slug}`;
  throw new Error('a lead needs an e-mail address or a LinkedIn profile URL (https://www.linkedin.com/in/<name>/)');
}

/** `https://de.linkedin.com/in/Jane-Doe/?trk=x` → `jane-doe`: the part after /in/ (or /pub/), URL-decoded, lower-cased. */
function linkedinSlug(url: string): string | null {
  const match = /^(?:https?:\/\/)?(?:[a-z0-9-]+\.)*linkedin\.com\/(?:in|pub)\/([^/?#]+)/i.exec(url.trim());
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]).trim().toLowerCase() || null;
  } catch {
    return null; // malformed percent-encoding: not a profile URL we can key on
  }
}

export function buildLeadMessage(lead: Lead, options: LeadMessageOptions = {}): LeadMessage {
  const priority = options.priority ?? 'normal';
  const identityKey = identityKeyOf(lead);
  const eventId = options.eventId ?? randomUUID();
  const payload = {
    schemaVersion: 1, // the version of leads.received.v1; a breaking change would come as a new topic
    eventId, // this message
    leadId: options.leadId ?? randomUUID(), // the lead: GET /api/leads/<leadId> shows its result once stored
    identityKey, // must equal the message key
    receivedAt: (options.receivedAt ?? new Date()).toISOString(), // RFC 3339 with Z or an offset
    source: 'kafka', // what other systems' producers send
    priority,
    refresh: false, // true buys the data again even if leadpipe has it cached (costs credits)
    lead: withoutBlankFields(lead), // at least one of email, linkedinUrl
  };
  const topic = priority === 'high' ? 'leads.received.priority.v1' : 'leads.received.v1';
  return {
    topic: options.namespace ? `${options.namespace}.${topic}` : topic,
    message: {
      key: identityKey, // every event of one lead on one partition, in order
      value: JSON.stringify(payload), // UTF-8 JSON
      headers: {
        'event-id': eventId,
        'schema-version': '1',
        'correlation-id': options.correlationId ?? randomUUID(),
      },
    },
  };
}

/** The schema refuses blank strings ("   "); an unknown value is better left out. */
function withoutBlankFields(lead: Lead): Lead {
  return Object.fromEntries(Object.entries(lead).filter(([, value]) => typeof value === 'string' && value.trim() !== '')) as Lead;
}

async function main(argv: readonly string[]): Promise<void> {
  const flags = argv.filter((a) => a.startsWith('--'));
  const [identity, firstName, lastName, companyDomain] = argv.filter((a) => !a.startsWith('--'));
  if (!identity) throw new Error('usage: kafka-producer <email | LinkedIn URL> [firstName] [lastName] [companyDomain] [--priority=high]');
  const lead: Lead = identity.includes('linkedin.com') ? { linkedinUrl: identity } : { email: identity };
  Object.assign(lead, { firstName, lastName, companyDomain });
  const { topic, message } = buildLeadMessage(lead, {
    namespace: process.env.KAFKA_NAMESPACE,
    priority: flags.includes('--priority=high') ? 'high' : 'normal',
  });

  const kafka = new Kafka({ clientId: 'example-crm', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') });
  const producer = kafka.producer({
    idempotent: true, // a send kafkajs retries after a lost acknowledgement is written once
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false, // the pipeline creates its topics with the right partition counts
    createPartitioner: Partitioners.DefaultPartitioner, // murmur2, like Java clients and leadpipe itself
  });
  await producer.connect();
  try {
    // acks -1: the send resolves once every in-sync replica has the lead.
    const [meta] = await producer.send({ topic, acks: -1, messages: [message] });
    const { leadId } = JSON.parse(message.value) as { leadId: string };
    console.log(`lead ${leadId} sent to ${topic} (partition ${meta.partition}, offset ${meta.baseOffset}, key ${message.key})`);
  } finally {
    await producer.disconnect();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
