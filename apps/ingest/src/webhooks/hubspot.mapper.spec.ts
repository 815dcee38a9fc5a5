import { HubSpotMapping, mapHubSpotPayload } from './hubspot.mapper';

const PROFILE = 'https://www.linkedin.com/in/jane-doe/';

/** A workflow payload in the legacy contacts format: each property `{value, versions}`. */
function legacyContact(properties: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    vid: 101,
    'canonical-vid': 101,
    'portal-id': 62515,
    'is-contact': true,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, value]) => [name, { value, versions: [{ value, 'source-type': 'CRM_UI', timestamp: 1 }] }]),
    ),
    'identity-profiles': [],
    ...extra,
  };
}

/** One Webhooks API event. */
function event(objectId: number, propertyName: string, propertyValue: string, extra: Record<string, unknown> = {}) {
  return {
    eventId: objectId * 10,
    subscriptionId: 5,
    portalId: 62515,
    appId: 7,
    occurredAt: 1_750_000_000_000,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId,
    propertyName,
    propertyValue,
    changeSource: 'CRM_UI',
    ...extra,
  };
}

function ok(mapping: HubSpotMapping) {
  if (!mapping.ok) throw new Error(`expected a mapping, got ${JSON.stringify(mapping.errors)}`);
  return mapping;
}

function errorsOf(mapping: HubSpotMapping) {
  if (mapping.ok) throw new Error(`expected errors, got ${JSON.stringify(mapping)}`);
  return mapping.errors;
}

