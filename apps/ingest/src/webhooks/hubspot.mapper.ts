import { CreateLeadBody, FieldError, parseCreateLeadBody } from '../create-lead.dto';
import { MAX_LEADS_PER_DELIVERY } from './webhook-leads.body';

/** The HubSpot contact properties a lead is made of, and the lead field each one fills. */
export const HUBSPOT_PROPERTIES = {
  email: 'email',
  firstname: 'first_name',
  lastname: 'last_name',
  website: 'company_domain',
  hs_linkedin_url: 'linkedin_url',
} as const;
type HubSpotProperty = keyof typeof HUBSPOT_PROPERTIES;
type LeadField = (typeof HUBSPOT_PROPERTIES)[HubSpotProperty];
const PROPERTY_OF_FIELD = Object.fromEntries(Object.entries(HUBSPOT_PROPERTIES).map(([p, f]) => [f, p])) as Record<LeadField, HubSpotProperty>;
const IS_PROPERTY = (name: string): name is HubSpotProperty => Object.hasOwn(HUBSPOT_PROPERTIES, name);

/** Webhooks API events one delivery may carry (HubSpot sends at most 100). */
export const MAX_HUBSPOT_EVENTS = 1_000;

/** One contact turned into a lead; `dropped` lists properties left out because their value was unusable. */
export interface HubSpotLead {
  contact: string;
  lead: CreateLeadBody;
  dropped: FieldError[];
}

/** A contact that could not become a lead, and why. */
export interface HubSpotSkipped {
  contact: string;
  errors: FieldError[];
}

export type HubSpotMapping =
  | { ok: true; format: 'workflow'; leads: [HubSpotLead]; skipped: []; ignoredEvents: 0 }
  | { ok: true; format: 'events'; leads: HubSpotLead[]; skipped: HubSpotSkipped[]; ignoredEvents: number }
  | { ok: false; errors: FieldError[] };

/**
 * Maps what HubSpot POSTs to leads, without calling HubSpot's API.
 *
 * - **A workflow's "Send a webhook" action** (a JSON object): the enrolled contact. Its
 *   properties are read from `properties` (`{"email": {"value": ...}}` as the legacy contacts
 *   API has them, or `{"email": "..."}` as CRM v3 has them), or, for a customised request
 *   body, from the top level (`{"email": "...", "firstname": "..."}`). One lead, or a 400
 *   naming the property when the contact has no usable e-mail or LinkedIn URL.
 * - **Webhooks API events** (a JSON array): `contact.propertyChange` (or `object.propertyChange`
 *   on contacts, `objectTypeId` `0-1`) events of the properties above, merged per contact (the
 *   latest `occurredAt` wins). A contact whose e-mail or LinkedIn URL changed becomes a lead;
 *   other events carry nothing to make a lead of and are counted as ignored. A contact whose
 *   identity is unusable is skipped with its reasons: HubSpot retries every 4xx for a day, and
 *   the same value would fail each time.
 *
 * In both, a property whose value does not validate (a `website` that is not a domain, a Sales
 * Navigator link in `hs_linkedin_url`) is dropped and reported, as long as the lead keeps an
 * identity: one malformed optional field should not lose a contact.
 */
export function mapHubSpotPayload(body: unknown): HubSpotMapping {
  if (Array.isArray(body)) return mapEvents(body);
  if (body !== null && typeof body === 'object') return mapWorkflowContact(body as Record<string, unknown>);
  return { ok: false, errors: [{ field: '(body)', reason: 'must be a HubSpot contact object or an array of Webhooks API events' }] };
}

