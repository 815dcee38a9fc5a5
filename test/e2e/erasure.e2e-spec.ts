import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { identityKeyOf, linkedinSlug } from '@leadpipe/contracts';
import { EventPublisher } from '@leadpipe/kafka';
import { SUPPRESSED_IDENTITIES_KEY } from '@leadpipe/persistence';
import { Pipeline } from '../support/pipeline';
import { ServiceName } from '../support/service-process';
import { waitFor } from '../support/wait-for';

const TERMINAL = ['enriched', 'not_found', 'invalid', 'dead_lettered'];
// Every service that hashes identities must share the pepper; a mismatch would fail this suite.
const PEPPER = 'erasure-e2e-pepper-0123456789';

/**
 * `DELETE /api/leads/:id` through the running pipeline: the person is gone from every table and
 * from Redis, is refused when submitted again, and costs no further provider call, whether the
 * lead comes back through ingest, straight onto Kafka, or was still on its way when erased.
 */
describe('erasing a person, end to end', () => {
  const pipeline = new Pipeline({
    extraEnv: {
      ingest: { SUPPRESSION_PEPPER: PEPPER },
      enricher: { SUPPRESSION_PEPPER: PEPPER },
      validator: { SUPPRESSION_PEPPER: PEPPER },
    },
  });
  let redis: Redis;

  beforeAll(async () => {
    await pipeline.start();
    redis = new Redis(pipeline.env.redisUrl);
  }, 180_000);

  afterAll(async () => {
    redis?.disconnect();
    await pipeline.stop();
  }, 120_000);

  async function erase(id: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${pipeline.ingestUrl}/api/leads/${id}`, { method: 'DELETE' });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  async function terminalLead(id: string): Promise<Record<string, unknown>> {
    return waitFor(
      async () => {
        const { json } = await pipeline.getLead(id);
        return TERMINAL.includes(json.status as string) ? json : null;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `lead ${id} terminal` },
    );
  }

  /**
   * Tables (every one in the database, so that tables added later are covered too) with a
   * row whose text contains one of `needles`, case-insensitively.
   */
  async function tablesMentioning(needles: string[]): Promise<string[]> {
    const tables: Array<{ table_name: string }> = await pipeline.env.db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['leads', 'enrichments', 'notifications', 'outbox', 'suppressions']));
    const found: string[] = [];
    for (const { table_name } of tables) {
      for (const needle of needles) {
        const [{ n }]: Array<{ n: number }> = await pipeline.env.db.query(
          `SELECT count(*)::int AS n FROM "${table_name}" t WHERE strpos(lower(t::text), lower($1)) > 0`,
          [needle],
        );
        if (n > 0) found.push(`${table_name} (${n} row(s) with ${needle})`);
      }
    }
    return found;
  }

  /** Keys under the suite's prefix whose name or (string) value contains one of `needles`. */
  async function redisKeysMentioning(needles: string[]): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${pipeline.env.redisPrefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const value = (await redis.type(key)) === 'string' ? ((await redis.get(key)) ?? '') : '';
        if (needles.some((needle) => key.toLowerCase().includes(needle) || value.toLowerCase().includes(needle))) found.push(key);
      }
    } while (cursor !== '0');
    return found;
  }

  /** Messages of `service`'s consumers that ended `skipped`, summed over its topics. */
  async function skipped(service: ServiceName): Promise<number> {
    const text = await (await fetch(`${pipeline.service(service).url}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('leadpipe_consumer_messages_total{') && line.includes('outcome="skipped"'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }

  async function publishReceived(lead: { email?: string; linkedinUrl?: string }): Promise<string> {
    const identityKey = identityKeyOf(lead)!;
    const leadId = randomUUID();
    const publisher = new EventPublisher(pipeline.env.kafka, pipeline.env.namespace);
    try {
      await publisher.publish('leadReceived', [
        {
          key: identityKey,
          value: { schemaVersion: 1, eventId: randomUUID(), leadId, identityKey, receivedAt: new Date().toISOString(), source: 'kafka', lead },
        },
      ]);
    } finally {
      await publisher.disconnect();
    }
    return leadId;
  }

  const erin = { email: 'erin.erased@erasure-e2e-one.com' };
  let erinId = '';
  let erinSlug = '';

  it('erases an enriched person from every table and from the cache, and keeps only hashes', async () => {
    const { status, json } = await pipeline.postLead({ ...erin, first_name: 'Erin', last_name: 'Erased', company_domain: 'erasure-e2e-one.com' });
    expect(status).toBe(202);
    erinId = json.id as string;
    const lead = await terminalLead(erinId);
    expect(lead.status).toBe('enriched');
    // The profile the provider matched to the e-mail: also the person's, also to be erased.
    erinSlug = linkedinSlug(((lead.enrichment as { person: { linkedin_url: string } }).person.linkedin_url))!;
    expect(erinSlug).toEqual(expect.any(String));
    // A second submission of the same person, in another spelling, is the same person.
    const again = await pipeline.postLead({ email: erin.email.toUpperCase() });
    expect((await terminalLead(again.json.id as string)).status).toBe('enriched');
    const needles = [erinId, again.json.id as string, erin.email, erinSlug];
    expect(await tablesMentioning(needles)).not.toEqual([]);
    expect(await redisKeysMentioning([erin.email, erinSlug])).not.toEqual([]);

    const erased = await erase(erinId);

    expect(erased.status).toBe(200);
    expect(erased.json).toEqual({
      id: erinId,
      erased: { leads: 2, enrichments: 2, history: 2, notifications: expect.any(Number), outbox: 0, dead_letters: 0, idempotency_keys: 0, cache_keys: 2 },
      suppressed: true,
    });
    expect(await tablesMentioning(needles)).toEqual([]);
    expect(await redisKeysMentioning([erin.email, erinSlug])).toEqual([]);
    // The company is not the person: its cached answer stays for the company's other leads.
    expect((await redis.keys(`${pipeline.env.redisPrefix}company:*`)).length).toBeGreaterThan(0);
    const suppressions: Array<{ identity_hash: string; reason: string }> = await pipeline.env.db.query(`SELECT identity_hash, reason FROM suppressions`);
    expect(suppressions).toHaveLength(2);
    for (const row of suppressions) expect(row).toEqual({ identity_hash: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'erasure_request' });
    expect(await redis.smembers(`${pipeline.env.redisPrefix}${SUPPRESSED_IDENTITIES_KEY}`)).toEqual(expect.arrayContaining(suppressions.map((s) => s.identity_hash)));

    expect((await erase(erinId)).status).toBe(404);
    expect((await pipeline.getLead(erinId)).status).toBe(404);
  }, 120_000);

  it('refuses the person again through ingest, by e-mail in any spelling or by profile, without a provider call', async () => {
    const calls = pipeline.simulator.stats().totals.calls;
    for (const body of [{ email: ' Erin.Erased@ERASURE-E2E-ONE.com ' }, { linkedin_url: `https://www.linkedin.com/in/${erinSlug}/?trk=again` }]) {
      const { status, json } = await pipeline.postLead(body);
      expect({ status, json }).toEqual({ status: 409, json: expect.objectContaining({ reason: 'suppressed', indexes: [0] }) });
    }
    expect(await tablesMentioning([erin.email, erinSlug])).toEqual([]);
    expect(pipeline.simulator.stats().totals.calls).toBe(calls);
  }, 60_000);

  it('refuses a whole batch that names the person, under an Idempotency-Key too, and keeps neither its leads nor its key', async () => {
    const bystander = 'bystander.batch@erasure-e2e-two.com';
    const body = JSON.stringify({ leads: [{ email: bystander }, { email: erin.email.toUpperCase() }] });
    const postBatch = async () => {
      const res = await fetch(`${pipeline.ingestUrl}/api/leads/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'erasure-batch-key' },
        body,
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    // The same key twice: the refusal rolled the key's claim back with the leads, so the retry
    // is refused again (not answered 202 from a stored answer).
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await postBatch()).toEqual({ status: 409, json: expect.objectContaining({ reason: 'suppressed', indexes: [1] }) });
    }
    expect(await tablesMentioning([bystander, erin.email, 'erasure-batch-key'])).toEqual([]);
  }, 60_000);

  it('skips the person arriving straight on Kafka, and does not store a late enriched event for the erased lead', async () => {
    const calls = pipeline.simulator.stats().totals.calls;
    const enricherSkipped = await skipped('enricher');
    const validatorSkipped = await skipped('validator');

    // As an external producer, or a dead-letter replay, would send the person again.
    const viaKafka = await publishReceived({ email: 'ERIN.ERASED@erasure-e2e-one.com' });
    await waitFor(async () => (await skipped('enricher')) === enricherSkipped + 1, { timeoutMs: 30_000, what: 'the enricher to skip the lead' });

    // An enrichment that was already on its way to the validator when the person was erased.
    const publisher = new EventPublisher(pipeline.env.kafka, pipeline.env.namespace);
    try {
      await publisher.publish('leadEnriched', [
        {
          key: `email:${erin.email}`,
          value: {
            schemaVersion: 1,
            eventId: randomUUID(),
            leadId: erinId,
            identityKey: `email:${erin.email}`,
            receivedAt: new Date().toISOString(),
            lead: { email: erin.email, firstName: 'Erin' },
            outcome: 'enriched',
            reasons: [],
            provider: 'netrows',
            providerCalls: 2,
            enrichedAt: new Date().toISOString(),
            person: { username: erinSlug, firstName: 'Erin', lastName: 'Erased' },
            company: null,
          },
        },
      ]);
    } finally {
      await publisher.disconnect();
    }
    await waitFor(async () => (await skipped('validator')) === validatorSkipped + 1, { timeoutMs: 30_000, what: 'the validator to skip the event' });

    expect(await tablesMentioning([erinId, viaKafka, erin.email, erinSlug])).toEqual([]);
    expect(await redisKeysMentioning([erin.email, erinSlug])).toEqual([]);
    expect(pipeline.simulator.stats().totals.calls).toBe(calls);
  }, 60_000);

  it('erased while its provider call is in flight: the answer is not kept, nothing more is bought, no row remains', async () => {
    const frank = { email: 'frank.inflight@erasure-e2e-two.com' };
    const before = pipeline.simulator.stats().byEndpoint;
    pipeline.simulator.setFaults({ latencyMs: 3_000 });
    try {
      const enricherSkipped = await skipped('enricher');
      const { json } = await pipeline.postLead({ ...frank, first_name: 'Frank' });
      const id = json.id as string;
      // The enricher claims the key while it buys the answer: the reverse lookup is under way.
      await waitFor(async () => (await redis.exists(`${pipeline.env.redisPrefix}lock:person:email:${frank.email}`)) === 1, {
        timeoutMs: 30_000,
        intervalMs: 25,
        what: 'the reverse lookup to be in flight',
      });

      const erased = await erase(id);
      expect(erased.status).toBe(200);
      expect(erased.json.erased).toEqual(expect.objectContaining({ leads: 1, enrichments: 0 }));

      await waitFor(async () => (await skipped('enricher')) === enricherSkipped + 1, { timeoutMs: 30_000, what: 'the enricher to drop the lead' });
      expect(await tablesMentioning([id, frank.email])).toEqual([]);
      expect(await redisKeysMentioning([frank.email, 'frank-inflight'])).toEqual([]);
      // The lookup that was under way was paid for; the profile after it was not bought.
      const after = pipeline.simulator.stats().byEndpoint;
      expect(after.reverseLookup?.calls ?? 0).toBe((before.reverseLookup?.calls ?? 0) + 1);
      expect(after.profile?.calls ?? 0).toBe(before.profile?.calls ?? 0);
    } finally {
      pipeline.simulator.setFaults({ latencyMs: 0 });
    }
  }, 90_000);

  it('answers 400 naming the problem for an id that is not a UUID, and 404 for an unknown one', async () => {
    const bad = await erase('12345');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/uuid/i);
    expect((await erase(randomUUID())).status).toBe(404);
  });
});
