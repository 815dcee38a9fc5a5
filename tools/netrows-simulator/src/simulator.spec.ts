import { createNetrowsSimulator, type NetrowsSimulator, type NetrowsSimulatorOptions } from './simulator';

const KEY = 'test-key-1';

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function call(url: string, init: RequestInit & { key?: string | null } = {}): Promise<Answer> {
  const { key = KEY, ...rest } = init;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(url, { ...rest, headers: { ...headers, ...(rest.headers as Record<string, string> | undefined) } });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
}

/** A manual clock for the rate-limit window. */
function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('netrows simulator over HTTP', () => {
  const open: NetrowsSimulator[] = [];
  async function start(options: NetrowsSimulatorOptions = {}): Promise<NetrowsSimulator> {
    const sim = await createNetrowsSimulator({ notFoundShare: 0, ...options });
    open.push(sim);
    return sim;
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sim) => sim.close()));
  });

  describe('endpoints and shapes', () => {
    it('serves a flat person at /v1/people/profile', async () => {
      const sim = await start();
      expect(sim.url).toBe(`http://127.0.0.1:${sim.port}/v1`);
      const { status, body } = await call(`${sim.url}/people/profile?username=jane-doe`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ username: 'jane-doe', firstName: 'Jane', lastName: expect.stringContaining('Doe') });
      expect(Object.keys(body as object).sort()).toEqual(
        ['backgroundImage', 'educations', 'firstName', 'geo', 'headline', 'id', 'isCreator', 'isPremium', 'isTopVoice', 'lastName', 'position', 'profilePicture', 'skills', 'summary', 'urn', 'username'].sort(),
      );
    });

    it('serves the same person by URL, reduced to its slug', async () => {
      const sim = await start();
      const bySlug = await call(`${sim.url}/people/profile?username=jose-garcia`);
      const byUrl = await call(`${sim.url}/people/profile-by-url?url=${encodeURIComponent('https://www.linkedin.com/in/Jose-Garcia/?trk=x#y')}`);
      expect(byUrl.status).toBe(200);
      expect(byUrl.body).toEqual(bySlug.body);
      expect(bySlug.body).toMatchObject({ firstName: 'José', lastName: expect.stringMatching(/^garc[ií]a/i) });
    });

    it('serves reverse lookups with the documented shape', async () => {
      const sim = await start();
      const { status, body } = await call(`${sim.url}/people/reverse-lookup?email=${encodeURIComponent('Zoe.Nowak@acme.com')}`);
      expect(status).toBe(200);
      expect(body).toEqual({
        found: true,
        email: 'zoe.nowak@acme.com',
        linkedinUrl: expect.stringMatching(/^https:\/\/www\.linkedin\.com\/in\/zoe-nowak-acme-[0-9a-f]{4}$/),
        profile: {
          fullName: expect.stringMatching(/^zo[eë] nowak/i),
          headline: expect.any(String),
          summary: expect.any(String),
          profilePicture: expect.any(String),
          location: expect.any(String),
          profileURL: expect.stringMatching(/^https:\/\/www\.linkedin\.com\/in\/zoe-nowak-acme-[0-9a-f]{4}\/$/),
          username: expect.stringMatching(/^zoe-nowak-acme-[0-9a-f]{4}$/),
        },
      });
    });

    it('wraps company details in { success, message, data } and accepts username=', async () => {
      const sim = await start();
      const byId = await call(`${sim.url}/companies/details?companyId=acme`);
      const byUsername = await call(`${sim.url}/companies/details?username=acme`);
      expect(byId.status).toBe(200);
      expect(byId.body).toMatchObject({ success: true, message: '', data: { universalName: 'acme', id: expect.stringMatching(/^\d+$/) } });
      expect(byUsername.body).toEqual(byId.body);
    });

    it('wraps by-domain answers in data.items[]', async () => {
      const sim = await start();
      const { status, body } = await call(`${sim.url}/companies/by-domain?domain=globex.io`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ success: true, message: '', data: { items: [{ universalName: 'globex-io' }] } });
    });

    it('answers 404 for unknown* / notfound* identifiers in both 404 body shapes', async () => {
      const sim = await start();
      const person = await call(`${sim.url}/people/profile?username=unknown-person`);
      const email = await call(`${sim.url}/people/reverse-lookup?email=notfound.x@acme.com`);
      const company = await call(`${sim.url}/companies/details?companyId=unknown-co`);
      const domain = await call(`${sim.url}/companies/by-domain?domain=notfound-corp.com`);
      expect(person).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: expect.any(String) } });
      expect(email).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: expect.any(String) } });
      expect(company).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', error: expect.any(String) } });
      expect(domain).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', error: expect.any(String) } });
    });

    it.each([
      ['/people/profile', 'Missing required parameter: username'],
      ['/people/profile?username=', 'Missing required parameter: username'],
      ['/people/profile-by-url?url=https://example.com/in/x', 'Invalid LinkedIn profile URL'],
      ['/people/reverse-lookup?email=not-an-email', 'Invalid email address'],
      ['/people/reverse-lookup?email=jane.doe%40gmail.com', 'Personal email domains are not supported, use a business email'],
      ['/people/reverse-lookup?email=jane%40Outlook.com', 'Personal email domains are not supported, use a business email'],
      ['/companies/details', 'Missing required parameter: companyId'],
      ['/companies/by-domain?domain=nodot', 'Invalid domain'],
    ])('answers 400 BAD_REQUEST for %s', async (path, error) => {
      const sim = await start();
      expect(await call(`${sim.url}${path}`)).toMatchObject({ status: 400, body: { error, code: 'BAD_REQUEST' } });
    });

    it('answers 405 to other methods (the POST-with-body tutorial is wrong) and 404 to unknown paths', async () => {
      const sim = await start();
      const post = await call(`${sim.url}/people/profile`, { method: 'POST', body: JSON.stringify({ username: 'jane-doe' }) });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET');
      expect((await call(`${sim.url}/people/search?q=x`)).status).toBe(404);
      expect((await call(`${sim.origin}/people/profile?username=jane-doe`)).status).toBe(404);
      expect(sim.stats().unrouted).toBe(2);
    });

    it('serves under a configured base path', async () => {
      const sim = await start({ basePath: '/api/v2' });
      expect(sim.url.endsWith('/api/v2')).toBe(true);
      expect((await call(`${sim.url}/people/profile?username=jane-doe`)).status).toBe(200);
    });
  });

  describe('determinism', () => {
    it('answers the same data for the same identifiers across restarts, and other data for another seed', async () => {
      const paths = ['/people/profile?username=lukasz-kowalski', '/people/reverse-lookup?email=a.b%40initech.de', '/companies/by-domain?domain=hooli.com'];
      const first = await start();
      const before = await Promise.all(paths.map((p) => call(`${first.url}${p}`)));
      await first.close();
      const second = await start();
      const after = await Promise.all(paths.map((p) => call(`${second.url}${p}`)));
      expect(after.map((a) => a.body)).toEqual(before.map((b) => b.body));
      const reseeded = await start({ seed: 'other' });
      const other = await call(`${reseeded.url}${paths[0]}`);
      expect(other.body).not.toEqual(before[0].body);
    });
  });

  describe('auth and credits', () => {
    it('answers 401 MISSING_API_KEY and INVALID_API_KEY, and accepts any key when none are configured', async () => {
      const strict = await start({ apiKeys: [KEY] });
      expect(await call(`${strict.url}/people/profile?username=jane-doe`, { key: null })).toMatchObject({ status: 401, body: { code: 'MISSING_API_KEY' } });
      expect(await call(`${strict.url}/people/profile?username=jane-doe`, { key: 'nope' })).toMatchObject({ status: 401, body: { code: 'INVALID_API_KEY' } });
      expect(await call(`${strict.url}/people/profile?username=jane-doe`, { headers: { Authorization: 'Basic abc' }, key: null })).toMatchObject({ status: 401, body: { code: 'MISSING_API_KEY' } });
      expect((await call(`${strict.url}/people/profile?username=jane-doe`)).status).toBe(200);
      const open = await start();
      expect((await call(`${open.url}/people/profile?username=jane-doe`, { key: 'anything' })).status).toBe(200);
      expect(strict.stats().byKey).toMatchObject({ '(missing)': { clientErrors: 2 }, '(invalid)': { clientErrors: 1 }, [KEY]: { ok: 1 } });
    });

    it('answers 402 INSUFFICIENT_CREDITS once a key has spent its credits, per endpoint cost', async () => {
      const sim = await start({ credits: { [KEY]: 4 }, creditCost: { companyByDomain: 3 } });
      expect((await call(`${sim.url}/companies/by-domain?domain=acme.com`)).status).toBe(200);
      expect((await call(`${sim.url}/people/profile?username=unknown-x`)).status).toBe(404);
      expect(await call(`${sim.url}/people/profile?username=jane-doe`)).toMatchObject({ status: 402, body: { code: 'INSUFFICIENT_CREDITS' } });
      // Keys without a balance are unlimited.
      expect((await call(`${sim.url}/people/profile?username=jane-doe`, { key: 'other' })).status).toBe(200);
      expect(sim.stats().byKey[KEY]).toMatchObject({ calls: 3, ok: 1, notFound: 1, clientErrors: 1, creditsCharged: 4, creditsRemaining: 0 });
      sim.reset();
      expect(sim.stats().totals.calls).toBe(0);
      expect((await call(`${sim.url}/people/profile?username=jane-doe`)).status).toBe(200);
    });

    it('reports every charged answer to onCharged, and no refused or refunded call', async () => {
      const clock = manualClock();
      const purchases: unknown[] = [];
      const sim = await start({ now: clock.now, credits: { [KEY]: 2 }, onCharged: (p) => purchases.push(p) });
      await call(`${sim.url}/people/profile?username=jane-doe`);
      clock.advance(5);
      await call(`${sim.url}/people/profile-by-url?url=${encodeURIComponent('https://www.linkedin.com/in/unknown-x/')}`);
      await call(`${sim.url}/people/profile?username=jane-doe`); // 402: out of credits
      await call(`${sim.url}/people/profile?username=jane-doe`, { key: null }); // 401
      sim.setFaults({ errorRate: 1 });
      await call(`${sim.url}/people/profile?username=jane-doe`, { key: 'other' }); // 5xx, refunded
      expect(purchases).toEqual([
        { endpoint: 'profile', identifier: 'jane-doe', key: KEY, status: 200, credits: 1, at: clock.now() - 5, delivered: true },
        { endpoint: 'profileByUrl', identifier: 'unknown-x', key: KEY, status: 404, credits: 1, at: clock.now(), delivered: true },
      ]);
    });

    it('tells onCharged when the client had gone before the answer (charged, never received)', async () => {
      const purchases: Array<{ delivered: boolean }> = [];
      const sim = await start({ faults: { latencyMs: 300 }, onCharged: (p) => purchases.push(p) });
      await expect(call(`${sim.url}/people/profile?username=jane-doe`, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
      for (const deadline = Date.now() + 5_000; purchases.length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(purchases).toEqual([expect.objectContaining({ identifier: 'jane-doe', delivered: false })]);
    });
  });

  describe('rate limit', () => {
    it('answers 429 beyond the per-key limit within a sliding minute, uncharged', async () => {
      const clock = manualClock();
      const sim = await start({ rateLimitPerMinute: 3, now: clock.now });
      const profile = `/people/profile?username=jane-doe`;
      for (let i = 0; i < 3; i++) {
        expect((await call(`${sim.url}${profile}`)).status).toBe(200);
        clock.advance(10_000);
      }
      const limited = await call(`${sim.url}${profile}`);
      expect(limited).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED', error: expect.any(String) } });
      expect(limited.headers.get('retry-after')).toBeNull();
      // Another key has its own window.
      expect((await call(`${sim.url}${profile}`, { key: 'second-key' })).status).toBe(200);
      // 60 s after the first call one slot frees up, not three.
      clock.advance(30_000);
      expect((await call(`${sim.url}${profile}`)).status).toBe(200);
      expect((await call(`${sim.url}${profile}`)).status).toBe(429);
      expect(sim.stats().byKey[KEY]).toMatchObject({ calls: 6, ok: 4, rateLimited: 2, creditsCharged: 4 });
      expect(sim.stats().byEndpoint.profile).toMatchObject({ calls: 7, rateLimited: 2 });
    });

    it('can send Retry-After for clients that honour it', async () => {
      const clock = manualClock();
      const sim = await start({ rateLimitPerMinute: 1, now: clock.now, retryAfterOn429: true });
      await call(`${sim.url}/people/profile?username=jane-doe`);
      clock.advance(15_500);
      const limited = await call(`${sim.url}/people/profile?username=jane-doe`);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('45');
    });
  });

  describe('faults', () => {
    it.each([401, 402, 429, 500, 503])('forces %i on every data request, uncharged', async (status) => {
      const sim = await start({ faults: { forceStatus: status } });
      const answer = await call(`${sim.url}/people/profile?username=jane-doe`);
      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ error: expect.any(String), code: expect.any(String) });
      expect(sim.stats().totals.creditsCharged).toBe(0);
    });

    it('injects 5xx by share and refunds them', async () => {
      const sim = await start({ credits: 10, faults: { errorRate: 1 } });
      const answer = await call(`${sim.url}/people/profile?username=jane-doe`);
      expect([500, 503]).toContain(answer.status);
      expect(sim.stats().byKey[KEY]).toMatchObject({ serverErrors: 1, creditsCharged: 0, creditsRemaining: 10 });
    });

    it('holds requests by share until the client gives up, and counts them', async () => {
      const sim = await start({ faults: { timeoutRate: 1 } });
      await expect(call(`${sim.url}/people/profile?username=jane-doe`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
      expect(sim.stats().totals).toMatchObject({ calls: 1, timeouts: 1, creditsCharged: 0 });
    });

    it('releases held requests on close()', async () => {
      const sim = await start({ faults: { timeoutRate: 1 } });
      const pending = call(`${sim.url}/people/profile?username=jane-doe`);
      const settled = pending.then(
        () => 'answered',
        () => 'dropped',
      );
      const deadline = Date.now() + 2_000;
      while (sim.stats().totals.timeouts === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const started = Date.now();
      await sim.close();
      expect(await settled).toBe('dropped');
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('adds latency', async () => {
      const sim = await start({ faults: { latencyMs: 80 } });
      const started = Date.now();
      expect((await call(`${sim.url}/people/profile?username=jane-doe`)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    });

    it('changes faults at run time through setFaults and POST /_sim/faults, and resets them', async () => {
      const sim = await start();
      expect(sim.setFaults({ forceStatus: 503 })).toMatchObject({ forceStatus: 503, errorRate: 0 });
      expect((await call(`${sim.url}/people/profile?username=jane-doe`)).status).toBe(503);
      const posted = await call(`${sim.origin}/_sim/faults`, { method: 'POST', key: null, body: JSON.stringify({ forceStatus: null, latencyMs: 1 }) });
      expect(posted).toMatchObject({ status: 200, body: { forceStatus: null, latencyMs: 1, errorRate: 0, timeoutRate: 0 } });
      expect((await call(`${sim.url}/people/profile?username=jane-doe`)).status).toBe(200);
      const invalid = await call(`${sim.origin}/_sim/faults`, { method: 'POST', key: null, body: JSON.stringify({ errorRate: 2 }) });
      expect(invalid.status).toBe(400);
      const unknownField = await call(`${sim.origin}/_sim/faults`, { method: 'POST', key: null, body: JSON.stringify({ chaos: true }) });
      expect(unknownField.status).toBe(400);
      expect((await call(`${sim.origin}/_sim/reset`, { method: 'POST', key: null })).status).toBe(200);
      expect((await call(`${sim.origin}/_sim/faults`, { key: null })).body).toEqual({ latencyMs: 0, errorRate: 0, timeoutRate: 0, forceStatus: null });
    });
  });

  describe('stats', () => {
    it('counts calls, outcomes and credits by key and endpoint at GET /_sim/stats', async () => {
      const sim = await start({ creditCost: { reverseLookup: 2 } });
      await call(`${sim.url}/people/profile?username=jane-doe`);
      await call(`${sim.url}/people/profile?username=unknown-1`);
      await call(`${sim.url}/people/reverse-lookup?email=jane.doe%40acme.com`);
      await call(`${sim.url}/people/reverse-lookup?email=jane.doe%40gmail.com`);
      await call(`${sim.url}/companies/details?companyId=acme`, { key: 'k2' });
      const { status, body } = await call(`${sim.origin}/_sim/stats`, { key: null });
      expect(status).toBe(200);
      expect(body).toEqual(sim.stats());
      const zero = { calls: 0, ok: 0, notFound: 0, clientErrors: 0, rateLimited: 0, serverErrors: 0, timeouts: 0, creditsCharged: 0 };
      expect(sim.stats()).toEqual({
        totals: { ...zero, calls: 5, ok: 3, notFound: 1, clientErrors: 1, creditsCharged: 5 },
        byEndpoint: {
          profile: { ...zero, calls: 2, ok: 1, notFound: 1, creditsCharged: 2 },
          reverseLookup: { ...zero, calls: 2, ok: 1, clientErrors: 1, creditsCharged: 2 },
          companyDetails: { ...zero, calls: 1, ok: 1, creditsCharged: 1 },
        },
        byKey: {
          [KEY]: {
            ...zero,
            calls: 4,
            ok: 2,
            notFound: 1,
            clientErrors: 1,
            creditsCharged: 4,
            creditsRemaining: null,
            byEndpoint: {
              profile: { ...zero, calls: 2, ok: 1, notFound: 1, creditsCharged: 2 },
              reverseLookup: { ...zero, calls: 2, ok: 1, clientErrors: 1, creditsCharged: 2 },
            },
          },
          k2: { ...zero, calls: 1, ok: 1, creditsCharged: 1, creditsRemaining: null, byEndpoint: { companyDetails: { ...zero, calls: 1, ok: 1, creditsCharged: 1 } } },
        },
        unrouted: 0,
      });
    });
  });
});
