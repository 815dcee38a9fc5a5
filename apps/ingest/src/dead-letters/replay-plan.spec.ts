import { randomUUID } from 'node:crypto';
import { planReplay, ReplayableLetter } from './replay-plan';

function receivedEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    eventId: randomUUID(),
    leadId: randomUUID(),
    identityKey: 'email:ada@acme.example',
    receivedAt: '2026-11-30T10:00:00.000Z',
    source: 'api',
    lead: { email: 'ada@acme.example' },
    ...overrides,
  };
}

function letter(overrides: Partial<ReplayableLetter> & { event?: unknown } = {}): ReplayableLetter {
  const { event = receivedEvent(), ...rest } = overrides;
  return {
    originTopic: 'leads.received.v1',
    messageKey: 'email:ada@acme.example',
    payload: Buffer.from(JSON.stringify(event)),
    payloadEncoding: 'utf8',
    ...rest,
  };
}

describe('planReplay', () => {
  it('sends a readable event back to its origin topic with its key, defaults filled in', () => {
    const event = receivedEvent();
    const plan = planReplay(letter({ event }), '');
    expect(plan).toEqual({ ok: true, topicKey: 'leadReceived', key: 'email:ada@acme.example', event: { ...event, priority: 'normal', refresh: false } });
  });

  it('resolves a namespaced origin', () => {
    expect(planReplay(letter({ originTopic: 'ns1.leads.enriched.v1', event: {} }), 'ns1')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('payload fails the leads.enriched.v1 schema'),
    });
    expect(planReplay(letter({ originTopic: 'ns1.leads.received.v1' }), 'ns1')).toMatchObject({ ok: true, topicKey: 'leadReceived' });
  });

  it.each([
    ['another namespace', 'ns2.leads.received.v1', 'ns1'],
    ['no namespace where one is set', 'leads.received.v1', 'ns1'],
    ['an unknown topic', 'crm.contacts.v1', ''],
    ['the dead-letter topic itself', 'leads.dlq.v1', ''],
  ])('refuses an origin in %s', (_case, originTopic, namespace) => {
    expect(planReplay(letter({ originTopic }), namespace)).toEqual({ ok: false, reason: `origin ${originTopic} is not a pipeline topic` });
  });

  it.each([
    ['a normal lead', 'normal', 'leadReceived'],
    ['a high-priority lead', 'high', 'leadReceivedPriority'],
  ])('starts the chain again for %s dead-lettered on a retry topic', (_case, priority, topicKey) => {
    const plan = planReplay(letter({ originTopic: 'leads.enrich.retry.2.v1', event: receivedEvent({ priority }) }), '');
    expect(plan).toMatchObject({ ok: true, topicKey });
  });

  it('refuses a binary payload', () => {
    expect(planReplay(letter({ payload: Buffer.from([0xff, 0xfe, 0x00]), payloadEncoding: 'base64' }), '')).toEqual({
      ok: false,
      reason: 'payload is binary (stored as base64), not a JSON event',
    });
  });

  it('refuses a payload that is not JSON, saying why', () => {
    expect(planReplay(letter({ payload: Buffer.from('{"schemaVersion":') }), '')).toEqual({
      ok: false,
      reason: expect.stringMatching(/^payload is not JSON: /),
    });
  });

  it('refuses a payload that fails the schema of the topic it would go to, naming the fields', () => {
    const plan = planReplay(letter({ event: receivedEvent({ leadId: 'nope', lead: {} }) }), '');
    expect(plan).toEqual({ ok: false, reason: expect.stringContaining('payload fails the leads.received.v1 schema: leadId: ') });
    expect(plan.ok || plan.reason).toContain('lead.email: at least one of email or linkedinUrl is required');
  });

  it('refuses a NUL character in lead text: the contract refuses it, as the outbox (jsonb) cannot hold it', () => {
    const plan = planReplay(letter({ event: receivedEvent({ lead: { email: 'ada@acme.example', firstName: 'A\u0000da' } }) }), '');
    expect(plan).toEqual({ ok: false, reason: 'payload fails the leads.received.v1 schema: lead.firstName: must not contain NUL characters or unpaired surrogates' });
  });

  it('refuses a NUL character the contract leaves to the provider (raw person data)', () => {
    const enriched = {
      ...receivedEvent(),
      outcome: 'enriched',
      provider: 'netrows',
      providerCalls: 1,
      enrichedAt: '2026-11-30T10:00:01.000Z',
      person: { headline: 'A\u0000da' },
      company: null,
    };
    expect(planReplay(letter({ originTopic: 'leads.enriched.v1', event: enriched }), '')).toEqual({ ok: false, reason: 'payload contains a NUL character' });
  });

  it("keys an event that had no key by the lead's identity", () => {
    expect(planReplay(letter({ messageKey: null }), '')).toMatchObject({ ok: true, key: 'email:ada@acme.example' });
  });
});
