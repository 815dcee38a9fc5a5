import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { ingestEnvSchema, loadConfig } from '@leadpipe/config';
import { lockForErasure, SUPPRESSED_IDENTITIES_KEY, suppressionHash, transactionAgainstErasure } from '@leadpipe/persistence';
import { EnrichmentCache } from '../../apps/enricher/src/enrichment-cache';
import { IdentitySuppressedError } from '../../apps/enricher/src/suppression-list';
import { SuppressionMirror } from '../../apps/ingest/src/erasure/suppression-mirror.service';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { TestEnv } from '../support/test-env';
import { Gate } from './support/batch-consumer.harness';
import { RedisScope } from './support/redis-scope';

const PEPPER = 'erasure-int-spec-pepper';
const hash = (identityKey: string) => suppressionHash(identityKey, PEPPER);

/**
 * `DELETE /api/leads/:id` in an ingest running in this process on real PostgreSQL and Redis.
 * The outbox relay is held back (a long poll interval), so accepted leads keep their pending
 * events, and the rows the other services would write are written here by hand.
 */
describe('erasure in ingest, on real PostgreSQL and Redis', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let url: string;
  let redis: Redis;

  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(`${url}/api/leads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const erase = async (id: string) => {
    const res = await fetch(`${url}/api/leads/${id}`, { method: 'DELETE' });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const count = async (sql: string, params: unknown[]) => ((await env.db.query(sql, params)) as Array<{ n: number }>)[0].n;

  beforeAll(async () => {
    await env.setUp();
    redis = new Redis(env.redisUrl, { keyPrefix: env.redisPrefix });
    const config = loadConfig(
      ingestEnvSchema,
      env.serviceEnv({ INGEST_OUTBOX_POLL_MS: '600000', INGEST_SUPPRESSION_SYNC_MS: '600000', SUPPRESSION_PEPPER: PEPPER, LOG_LEVEL: 'error' }),
    );
    app = await NestFactory.create(IngestModule.register(config), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await env.dispose();
  }, 60_000);

  const person = { email: 'jane.doe@acme.example', slug: 'jane-doe-acme' };
  const ids: Record<'named' | 'again' | 'byProfile' | 'namesProfile' | 'matchedProfile' | 'other', string> = {
    named: '',
    again: '',
    byProfile: '',
    namesProfile: '',
    matchedProfile: '',
    other: '',
  };
  const personIdentities = [
    `email:${person.email}`,
    `linkedin:${person.slug}`,
    'email:jd@home.example',
    'email:j.doe@acme-old.example',
  ];

  it('erases every lead of the person, their enrichments, notification, pending events and cached answers; keeps the company', async () => {
    ids.named = (await post({ email: 'Jane.Doe@acme.example', first_name: 'Jane' })).json.id as string;
    ids.again = (await post({ email: 'JANE.DOE@ACME.EXAMPLE' })).json.id as string;
    ids.byProfile = (await post({ linkedin_url: `https://www.linkedin.com/in/${person.slug}/` })).json.id as string;
    // Under other e-mail addresses: one names the profile, the provider matched the other to it.
    ids.namesProfile = (await post({ email: 'jd@home.example', linkedin_url: `https://de.linkedin.com/in/${person.slug.toUpperCase()}?trk=x` })).json.id as string;
    ids.matchedProfile = (await post({ email: 'j.doe@acme-old.example' })).json.id as string;
    // With an Idempotency-Key: its stored answer names the lead.
    const keyed = await fetch(`${url}/api/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'erase-me-1' },
      body: JSON.stringify({ email: 'jane.doe@ACME.example', last_name: 'Doe' }),
    });
    const keyedId = ((await keyed.json()) as { id: string }).id;
    ids.other = (await post({ email: 'someone.else@acme.example' })).json.id as string;
    expect(Object.values(ids).every(Boolean)).toBe(true);
    // What the validator and the notifier would have stored for the first lead: the provider
    // matched the e-mail to the profile that the third lead names.
    for (const id of [ids.named, ids.matchedProfile]) {
      await env.db.query(
        `INSERT INTO enrichments (lead_id, provider, outcome, provider_calls, fetched_at, person, company, raw_person, raw_company, event_id, updated_at)
         VALUES ($1, 'netrows', 'enriched', 2, now(), $2, NULL, $3, NULL, gen_random_uuid(), now())`,
        [id, JSON.stringify({ linkedin_url: `https://www.linkedin.com/in/${person.slug}/` }), JSON.stringify({ username: person.slug })],
      );
      await env.db.query(
        `INSERT INTO enrichment_history (lead_id, event_id, provider, outcome, fetched_at, raw_person) VALUES ($1, gen_random_uuid(), 'netrows', 'enriched', now(), $2)`,
        [id, JSON.stringify({ username: person.slug })],
      );
    }
    await env.db.query(`INSERT INTO notifications (lead_id, channel, rule, status, attempts) VALUES ($1, 'webhook', 'score-threshold', 'sent', 1)`, [ids.named]);
    // A dead letter of the person, by lead and one by Kafka key only (no lead id could be read).
    for (const [leadId, offset] of [[ids.byProfile, '7'], [null, '8']] as const) {
      await env.db.query(
        `INSERT INTO dead_letters (id, lead_id, stage, error_code, reason, attempts, origin_topic, origin_partition, origin_offset,
                                   first_failure_at, failed_at, message_key, payload, payload_encoding)
         VALUES (gen_random_uuid(), $1, 'enricher', 'provider_rejected', 'HTTP 400', 1, 'leads.received.v1', 0, $2, now(), now(), $3, $4, 'utf8')`,
        [leadId, offset, `linkedin:${person.slug}`, Buffer.from(JSON.stringify({ lead: { linkedinUrl: person.slug } }))],
      );
    }
    // What the enricher would have cached, and a claim it holds on the profile right now.
    await redis.set(`person:email:${person.email}`, JSON.stringify({ found: true, data: { username: person.slug } }));
    await redis.set(`person:linkedin:${person.slug}`, JSON.stringify({ found: true, data: { username: person.slug, firstName: 'Jane' } }));
    await redis.set(`lock:person:linkedin:${person.slug}`, 'a-replica-token', 'PX', 30_000);
    await redis.set('company:domain:acme.example', JSON.stringify({ found: true, data: { name: 'Acme' } }));

    const { status, json } = await erase(ids.named);

    expect(status).toBe(200);
    expect(json).toEqual({
      id: ids.named,
      erased: { leads: 6, enrichments: 2, history: 2, notifications: 1, outbox: 6, dead_letters: 2, idempotency_keys: 1, cache_keys: 3 },
      suppressed: true,
    });
    const personIds = [ids.named, ids.again, ids.byProfile, ids.namesProfile, ids.matchedProfile, keyedId];
    expect(await count(`SELECT count(*)::int AS n FROM leads WHERE id = ANY($1::uuid[])`, [personIds])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM enrichments WHERE lead_id = ANY($1::uuid[])`, [personIds])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM enrichment_history WHERE lead_id = ANY($1::uuid[])`, [personIds])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM notifications WHERE lead_id = ANY($1::uuid[])`, [personIds])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'leadId' = ANY($1::text[])`, [personIds])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM dead_letters`, [])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM idempotency_keys`, [])).toBe(0);
    // Somebody else at the same company is untouched, pending event included.
    expect(await count(`SELECT count(*)::int AS n FROM leads WHERE id = $1`, [ids.other])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM outbox WHERE payload->>'leadId' = $1`, [ids.other])).toBe(1);

    expect(await redis.exists(`person:email:${person.email}`, `person:linkedin:${person.slug}`, `lock:person:linkedin:${person.slug}`)).toBe(0);
    expect(await redis.exists('company:domain:acme.example')).toBe(1);

    const suppressions: Array<{ identity_hash: string; reason: string }> = await env.db.query(`SELECT identity_hash, reason FROM suppressions ORDER BY identity_hash`);
    const expected = personIdentities.map(hash).sort();
    expect(suppressions).toEqual(expected.map((identity_hash) => ({ identity_hash, reason: 'erasure_request' })));
    expect(JSON.stringify(suppressions)).not.toMatch(/jane|acme/i);
    expect((await redis.smembers(SUPPRESSED_IDENTITIES_KEY)).sort()).toEqual(expected);
  });

  it('refuses the person again with 409 "suppressed", by e-mail in any spelling or by their profile', async () => {
    const before = await count(`SELECT count(*)::int AS n FROM leads`, []);
    const byEmail = await post({ email: ' JANE.doe@Acme.Example ' });
    expect(byEmail.status).toBe(409);
    expect(byEmail.json).toEqual(expect.objectContaining({ statusCode: 409, reason: 'suppressed', indexes: [0] }));
    const byProfile = await post({ email: 'jd.private@elsewhere.example', linkedin_url: `linkedin.com/in/${person.slug.toUpperCase()}?trk=x` });
    expect(byProfile.status).toBe(409);
    expect(await count(`SELECT count(*)::int AS n FROM leads`, [])).toBe(before);
    expect((await post({ email: 'not.jane@acme.example' })).status).toBe(202);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^leadpipe_ingest_erasures_total\{service="ingest"\} 1$/m);
    expect(metrics).toMatch(/^leadpipe_ingest_leads_suppressed_total\{service="ingest"\} 2$/m);
  });

  it('answers 404 for an erased or unknown lead, and 400 naming the problem for an id that is not a UUID', async () => {
    expect((await erase(ids.named)).status).toBe(404);
    expect((await erase(ids.byProfile)).status).toBe(404);
    expect((await erase('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const bad = await erase('not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/uuid/i);
  });

  it('keeps the Redis mirror equal to the table: lost members come back (and the answers cached for them meanwhile go), stray ones go', async () => {
    const mirror = app.get(SuppressionMirror);
    const expected = personIdentities.map(hash).sort();
    expect(await mirror.syncOnce()).toBe('in_step');

    // Redis lost the set, and meanwhile the enricher cached the erased person's answers again.
    await redis.del(SUPPRESSED_IDENTITIES_KEY);
    const erasedEntries = [`person:email:${person.email}`, `person:linkedin:${person.slug}`, 'person:email:jd@home.example'];
    const otherEntries = ['person:email:someone.else@acme.example', 'person:linkedin:someone-else', 'company:domain:acme.example'];
    for (const key of [...erasedEntries, ...otherEntries]) await redis.set(key, '{"found":true}');
    expect(await mirror.syncOnce()).toBe('added');
    expect((await redis.smembers(SUPPRESSED_IDENTITIES_KEY)).sort()).toEqual(expected);
    expect(await redis.exists(...erasedEntries)).toBe(0);
    expect(await redis.exists(...otherEntries)).toBe(otherEntries.length);

    await redis.sadd(SUPPRESSED_IDENTITIES_KEY, 'f'.repeat(64));
    expect(await mirror.syncOnce()).toBe('rebuilt');
    expect((await redis.smembers(SUPPRESSED_IDENTITIES_KEY)).sort()).toEqual(expected);
    expect(await redis.ttl(SUPPRESSED_IDENTITIES_KEY)).toBe(-1);
    expect(await redis.keys(`${SUPPRESSED_IDENTITIES_KEY}:rebuild:*`)).toEqual([]);
  });

  it('holds the erasure lock from the start of a writer\'s transaction: an erasure waits for its commit, and a rollback undoes its writes', async () => {
    // An erasure's attempt to take the lock, giving up after a short lock_timeout: false while a writer holds it.
    const erasureCanLock = () =>
      env.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '200ms'`);
        return lockForErasure(tx).then(
          () => true,
          (error: unknown) => (/lock timeout/.test(String(error)) ? false : Promise.reject(error)),
        );
      });
    const holding = new Gate();
    const written = new Gate();
    const writer = transactionAgainstErasure(env.db, async (tx) => {
      await tx.query(`INSERT INTO suppressions (identity_hash, reason) VALUES ($1, 'test')`, [hash('email:writer@lock.example')]);
      written.open();
      await holding.promise;
      return 'done';
    });
    await written.promise;
    expect(await erasureCanLock()).toBe(false);
    holding.open();
    expect(await writer).toBe('done');
    expect(await erasureCanLock()).toBe(true);
    expect(await count(`SELECT count(*)::int AS n FROM suppressions WHERE identity_hash = $1`, [hash('email:writer@lock.example')])).toBe(1);

    const failing = transactionAgainstErasure(env.db, async (tx) => {
      await tx.query(`INSERT INTO suppressions (identity_hash, reason) VALUES ($1, 'test')`, [hash('email:rolled-back@lock.example')]);
      throw new Error('the work failed');
    });
    await expect(failing).rejects.toThrow('the work failed');
    expect(await count(`SELECT count(*)::int AS n FROM suppressions WHERE identity_hash = $1`, [hash('email:rolled-back@lock.example')])).toBe(0);
    expect(await erasureCanLock()).toBe(true);
    await env.db.query(`DELETE FROM suppressions WHERE reason = 'test'`);
  });
});