describe('mapHubSpotPayload', () => {
  describe('a workflow "Send a webhook" contact', () => {
    it('maps the legacy contacts format', () => {
      const mapping = ok(
        mapHubSpotPayload(
          legacyContact({
            email: 'jane@acme.com',
            firstname: 'Jane',
            lastname: 'Doe',
            website: 'https://www.acme.com/about',
            hs_linkedin_url: PROFILE,
            company: 'Acme Inc.',
            lifecyclestage: 'lead',
          }),
        ),
      );
      expect(mapping).toEqual({
        ok: true,
        format: 'workflow',
        leads: [
          {
            contact: '101',
            lead: { email: 'jane@acme.com', first_name: 'Jane', last_name: 'Doe', company_domain: 'acme.com', linkedin_url: PROFILE },
            dropped: [],
          },
        ],
        skipped: [],
        ignoredEvents: 0,
      });
    });

    it('maps the CRM v3 format (plain property values)', () => {
      const mapping = ok(mapHubSpotPayload({ id: '512', properties: { email: 'jane@acme.com', firstname: 'Jane', hs_object_id: '512' }, archived: false }));
      expect(mapping.leads).toEqual([{ contact: '512', lead: { email: 'jane@acme.com', first_name: 'Jane' }, dropped: [] }]);
    });

    it('maps a customised request body with the properties at the top level', () => {
      const mapping = ok(mapHubSpotPayload({ email: 'jane@acme.com', lastname: 'Doe', hs_object_id: '77', deal_stage: 'won' }));
      expect(mapping.leads).toEqual([{ contact: '77', lead: { email: 'jane@acme.com', last_name: 'Doe' }, dropped: [] }]);
    });

    it('treats empty property values as unset', () => {
      const mapping = ok(mapHubSpotPayload({ email: 'jane@acme.com', firstname: '', lastname: '   ', website: '' }));
      expect(mapping.leads[0].lead).toEqual({ email: 'jane@acme.com' });
    });

    it('drops an unusable optional property and says so, keeping the lead', () => {
      const mapping = ok(mapHubSpotPayload(legacyContact({ email: 'jane@acme.com', website: 'n/a', hs_linkedin_url: 'https://www.linkedin.com/sales/lead/ACwAA' })));
      expect(mapping.leads[0].lead).toEqual({ email: 'jane@acme.com' });
      expect(mapping.leads[0].dropped).toEqual([
        { field: 'properties.website', reason: 'must be a domain name such as example.com' },
        { field: 'properties.hs_linkedin_url', reason: 'must be a LinkedIn profile URL (https://www.linkedin.com/in/<name>/)' },
      ]);
    });

    it('keeps a lead on its LinkedIn URL when the e-mail is unusable', () => {
      const mapping = ok(mapHubSpotPayload(legacyContact({ email: 'jane@', hs_linkedin_url: PROFILE })));
      expect(mapping.leads[0].lead).toEqual({ linkedin_url: PROFILE });
      expect(mapping.leads[0].dropped).toEqual([{ field: 'properties.email', reason: 'must be a valid e-mail address' }]);
    });

    it('refuses a contact whose only identity is unusable, naming the HubSpot property', () => {
      expect(errorsOf(mapHubSpotPayload(legacyContact({ email: 'REDACTED', firstname: 'Jane' })))).toEqual([
        { field: 'properties.email', reason: 'must be a valid e-mail address' },
        { field: 'properties.email', reason: 'at least one of properties.email or properties.hs_linkedin_url must hold a valid value' },
      ]);
    });

    it('refuses a contact with neither e-mail nor LinkedIn URL', () => {
      expect(errorsOf(mapHubSpotPayload({ firstname: 'Jane', company: 'Acme' }))).toEqual([
        { field: 'email', reason: 'at least one of email or hs_linkedin_url must hold a valid value' },
      ]);
    });

    it('refuses a property that is not text', () => {
      expect(errorsOf(mapHubSpotPayload({ email: 42 }))).toEqual([
        { field: 'email', reason: 'must be a string' },
        { field: 'email', reason: 'at least one of email or hs_linkedin_url must hold a valid value' },
      ]);
    });

    it.each([
      ['null', null],
      ['a string', 'email=jane@acme.com'],
      ['a number', 7],
    ])('refuses a body that is %s', (_case, body) => {
      expect(errorsOf(mapHubSpotPayload(body))).toEqual([{ field: '(body)', reason: 'must be a HubSpot contact object or an array of Webhooks API events' }]);
    });
  });

  describe('Webhooks API events', () => {
    it('makes a lead of an e-mail change, merging the other changed properties of that contact', () => {
      const mapping = ok(
        mapHubSpotPayload([
          event(901, 'firstname', 'Jane'),
          event(901, 'email', 'jane@acme.com'),
          event(901, 'hs_linkedin_url', PROFILE),
          event(902, 'email', 'omar@globex.io', { subscriptionType: 'object.propertyChange', objectTypeId: '0-1' }),
        ]),
      );
      expect(mapping.format).toBe('events');
      expect(mapping.leads).toEqual([
        { contact: '901', lead: { email: 'jane@acme.com', first_name: 'Jane', linkedin_url: PROFILE }, dropped: [] },
        { contact: '902', lead: { email: 'omar@globex.io' }, dropped: [] },
      ]);
      expect(mapping.ignoredEvents).toBe(0);
    });

    it('keeps the latest value when one property changed twice in a delivery', () => {
      const mapping = ok(
        mapHubSpotPayload([
          event(901, 'email', 'jane@new.com', { occurredAt: 2_000 }),
          event(901, 'email', 'jane@old.com', { occurredAt: 1_000 }),
        ]),
      );
      expect(mapping.leads[0].lead).toEqual({ email: 'jane@new.com' });
    });

    it('ignores events that carry nothing to make a lead of', () => {
      const mapping = ok(
        mapHubSpotPayload([
          event(901, 'email', 'jane@acme.com', { subscriptionType: 'contact.creation', propertyName: undefined, propertyValue: undefined }),
          event(902, 'lifecyclestage', 'customer'),
          event(903, 'firstname', 'Omar'),
          event(904, 'email', 'deal@acme.com', { subscriptionType: 'object.propertyChange', objectTypeId: '0-3' }),
        ]),
      );
      expect(mapping.leads).toEqual([]);
      expect(mapping.skipped).toEqual([]);
      expect(mapping.ignoredEvents).toBe(4);
    });

    it('skips a contact whose e-mail is unusable, with the reason, and keeps the others', () => {
      const mapping = ok(mapHubSpotPayload([event(901, 'email', 'REDACTED'), event(902, 'email', 'omar@globex.io')]));
      expect(mapping.leads.map((l) => l.contact)).toEqual(['902']);
      expect(mapping.skipped).toEqual([
        {
          contact: '901',
          errors: [
            { field: 'email', reason: 'must be a valid e-mail address' },
            { field: 'email', reason: 'at least one of email or hs_linkedin_url must hold a valid value' },
          ],
        },
      ]);
    });

    it('keeps contacts of two accounts apart', () => {
      const mapping = ok(mapHubSpotPayload([event(901, 'email', 'a@acme.com'), event(901, 'email', 'b@other.com', { portalId: 1 })]));
      expect(mapping.leads.map((l) => l.lead.email)).toEqual(['a@acme.com', 'b@other.com']);
    });

    it('refuses malformed events, naming index and field', () => {
      expect(errorsOf(mapHubSpotPayload([event(901, 'email', 'a@acme.com'), 'x', { objectId: 'abc', portalId: 1 }]))).toEqual([
        { field: '[1]', reason: 'must be a HubSpot event object' },
        { field: '[2].subscriptionType', reason: 'must be a string' },
        { field: '[2].objectId', reason: 'must be a HubSpot object id' },
      ]);
    });

    it('refuses an empty array', () => {
      expect(errorsOf(mapHubSpotPayload([]))).toEqual([{ field: '(body)', reason: 'must hold at least one event' }]);
    });
  });
});
