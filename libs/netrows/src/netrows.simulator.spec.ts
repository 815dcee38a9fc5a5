/**
 * The real client against the simulator over HTTP: the pipeline's lookup paths end to end,
 * and the client's default paths and parameters checked against the simulator's own copy of the API.
 */
import { linkedinSlug } from '@leadpipe/contracts';
import { createNetrowsSimulator, type NetrowsSimulator, type NetrowsSimulatorOptions } from '../../../tools/netrows-simulator/src';
import {
  DEFAULT_NETROWS_PARAMS,
  DEFAULT_NETROWS_PATHS,
  NetrowsClient,
  NetrowsError,
  companyDomainMatches,
  currentPosition,
  type NetrowsResult,
} from './index';

const KEY = 'sim-key';

function found<T>(result: NetrowsResult<T>): T {
  if (!result.found) throw new Error(`expected ${result.endpoint} to find something`);
  return result.data;
}

async function failure(promise: Promise<unknown>): Promise<NetrowsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof NetrowsError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('NetrowsClient against the simulator', () => {
  const open: NetrowsSimulator[] = [];
  async function setup(options: NetrowsSimulatorOptions = {}, timeoutMs = 2_000): Promise<{ sim: NetrowsSimulator; client: NetrowsClient }> {
    const sim = await createNetrowsSimulator({ notFoundShare: 0, apiKeys: [KEY], ...options });
    open.push(sim);
    const client = new NetrowsClient({ baseUrl: sim.url, apiKey: KEY, timeoutMs, paths: { ...DEFAULT_NETROWS_PATHS }, params: { ...DEFAULT_NETROWS_PARAMS } });
    return { sim, client };
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sim) => sim.close()));
  });

  it('follows the LinkedIn-URL path: slug → profile → current position → company details', async () => {
    const { client } = await setup();
    const slug = linkedinSlug('https://www.linkedin.com/in/Chloe-Dubois/?originalSubdomain=fr');
    const person = found(await client.getProfile(slug ?? ''));
    expect(person).toMatchObject({ username: 'chloe-dubois', firstName: 'Chloé', lastName: expect.stringContaining('Dubois') });
    const job = currentPosition(person);
    expect(job?.companyUsername).toBeTruthy();
    const byHandle = found(await client.getCompany(job?.companyUsername ?? ''));
    const byId = found(await client.getCompany(job?.companyId ?? 0));
    expect(byId).toEqual(byHandle);
    expect(byHandle).toMatchObject({ universalName: job?.companyUsername, name: job?.companyName });
    expect(found(await client.getProfileByUrl('linkedin.com/in/chloe-dubois'))).toEqual(person);
  });

  it('follows the e-mail path: reverse lookup → profile → employer on the e-mail domain', async () => {
    const { client } = await setup();
    const lookup = found(await client.reverseLookup('maria.garcia@northwind.io'));
    const person = found(await client.getProfile(lookup.profile?.username ?? ''));
    expect(`${person.firstName} ${person.lastName}`).toBe(lookup.profile?.fullName);
    const company = found(await client.getCompany(currentPosition(person)?.companyUsername ?? ''));
    expect(companyDomainMatches(company, 'northwind.io')).toBe(true);
  });

  it('reads by-domain through the items envelope and lets the caller reject look-alikes', async () => {
    const { client } = await setup();
    const company = found(await client.getCompanyByDomain('hooli.com'));
    expect(companyDomainMatches(company, 'hooli.com')).toBe(true);
    const lookalike = found(await client.getCompanyByDomain('lookalike-hooli.com'));
    expect(companyDomainMatches(lookalike, 'lookalike-hooli.com')).toBe(false);
  });

  it('returns found:false for misses on every endpoint', async () => {
    const { client, sim } = await setup();
    const misses = await Promise.all([
      client.getProfile('unknown-someone'),
      client.getProfileByUrl('https://www.linkedin.com/in/notfound-x/'),
      client.reverseLookup('unknown@acme.com'),
      client.getCompany('unknown-co'),
      client.getCompany(99),
      client.getCompanyByDomain('notfound.example.com'),
    ]);
    expect(misses.map((m) => [m.endpoint, m.found])).toEqual([
      ['profile', false],
      ['profileByUrl', false],
      ['reverseLookup', false],
      ['companyDetails', false],
      ['companyDetails', false],
      ['companyByDomain', false],
    ]);
    expect(sim.stats().totals).toMatchObject({ calls: 6, notFound: 6, creditsCharged: 6 });
  });

  it('classifies the simulator failures', async () => {
    const { sim, client } = await setup({ rateLimitPerMinute: 1, credits: { [KEY]: 2 } });
    found(await client.getProfile('jane-doe'));
    expect(await failure(client.getProfile('jane-doe'))).toMatchObject({ kind: 'rate_limited', status: 429, code: 'RATE_LIMITED', retryable: true });
    sim.reset();
    sim.setFaults({ forceStatus: 503 });
    expect(await failure(client.getProfile('jane-doe'))).toMatchObject({ kind: 'server_error', status: 503, retryable: true });
    sim.setFaults({ forceStatus: 402 });
    expect(await failure(client.getProfile('jane-doe'))).toMatchObject({ kind: 'insufficient_credits', code: 'INSUFFICIENT_CREDITS' });
    sim.setFaults({ forceStatus: null });
    expect(await failure(client.getProfile('bad/slug'))).toMatchObject({ kind: 'bad_request', status: 400, code: 'BAD_REQUEST' });
    const wrongKey = new NetrowsClient({ baseUrl: sim.url, apiKey: 'not-the-key', timeoutMs: 1_000, paths: { ...DEFAULT_NETROWS_PATHS }, params: { ...DEFAULT_NETROWS_PARAMS } });
    const unauthorized = await failure(wrongKey.getProfile('jane-doe'));
    expect(unauthorized).toMatchObject({ kind: 'unauthorized', status: 401, code: 'INVALID_API_KEY', retryable: false });
    expect(unauthorized.message).not.toContain('not-the-key');
  });

  it('gives up on a hung request at its timeout and the simulator counts it', async () => {
    const { sim, client } = await setup({ faults: { timeoutRate: 1 } }, 150);
    expect(await failure(client.getCompanyByDomain('acme.com'))).toMatchObject({ kind: 'timeout', endpoint: 'companyByDomain' });
    expect(sim.stats().byEndpoint.companyByDomain).toMatchObject({ calls: 1, timeouts: 1, creditsCharged: 0 });
  });
});