describe('EnrichmentCache writes guarded by the suppression list', () => {
  const scope = new RedisScope();
  const redis = scope.client();
  const cache = new EnrichmentCache(redis, { ttlDays: 30, notFoundTtlDays: 7, suppressionSetKey: SUPPRESSED_IDENTITIES_KEY });
  const answer = { found: true as const, data: { username: 'jane' } };

  afterAll(() => scope.dispose());

  it('stores an answer while none of the identities is suppressed', async () => {
    await redis.sadd(SUPPRESSED_IDENTITIES_KEY, 'someone-else');
    expect(await cache.getOrLoad('person:linkedin:kept', async () => ({ value: answer, calls: 1 }), false, ['h-kept'])).toEqual({ value: answer, calls: 1 });
    expect(await redis.exists('person:linkedin:kept')).toBe(1);
  });

  it('does not store an answer bought while the person was erased, and says so', async () => {
    const bought = new Gate();
    const loading = cache.getOrLoad(
      'person:linkedin:erased-meanwhile',
      async () => {
        await bought.promise;
        return { value: answer, calls: 1 };
      },
      false,
      ['h-lead', 'h-profile'],
    );
    // The erasure happens while the call is in flight.
    await redis.sadd(SUPPRESSED_IDENTITIES_KEY, 'h-profile');
    bought.open();
    await expect(loading).rejects.toBeInstanceOf(IdentitySuppressedError);
    expect(await redis.exists('person:linkedin:erased-meanwhile', 'lock:person:linkedin:erased-meanwhile')).toBe(0);
  });
});
