import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApiKeyRepository, hashApiKey } from '@leadpipe/auth';
import { freePort } from '../support/free-port';
import { ServiceProcess } from '../support/service-process';
import { TestEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/**
 * Ingest's access control on two real ingest replicas, PostgreSQL and Redis: API keys stored
 * hashed with scopes (ingest, read, admin), 401/403 answers, revocation, and a per-key
 * throttle whose counts both replicas share.
 */
describe('ingest API keys and throttling', () => {
  const env = new TestEnv();
  const replicas: ServiceProcess[] = [];
  const keys: Record<'ingest' | 'read' | 'admin' | 'revoked' | 'limited' | 'other', string> = {
    ingest: '',
    read: '',
    admin: '',
    revoked: '',
    limited: '',
    other: '',
  };

  beforeAll(async () => {
    await env.setUp();
    const repo = new ApiKeyRepository(env.db);
    keys.ingest = (await repo.create({ name: 'crm-sync', scopes: ['ingest'] })).key;
    keys.read = (await repo.create({ name: 'dashboard', scopes: ['read'] })).key;
    keys.admin = (await repo.create({ name: 'ops', scopes: ['admin'] })).key;
    const revoked = await repo.create({ name: 'old', scopes: ['ingest', 'read'] });
    keys.revoked = revoked.key;
    await repo.revoke(revoked.record.id);
    keys.limited = (await repo.create({ name: 'tight', scopes: ['read'], rateLimitPerMinute: 4 })).key;
    keys.other = (await repo.create({ name: 'neighbour', scopes: ['read'], rateLimitPerMinute: 4 })).key;
    for (let i = 0; i < 2; i++) {
      replicas.push(
        new ServiceProcess('ingest', await freePort(), env.serviceEnv({ INGEST_AUTH: 'required' }), resolve(__dirname, '../../.run/test-logs', env.id, `ingest-${i}`)),
      );
    }
    await Promise.all(replicas.map((r) => r.start()));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await env.dispose();
  }, 60_000);

  const url = (path: string, replica = 0) => `${replicas[replica].url}${path}`;
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const postLead = (headers: Record<string, string>, email = 'someone@auth.io') =>
    fetch(url('/api/leads'), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email }) });

  it('asks for a key on every /api route, and says how to send one', async () => {
    const res = await postLead({});
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toContain('Authorization: Bearer <key>');
    expect((await fetch(url('/api/leads'))).status).toBe(401);
    expect((await fetch(url('/api/imports/00000000-0000-4000-8000-000000000000'))).status).toBe(401);
  });

  it('refuses unknown, malformed and revoked keys with 401', async () => {
    for (const key of ['lp_' + 'x'.repeat(43), 'not-a-key', keys.revoked]) {
      expect((await postLead(bearer(key))).status).toBe(401);
    }
  });

  it('lets each scope do its part and nothing else (403), admin everything', async () => {
    const created = await postLead(bearer(keys.ingest));
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    expect((await fetch(url(`/api/leads/${id}`), { headers: bearer(keys.ingest) })).status).toBe(403);

    const read = await fetch(url(`/api/leads/${id}`), { headers: { 'x-api-key': keys.read } });
    expect(read.status).toBe(200);
    const refused = await postLead({ 'x-api-key': keys.read });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toBe('the API key "dashboard" lacks the "ingest" scope (it has: read)');
    expect((await fetch(url(`/api/leads/${id}/refresh`), { method: 'POST', headers: bearer(keys.read) })).status).toBe(403);

    expect((await postLead(bearer(keys.admin), 'admin@auth.io')).status).toBe(202);
    expect((await fetch(url(`/api/leads/${id}`), { headers: bearer(keys.admin) })).status).toBe(200);
    expect((await fetch(url(`/api/leads/${id}/refresh`), { method: 'POST', headers: bearer(keys.admin) })).status).toBe(202);
  });

  it('keeps probes, metrics, the API docs and the signed webhooks free of keys', async () => {
    expect((await fetch(url('/health/live'))).status).toBe(200);
    expect((await fetch(url('/metrics'))).status).toBe(200);
    // The API's documentation: a UI and the OpenAPI document, generated from the code.
    const ui = await fetch(url('/docs'));
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    const doc = (await (await fetch(url('/docs/openapi.json'))).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/leads', '/api/leads/batch', '/api/leads/import', '/api/dead-letters']));
    // Authenticated by their signature: without a configured secret the route is off (404), not 401.
    const webhook = await fetch(url('/api/webhooks/leads'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(webhook.status).toBe(404);
  });

  it('stores only a hash of each key, and records when it was last used', async () => {
    expect((await postLead(bearer(keys.ingest), 'used@auth.io')).status).toBe(202);
    await waitFor(async () => {
      const [row] = (await env.db.query(`SELECT last_used_at FROM api_keys WHERE name = 'crm-sync'`)) as Array<{ last_used_at: Date | null }>;
      return row.last_used_at !== null;
    }, { timeoutMs: 10_000, what: 'last_used_at of the used key' });
    const rows: Array<{ key_hash: string; key_prefix: string; last_used_at: Date | null; name: string }> = await env.db.query(
      `SELECT key_hash, key_prefix, last_used_at, name FROM api_keys`,
    );
    const everything = JSON.stringify(rows);
    for (const key of Object.values(keys)) expect(everything).not.toContain(key);
    expect(rows.map((r) => r.key_hash).sort()).toEqual(Object.values(keys).map(hashApiKey).sort());
    expect(rows.find((r) => r.name === 'neighbour')?.last_used_at).toBeNull();
  });

  it('throttles per key across replicas: the fifth request in a minute gets 429, another key is not affected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(url('/api/leads?limit=1', i % 2), { headers: bearer(keys.limited) });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect((await fetch(url('/api/leads?limit=1', 1), { headers: bearer(keys.other) })).status).toBe(200);
  });

  it('never writes an API key or a full e-mail address to its logs (refused requests are logged with their headers)', async () => {
    // A refused request is logged at warn with its headers: the key in it must come out redacted.
    expect((await postLead(bearer(keys.read), 'private.person@auth.io')).status).toBe(403);
    expect((await postLead({ 'x-api-key': keys.read }, 'private.person@auth.io')).status).toBe(403);
    const logs = await waitFor(
      () => {
        const text = replicas.map((_, i) => readFileSync(resolve(__dirname, '../../.run/test-logs', env.id, `ingest-${i}`, 'ingest.log'), 'utf8')).join('\n');
        return text.includes('[redacted]') ? text : null;
      },
      { timeoutMs: 10_000, what: 'the refused requests in the logs, redacted' },
    );
    for (const key of Object.values(keys)) expect(logs).not.toContain(key);
    for (const email of ['private.person@auth.io', 'someone@auth.io', 'admin@auth.io', 'used@auth.io']) expect(logs).not.toContain(email);
  });
});
