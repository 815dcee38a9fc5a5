import { randomUUID } from 'node:crypto';
import { EventPublisher, replayDeadLetters } from '@leadpipe/kafka';
import { sample, scrape } from '../support/metrics';
import { Pipeline } from '../support/pipeline';
import { waitFor } from '../support/wait-for';

const TERMINAL = ['enriched', 'not_found', 'invalid', 'dead_lettered'];

async function terminalLead(pipeline: Pipeline, id: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  return waitFor(
    async () => {
      const { json } = await pipeline.getLead(id);
      return TERMINAL.includes(json.status as string) ? json : null;
    },
    { timeoutMs, intervalMs: 200, what: `lead ${id} terminal` },
  );
}

describe('the pipeline, end to end on real Kafka, PostgreSQL and Redis', () => {
  const pipeline = new Pipeline({
    scoreThreshold: 60,
    extraEnv: { enricher: { ENRICHER_QUALIFY_DENY_DOMAINS: 'competitor.example' } },
  });

  beforeAll(async () => {
    await pipeline.start();
  }, 180_000);

  afterAll(async () => {
    await pipeline.stop();
  }, 120_000);

  it('stores enriched leads with their raw provider responses and announces high scorers exactly once', async () => {
    const people = [
      { email: 'ada.lovelace@analytical-engines.com', first_name: 'Ada', last_name: 'Lovelace', company_domain: 'analytical-engines.com' },
      { linkedin_url: 'https://www.linkedin.com/in/grace-hopper-42/?trk=public' },
      { email: 'linus.t@kernel-works.io', linkedin_url: 'linkedin.com/in/linus-t' },
      { email: 'margaret.hamilton@apollo-guidance.com' },
      { email: 'alan.turing@bletchley-labs.co.uk', first_name: 'Alan' },
      { linkedin_url: 'https://linkedin.com/in/katherine-johnson' },
    ];
    const ids: string[] = [];
    for (const person of people) {
      const { status, json } = await pipeline.postLead(person);
      expect(status).toBe(202);
      expect(json.status).toBe('received');
      ids.push(json.id as string);
    }

    const leads = await Promise.all(ids.map((id) => terminalLead(pipeline, id)));
    for (const lead of leads) {
      expect(lead.status).toBe('enriched');
      const enrichment = lead.enrichment as Record<string, unknown>;
      expect(enrichment.provider).toBe('netrows');
      expect((enrichment.person as Record<string, unknown>).full_name).toEqual(expect.any(String));
      expect(lead.score).toEqual(expect.any(Number));
      // The score with its breakdown (the points add up, capped to 0..100) ...
      const breakdown = lead.score_breakdown as Array<{ criterion: string; points: number }>;
      expect(breakdown.length).toBeGreaterThan(0);
      const total = breakdown.reduce((sum, item) => sum + item.points, 0);
      expect(lead.score).toBe(Math.max(0, Math.min(100, total)));
      // ... and where each field came from: the lead's own input, or the provider with its fetch time.
      const provenance = enrichment.provenance as Record<string, { source: string; fetched_at: string }>;
      const sources = new Set(Object.values(provenance).map((p) => p.source));
      expect(sources.has('input')).toBe(true);
      expect([...sources].some((source) => source !== 'input')).toBe(true);
      for (const entry of Object.values(provenance)) expect(Number.isNaN(Date.parse(entry.fetched_at))).toBe(false);
    }

    const rows: Array<{ id: string; raw_person: unknown; status: string }> = await pipeline.env.db.query(
      `SELECT l.id, l.status, e.raw_person FROM leads l JOIN enrichments e ON e.lead_id = l.id WHERE l.id = ANY($1)`,
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
    for (const row of rows) expect(row.raw_person).toEqual(expect.objectContaining({ username: expect.any(String), position: expect.any(Array) }));

    // Every lead at or above the threshold gets exactly one webhook; the others none.
    const highScorers = leads.filter((l) => (l.score as number) >= 60).map((l) => l.id as string);
    expect(highScorers.length).toBeGreaterThan(0);
    await waitFor(() => highScorers.every((id) => pipeline.webhooks.forLead(id).length > 0), {
      timeoutMs: 30_000,
      what: 'webhooks for the high scorers',
    });
    for (const lead of leads) {
      const expected = highScorers.includes(lead.id as string) ? 1 : 0;
      expect(pipeline.webhooks.forLead(lead.id as string)).toHaveLength(expected);
    }
    // The notifier commits a slice's rows after its POSTs: a webhook can arrive before its row is visible.
    const notificationRows = (): Promise<Array<{ status: string }>> => pipeline.env.db.query(`SELECT status FROM notifications WHERE lead_id = ANY($1)`, [ids]);
    await waitFor(async () => (await notificationRows()).length >= highScorers.length, { timeoutMs: 30_000, what: 'the notification rows committed' });
    const notifications = await notificationRows();
    expect(notifications.map((n) => n.status)).toEqual(highScorers.map(() => 'sent'));
    // Signed per Standard Webhooks: the receiver verified every request with the reference library.
    expect(pipeline.webhooks.rejected).toEqual([]);
    for (const id of highScorers) expect(pipeline.webhooks.forLead(id)[0].headers['webhook-signature']).toMatch(/^v1,/);
  }, 120_000);

  it('ends an unknown person as not_found without retrying', async () => {
    const before = pipeline.simulator.stats().totals;
    const { json } = await pipeline.postLead({ linkedin_url: 'https://www.linkedin.com/in/unknown-person-e2e/' });
    const lead = await terminalLead(pipeline, json.id as string);
    expect(lead.status).toBe('not_found');
    expect(lead.status_reason).toMatch(/no profile/);
    const after = pipeline.simulator.stats().totals;
    expect(after.notFound - before.notFound).toBe(1);
    expect(after.serverErrors + after.rateLimited).toBe(0);
  }, 60_000);

  it('buys an identity once: a repeated lead is served from the cache', async () => {
    const first = await pipeline.postLead({ email: 'repeat.buyer@cached-co.com' });
    const lead1 = await terminalLead(pipeline, first.json.id as string);
    const callsAfterFirst = pipeline.simulator.stats().totals.calls;
    const second = await pipeline.postLead({ email: 'Repeat.Buyer@cached-co.com' });
    const lead2 = await terminalLead(pipeline, second.json.id as string);
    expect(lead2.status).toBe(lead1.status);
    expect((lead1.enrichment as { provider_calls: number }).provider_calls).toBeGreaterThan(0);
    expect((lead2.enrichment as { provider_calls: number }).provider_calls).toBe(0);
    expect(pipeline.simulator.stats().totals.calls).toBe(callsAfterFirst);
  }, 60_000);

  it('dead-letters a malformed message on the received topic with the reason and keeps going', async () => {
    const producer = pipeline.env.kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: pipeline.env.topic('leadReceived'),
        messages: [
          { key: 'garbage', value: 'this is not json' },
          { key: 'bad-schema', value: JSON.stringify({ schemaVersion: 1, leadId: 'nope', lead: {} }) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const { json } = await pipeline.postLead({ email: 'after.poison@keeps-going.com' });

    const consumer = pipeline.env.kafka.consumer({ groupId: `${pipeline.env.namespace}.test-dlq-reader` });
    const deadLetters: Array<{ key: string | null; value: Record<string, unknown>; headers: Record<string, string> }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: pipeline.env.topic('deadLetter'), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        deadLetters.push({
          key: message.key?.toString() ?? null,
          value: JSON.parse(message.value!.toString()) as Record<string, unknown>,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    try {
      await waitFor(() => deadLetters.length >= 2, { timeoutMs: 30_000, what: 'two dead letters' });
      const garbage = deadLetters.find((d) => d.key === 'garbage')!;
      expect(garbage.value).toMatchObject({ stage: 'enricher', errorCode: 'unparseable', payload: 'this is not json' });
      expect(garbage.value.reason).toMatch(/not JSON/);
      expect(garbage.headers['origin-topic']).toBe(pipeline.env.topic('leadReceived'));
      const badSchema = deadLetters.find((d) => d.key === 'bad-schema')!;
      expect(badSchema.value).toMatchObject({ errorCode: 'schema_invalid' });
      expect(badSchema.value.reason).toMatch(/eventId/);
    } finally {
      await consumer.disconnect();
    }
    // The consumer did not stop: the lead sent after the poison is processed.
    const lead = await terminalLead(pipeline, json.id as string);
    expect(['enriched', 'not_found']).toContain(lead.status);
  }, 90_000);

  it('retries a lead through the retry topics during a 5xx storm, dead-letters it with the reason, and replays it', async () => {
    const before = pipeline.simulator.stats().totals;
    pipeline.simulator.setFaults({ forceStatus: 503 });
    let id: string;
    try {
      const { json } = await pipeline.postLead({ linkedin_url: 'https://www.linkedin.com/in/storm-victim-e2e/' });
      id = json.id as string;
      const lead = await terminalLead(pipeline, id);
      expect(lead.status).toBe('dead_lettered');
      expect(lead.status_reason).toMatch(/^enricher: retries exhausted after 4 attempts: Netrows server_error/);
    } finally {
      pipeline.simulator.setFaults({ forceStatus: null });
    }
    // One call per attempt (the profile lookup fails first), none charged.
    const after = pipeline.simulator.stats().totals;
    expect(after.calls - before.calls).toBe(4);
    expect(after.creditsCharged - before.creditsCharged).toBe(0);

    // The storm is over: the replay path puts the lead back and it is enriched.
    const publisher = new EventPublisher(pipeline.env.kafka, pipeline.env.namespace);
    try {
      const report = await replayDeadLetters(pipeline.env.kafka, publisher, { namespace: pipeline.env.namespace, leadIds: new Set([id]) });
      expect(report).toMatchObject({ replayed: 1, unreplayable: [] });
    } finally {
      await publisher.disconnect();
    }
    await waitFor(async () => (await pipeline.getLead(id)).json.status === 'enriched', { timeoutMs: 30_000, what: 'replayed lead enriched' });
  }, 90_000);

  it('re-enriches a lead on POST /api/leads/:id/refresh: its cached answers are bought again and replaced', async () => {
    const { json } = await pipeline.postLead({ linkedin_url: 'https://www.linkedin.com/in/refresh-e2e/' });
    const first = await terminalLead(pipeline, json.id as string);
    expect(first.status).toBe('enriched');
    const firstFetch = (first.enrichment as { fetched_at: string }).fetched_at;
    const before = pipeline.simulator.stats().byEndpoint.profile?.calls ?? 0;

    const res = await fetch(`${pipeline.ingestUrl}/api/leads/${String(json.id)}/refresh`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ id: json.id, status: 'received' });
    const refreshed = await waitFor(
      async () => {
        const { json: lead } = await pipeline.getLead(json.id as string);
        const enrichment = lead.enrichment as { fetched_at: string } | null;
        return lead.status === 'enriched' && enrichment && enrichment.fetched_at > firstFetch ? lead : null;
      },
      { timeoutMs: 30_000, what: 'the refreshed enrichment' },
    );
    expect(refreshed.id).toBe(json.id);
    expect(pipeline.simulator.stats().byEndpoint.profile?.calls).toBe(before + 1);
    // A repeat of the same lead now comes from the replaced cache entry: no further call.
    const repeat = await pipeline.postLead({ linkedin_url: 'https://www.linkedin.com/in/Refresh-E2E' });
    expect((await terminalLead(pipeline, repeat.json.id as string)).status).toBe('enriched');
    expect(pipeline.simulator.stats().byEndpoint.profile?.calls).toBe(before + 1);

    expect((await fetch(`${pipeline.ingestUrl}/api/leads/${randomUUID()}/refresh`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${pipeline.ingestUrl}/api/leads/nope/refresh`, { method: 'POST' })).status).toBe(400);
  }, 60_000);

  it('retries through a 429 storm without opening the circuit, and dead-letters only after the last retry', async () => {
    const before = pipeline.simulator.stats().totals;
    const breakerBefore = await metricValue('leadpipe_breaker_state');
    pipeline.simulator.setFaults({ forceStatus: 429 });
    try {
      const { json } = await pipeline.postLead({ linkedin_url: 'https://www.linkedin.com/in/rate-limited-e2e/' });
      const lead = await terminalLead(pipeline, json.id as string);
      expect(lead.status).toBe('dead_lettered');
      expect(lead.status_reason).toMatch(/retries exhausted after 4 attempts: Netrows rate_limited/);
    } finally {
      pipeline.simulator.setFaults({ forceStatus: null });
    }
    const after = pipeline.simulator.stats().totals;
    expect(after.calls - before.calls).toBe(4);
    expect(after.creditsCharged - before.creditsCharged).toBe(0);
    // 429s say nothing about the provider's health: the circuit stays closed.
    expect(breakerBefore).toBe(0);
    expect(await metricValue('leadpipe_breaker_state')).toBe(0);
  }, 60_000);

  async function metricValue(name: string): Promise<number> {
    const value = sample(await scrape(pipeline.service('enricher').url), name);
    if (value === undefined) throw new Error(`${name} not exported`);
    return value;
  }

  it('never buys data for a lead that fails the qualification rules: it ends invalid with the reason', async () => {
    const before = pipeline.simulator.stats().totals.calls;
    const { json } = await pipeline.postLead({ email: 'spy@mail.competitor.example', first_name: 'Sneaky' });
    const lead = await terminalLead(pipeline, json.id as string);
    expect(lead).toMatchObject({
      status: 'invalid',
      status_reason: 'not qualified: domain competitor.example is excluded',
      reasons: ['not qualified: domain competitor.example is excluded'],
      enrichment: null,
      score: null,
    });
    expect(pipeline.simulator.stats().totals.calls).toBe(before);
  }, 60_000);

  it('answers 400 naming every invalid field, and 404 for an unknown id', async () => {
    const bad = await pipeline.postLead({ email: 'not-an-email', linkedin_url: 'https://www.linkedin.com/company/acme/', colour: 'red' });
    expect(bad.status).toBe(400);
    const fields = (bad.json.errors as Array<{ field: string; reason: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(['colour', 'email', 'linkedin_url']);
    const neither = await pipeline.postLead({ first_name: 'Nobody' });
    expect(neither.status).toBe(400);
    expect(neither.json.errors).toEqual([{ field: 'email', reason: 'at least one of email or linkedin_url is required' }]);
    const missing = await pipeline.getLead('7d3c1f0e-5a2b-4c6d-8e9f-0a1b2c3d4e5f');
    expect(missing.status).toBe(404);
    const notUuid = await pipeline.getLead('42');
    expect(notUuid.status).toBe(400);
  });
});
