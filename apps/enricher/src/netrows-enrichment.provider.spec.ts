import type { NetrowsClient, NetrowsEndpoint } from '@leadpipe/netrows';
import type { EnrichmentCache, Loaded } from './enrichment-cache';
import { CallBudget, CallGuard, NetrowsEnrichmentProvider } from './netrows-enrichment.provider';
import { IdentitySuppressedError, SuppressionCheck } from './suppression-list';

/** A suppression list in memory; `hash` is readable so tests can name identities. */
class MemorySuppressions implements SuppressionCheck {
  readonly listed = new Set<string>();
  hash(identityKey: string): string {
    return `h(${identityKey})`;
  }
  async anySuppressed(hashes: readonly string[]): Promise<boolean> {
    return hashes.some((hash) => this.listed.has(hash));
  }
}

/** A cache that never hits and records the value and write guard of every key it loads. */
function recordingCache() {
  const guards = new Map<string, readonly string[]>();
  const values = new Map<string, unknown>();
  const cache = {
    async getOrLoad<T>(key: string, load: () => Promise<Loaded<T>>, _refresh = false, unlessSuppressed: readonly string[] = []) {
      guards.set(key, unlessSuppressed);
      const loaded = await load();
      values.set(key, loaded.value);
      return loaded;
    },
  } as unknown as EnrichmentCache;
  return { cache, guards, values };
}

const person = (username: string) => ({ found: true as const, data: { username, position: [] }, raw: {}, endpoint: 'profile' as NetrowsEndpoint });

function setUp(options: { onGate?: () => void } = {}) {
  const client = {
    reverseLookup: jest.fn(async (email: string) => ({
      found: true as const,
      data: { email, profile: { username: 'Jane-Doe-Acme' } },
      raw: {},
      endpoint: 'reverseLookup' as NetrowsEndpoint,
    })),
    getProfile: jest.fn(async (slug: string) => person(slug)),
    getCompany: jest.fn(),
    getCompanyByDomain: jest.fn(async () => ({ found: false as const, raw: {}, endpoint: 'companyByDomain' as NetrowsEndpoint })),
  };
  const suppressions = new MemorySuppressions();
  const { cache, guards, values } = recordingCache();
  const gate = jest.fn(async () => options.onGate?.());
  const guard: CallGuard = { call: (request) => request() };
  const budget = { reserve: jest.fn(async () => undefined), refund: jest.fn(async () => undefined) } satisfies CallBudget;
  const provider = new NetrowsEnrichmentProvider(client as unknown as NetrowsClient, cache, gate, guard, undefined, budget, suppressions);
  return { provider, client, suppressions, guards, gate, budget, cache: { values } };
}

describe('NetrowsEnrichmentProvider and the suppression list', () => {
  const lead = { email: 'jane@acme.com' };
  const identityHashes = ['h(email:jane@acme.com)'];

  it("guards every person entry with the lead's identities and the entry's own; company entries are not guarded", async () => {
    const { provider, guards } = setUp();
    await provider.enrich(lead, { identityHashes });
    expect(Object.fromEntries(guards)).toEqual({
      'person:email:jane@acme.com': ['h(email:jane@acme.com)'],
      'person:linkedin:jane-doe-acme': ['h(email:jane@acme.com)', 'h(linkedin:jane-doe-acme)'],
      'company:domain:acme.com': [],
    });
  });

  it('makes no call once the person is erased while the lead waits for a token, and gives the credit back', async () => {
    const { provider, client, suppressions, budget } = setUp({ onGate: () => suppressions.listed.add('h(email:jane@acme.com)') });
    await expect(provider.enrich(lead, { identityHashes })).rejects.toBeInstanceOf(IdentitySuppressedError);
    expect(client.reverseLookup).not.toHaveBeenCalled();
    expect(budget.reserve).toHaveBeenCalledTimes(1);
    expect(budget.refund).toHaveBeenCalledTimes(1);
  });

  it('treats a profile matched to a new e-mail as unknown when that profile was erased: not bought, not linked in the cache', async () => {
    const { provider, client, suppressions, cache } = setUp();
    suppressions.listed.add('h(linkedin:jane-doe-acme)');
    const result = await provider.enrich({ email: 'jane.private@acme.com' }, { identityHashes: ['h(email:jane.private@acme.com)'] });
    expect(result.outcome).toBe('not_found');
    expect(result.person).toBeNull();
    expect(client.reverseLookup).toHaveBeenCalledTimes(1);
    expect(client.getProfile).not.toHaveBeenCalled();
    expect(cache.values.get('person:email:jane.private@acme.com')).toEqual({ found: false });
  });

  it("without the lead's hashes, still guards each person entry by its own identity", async () => {
    const { provider, client, guards } = setUp();
    const result = await provider.enrich(lead);
    expect(result.outcome).toBe('enriched');
    expect(client.getProfile).toHaveBeenCalledWith('jane-doe-acme');
    expect(guards.get('person:email:jane@acme.com')).toEqual(['h(email:jane@acme.com)']);
  });
});