function mapWorkflowContact(body: Record<string, unknown>): HubSpotMapping {
  const nested = body.properties !== null && typeof body.properties === 'object' && !Array.isArray(body.properties);
  const source = (nested ? body.properties : body) as Record<string, unknown>;
  const values: Partial<Record<HubSpotProperty, unknown>> = {};
  for (const property of Object.keys(HUBSPOT_PROPERTIES) as HubSpotProperty[]) {
    const raw = source[property];
    // The legacy contacts format wraps each value: {"value": "...", "versions": [...]}.
    const value = raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw ? (raw as { value: unknown }).value : raw;
    if (value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')) values[property] = value;
  }
  const contact = contactRef(body, nested ? source : undefined);
  const built = buildLead(values, (property) => (nested ? `properties.${property}` : property));
  if (!built.ok) return { ok: false, errors: built.errors };
  return { ok: true, format: 'workflow', leads: [{ contact, lead: built.lead, dropped: built.dropped }], skipped: [], ignoredEvents: 0 };
}

interface ContactChanges {
  contact: string;
  values: Partial<Record<HubSpotProperty, { value: unknown; at: number }>>;
  events: number;
}

function mapEvents(events: unknown[]): HubSpotMapping {
  if (events.length === 0) return { ok: false, errors: [{ field: '(body)', reason: 'must hold at least one event' }] };
  if (events.length > MAX_HUBSPOT_EVENTS) return { ok: false, errors: [{ field: '(body)', reason: `must hold at most ${MAX_HUBSPOT_EVENTS} events` }] };
  const errors: FieldError[] = [];
  const contacts = new Map<string, ContactChanges>();
  let ignoredEvents = 0;
  events.forEach((event, index) => {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      errors.push({ field: `[${index}]`, reason: 'must be a HubSpot event object' });
      return;
    }
    const e = event as Record<string, unknown>;
    if (typeof e.subscriptionType !== 'string') errors.push({ field: `[${index}].subscriptionType`, reason: 'must be a string' });
    if (!isId(e.objectId)) errors.push({ field: `[${index}].objectId`, reason: 'must be a HubSpot object id' });
    if (!isId(e.portalId)) errors.push({ field: `[${index}].portalId`, reason: 'must be a HubSpot account id' });
    if (typeof e.subscriptionType !== 'string' || !isId(e.objectId) || !isId(e.portalId)) return;
    const contactChange =
      e.subscriptionType === 'contact.propertyChange' || (e.subscriptionType === 'object.propertyChange' && String(e.objectTypeId) === '0-1');
    if (!contactChange || typeof e.propertyName !== 'string' || !IS_PROPERTY(e.propertyName)) {
      ignoredEvents++;
      return;
    }
    const key = `${e.portalId}:${e.objectId}`;
    const changes = contacts.get(key) ?? { contact: String(e.objectId), values: {}, events: 0 };
    contacts.set(key, changes);
    changes.events++;
    const at = typeof e.occurredAt === 'number' ? e.occurredAt : 0;
    const previous = changes.values[e.propertyName];
    if (!previous || at >= previous.at) changes.values[e.propertyName] = { value: e.propertyValue, at };
  });
  if (errors.length > 0) return { ok: false, errors };

  const leads: HubSpotLead[] = [];
  const skipped: HubSpotSkipped[] = [];
  for (const changes of contacts.values()) {
    const values: Partial<Record<HubSpotProperty, unknown>> = {};
    for (const [property, change] of Object.entries(changes.values) as Array<[HubSpotProperty, { value: unknown }]>) {
      if (change.value !== undefined && change.value !== null && !(typeof change.value === 'string' && change.value.trim() === '')) {
        values[property] = change.value;
      }
    }
    // A name or website change alone says nothing about who the contact is: no lead to make.
    if (values.email === undefined && values.hs_linkedin_url === undefined) {
      ignoredEvents += changes.events;
      continue;
    }
    const built = buildLead(values, (property) => property);
    if (built.ok) leads.push({ contact: changes.contact, lead: built.lead, dropped: built.dropped });
    else skipped.push({ contact: changes.contact, errors: built.errors });
  }
  if (leads.length > MAX_LEADS_PER_DELIVERY) {
    return { ok: false, errors: [{ field: '(body)', reason: `must change at most ${MAX_LEADS_PER_DELIVERY} contacts` }] };
  }
  return { ok: true, format: 'events', leads, skipped, ignoredEvents };
}

/**
 * Validates the mapped values as a lead. Values that fail are dropped and the rest validated
 * again; the lead stands when an e-mail or LinkedIn URL survives. Errors name HubSpot
 * properties (through `name`), not lead fields.
 */
function buildLead(
  values: Partial<Record<HubSpotProperty, unknown>>,
  name: (property: HubSpotProperty) => string,
): { ok: true; lead: CreateLeadBody; dropped: FieldError[] } | { ok: false; errors: FieldError[] } {
  const candidate: Partial<Record<LeadField, unknown>> = {};
  for (const [property, value] of Object.entries(values) as Array<[HubSpotProperty, unknown]>) candidate[HUBSPOT_PROPERTIES[property]] = value;
  const first = parseCreateLeadBody(candidate);
  if (first.ok) return { ok: true, lead: first.value, dropped: [] };

  const identity = `at least one of ${name('email')} or ${name('hs_linkedin_url')} must hold a valid value`;
  const fieldErrors = first.errors.filter((e) => !e.reason.startsWith('at least one of'));
  const toProperty = (e: FieldError): FieldError => ({ field: name(PROPERTY_OF_FIELD[e.field as LeadField] ?? 'email'), reason: e.reason });
  if (fieldErrors.length === first.errors.length) {
    for (const e of fieldErrors) delete candidate[e.field as LeadField];
    const second = parseCreateLeadBody(candidate);
    if (second.ok) return { ok: true, lead: second.value, dropped: fieldErrors.map(toProperty) };
  }
  return { ok: false, errors: [...fieldErrors.map(toProperty), { field: name('email'), reason: identity }] };
}

function isId(value: unknown): value is number | string {
  return (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && /^\d{1,20}$/.test(value));
}

/** The contact's HubSpot id, for the answer and the logs: `vid` (legacy), `id` (CRM v3) or `hs_object_id`. */
function contactRef(body: Record<string, unknown>, properties?: Record<string, unknown>): string {
  const objectId = properties?.hs_object_id ?? body.hs_object_id;
  const fromProperty = objectId !== null && typeof objectId === 'object' && 'value' in objectId ? (objectId as { value: unknown }).value : objectId;
  for (const candidate of [body['canonical-vid'], body.vid, body.id, body.objectId, fromProperty]) {
    if (isId(candidate)) return String(candidate);
  }
  return 'unknown';
}
