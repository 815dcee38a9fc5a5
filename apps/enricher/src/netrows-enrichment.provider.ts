import { LeadInput, linkedinSlug, normaliseEmail } from '@leadpipe/contracts';
import {
  companyDomainMatches,
  currentPosition,
  hostOf,
  isFreeMailDomain,
  isNetrowsError,
  NetrowsClient,
  NetrowsCompany,
  NetrowsEndpoint,
  NetrowsPerson,
  NetrowsResult,
} from '@leadpipe/netrows';
import { personCacheKey } from '@leadpipe/persistence';
import { EnrichmentCache, Loaded } from './enrichment-cache';
import type { CallPriority } from './rate-limiter';
import { IdentitySuppressedError, SuppressionCheck } from './suppression-list';

type Caller = <T>(endpoint: NetrowsEndpoint, request: () => Promise<NetrowsResult<T>>) => Promise<NetrowsResult<T>>;

/** One lead's lookup: how to call, whether to refresh, and the hashes of the lead's identities. */
interface Lookup {
  call: Caller;
  refresh: boolean;
  identityHashes: readonly string[];
}

/** What a provider found for one lead. */
export interface ProviderResult {
  outcome: 'enriched' | 'not_found' | 'disqualified';
  person: NetrowsPerson | null;
  company: NetrowsCompany | null;
  /** Paid calls this lead caused. */
  calls: number;
}

/** Gate every paid call passes through (the shared rate limiter). */
export type CallGate = (priority: CallPriority) => Promise<unknown>;

export interface EnrichOptions {
  /** Buy cached answers again and replace them. */
  refresh?: boolean;
  /** High-priority leads get the next rate-limit tokens. */
  priority?: CallPriority;
  /**
   * Hashes of the lead's identities (see RedisSuppressionList.hashesOf). Once any of them is
   * suppressed (the person was erased), no further call is made and no answer about the
   * person is cached: IdentitySuppressedError is thrown.
   */
  identityHashes?: readonly string[];
}

/** Runs a paid call under the provider's protections (see ProviderGuard). */
export interface CallGuard {
  call<T>(request: () => Promise<T>): Promise<T>;
}

/** Credits reserved before a call and given back when it was not charged (see CreditBudget). */
export interface CallBudget {
  reserve(endpoint: NetrowsEndpoint): Promise<void>;
  refund(endpoint: NetrowsEndpoint): Promise<void>;
}

const NO_BUDGET: CallBudget = { reserve: async () => undefined, refund: async () => undefined };

/** Where each call's endpoint, outcome and duration are recorded. */
export interface CallRecorder {
  record(endpoint: NetrowsEndpoint, outcome: string, seconds: number): void;
}

/**
 * Netrows lookups in the order `netrows-api.md` prescribes: a LinkedIn URL is reduced to its
 * slug and looked up by username; otherwise a work e-mail goes through reverse-lookup, then
 * profile. The company comes from the current position, else from the lead's domain
 * (rejecting look-alikes). Every answer, found or not, is cached.
 */
export class NetrowsEnrichmentProvider {
  readonly name = 'netrows';

  constructor(
    private readonly client: NetrowsClient,
    private readonly cache: EnrichmentCache,
    private readonly gate: CallGate,
    private readonly guard: CallGuard,
    private readonly recorder: CallRecorder = { record: () => undefined },
    private readonly budget: CallBudget = NO_BUDGET,
    private readonly suppressions?: SuppressionCheck,
  ) {}

  async enrich(lead: LeadInput, options: EnrichOptions = {}): Promise<ProviderResult> {
    const identityHashes = this.suppressions ? (options.identityHashes ?? []) : [];
    const lookup: Lookup = {
      refresh: options.refresh ?? false,
      identityHashes,
      call: (endpoint, request) => this.call(endpoint, request, options.priority ?? 'normal', identityHashes),
    };
    const person = await this.findPerson(lead, lookup);
    const company = await this.findCompany(lead, person.value.found ? person.value.data : null, lookup.refresh, lookup.call);
    return {
      outcome: person.value.found ? 'enriched' : 'not_found',
      person: person.value.found ? person.value.data : null,
      company: company.value.found ? company.value.data : null,
      calls: person.calls + company.calls,
    };
  }

  private async findPerson(lead: LeadInput, lookup: Lookup): Promise<Loaded<NetrowsPerson>> {
    const { refresh, call } = lookup;
    const slug = lead.linkedinUrl ? linkedinSlug(lead.linkedinUrl) : null;
    if (slug) return this.profileBySlug(slug, lookup);
    if (!lead.email || isFreeMailDomain(lead.email)) {
      // Reverse lookup supports business addresses only: a free-mail address would waste a credit.
      return { value: { found: false }, calls: 0 };
    }
    const email = normaliseEmail(lead.email);
    const identity = `email:${email}`;
    const found = await this.cache.getOrLoad<{ username: string }>(personCacheKey(identity), async () => {
      const result = await call('reverseLookup', () => this.client.reverseLookup(email));
      const username = result.found ? (result.data.profile?.username ?? usernameFromUrl(result.data.linkedinUrl)) : null;
      // Resolved to an erased profile: remembered as a miss, so the cache does not link this
      // address to the erased person.
      if (!username || (await this.isErasedProfile(username.toLowerCase(), lookup))) return { value: { found: false }, calls: 1 };
      return { value: { found: true, data: { username: username.toLowerCase() } }, calls: 1 };
    }, refresh, this.writeGuard(lookup, identity));
    if (!found.value.found) return { value: { found: false }, calls: found.calls };
    const profile = await this.profileBySlug(found.value.data.username, lookup);
    return { value: profile.value, calls: found.calls + profile.calls };
  }

  private async profileBySlug(slug: string, lookup: Lookup): Promise<Loaded<NetrowsPerson>> {
    const identity = `linkedin:${slug}`;
    // The profile matched to this lead's e-mail belongs to someone who was erased: for this
    // lead it is unknown, and nothing about it is bought or kept.
    if (await this.isErasedProfile(slug, lookup)) return { value: { found: false }, calls: 0 };
    return this.cache.getOrLoad<NetrowsPerson>(personCacheKey(identity), async () => {
      const result = await lookup.call('profile', () => this.client.getProfile(slug));
      return { value: result.found ? { found: true, data: result.data } : { found: false }, calls: 1 };
    }, lookup.refresh, this.writeGuard(lookup, identity));
  }

  /**
   * A profile, not named by the lead itself, whose person was erased. (The lead's own
   * identities are checked before and during the lookup, and end it: IdentitySuppressedError.)
   */
  private async isErasedProfile(slug: string, lookup: Lookup): Promise<boolean> {
    if (!this.suppressions) return false;
    const hash = this.suppressions.hash(`linkedin:${slug}`);
    return !lookup.identityHashes.includes(hash) && (await this.suppressions.anySuppressed([hash]));
  }

  /** A person entry is stored only while neither the lead nor the entry's own identity is suppressed. */
  private writeGuard(lookup: Lookup, identity: string): readonly string[] {
    if (!this.suppressions) return [];
    return [...new Set([...lookup.identityHashes, this.suppressions.hash(identity)])];
  }

  private async findCompany(lead: LeadInput, person: NetrowsPerson | null, refresh: boolean, call: Caller): Promise<Loaded<NetrowsCompany>> {
    const position = person ? currentPosition(person) : undefined;
    const handle = position?.companyUsername || (position?.companyId !== undefined ? String(position.companyId) : '');
    if (handle) {
      return this.cache.getOrLoad<NetrowsCompany>(`company:id:${handle.toLowerCase()}`, async () => {
        const result = await call('companyDetails', () => this.client.getCompany(handle));
        return { value: result.found ? { found: true, data: result.data } : { found: false }, calls: 1 };
      }, refresh);
    }
    const domain = companyDomainOf(lead);
    if (!domain) return { value: { found: false }, calls: 0 };
    return this.cache.getOrLoad<NetrowsCompany>(`company:domain:${domain}`, async () => {
      const result = await call('companyByDomain', () => this.client.getCompanyByDomain(domain));
      // by-domain sometimes maps a domain to a look-alike company: keep only a real match.
      const match = result.found && companyDomainMatches(result.data, domain);
      return { value: match && result.found ? { found: true, data: result.data } : { found: false }, calls: 1 };
    }, refresh);
  }

  /**
   * Budget first (a spent budget takes no token), then the guard; the token is taken inside
   * the guard, so a call the breaker refuses costs no quota. Answers and 404s are charged;
   * anything that throws was not, and its credits go back.
   */
  private async call<T>(
    endpoint: NetrowsEndpoint,
    request: () => Promise<NetrowsResult<T>>,
    priority: CallPriority,
    identityHashes: readonly string[],
  ): Promise<NetrowsResult<T>> {
    await this.budget.reserve(endpoint);
    try {
      return await this.guardedCall(endpoint, request, priority, identityHashes);
    } catch (error) {
      await this.budget.refund(endpoint);
      throw error;
    }
  }

  private guardedCall<T>(
    endpoint: NetrowsEndpoint,
    request: () => Promise<NetrowsResult<T>>,
    priority: CallPriority,
    identityHashes: readonly string[],
  ): Promise<NetrowsResult<T>> {
    return this.guard.call(async () => {
      await this.gate(priority);
      // The wait for a token can be long: the person may have been erased meanwhile. (Not an
      // upstream failure: the breaker does not count it; the reserved credit goes back.)
      if (this.suppressions && identityHashes.length > 0 && (await this.suppressions.anySuppressed(identityHashes))) {
        throw new IdentitySuppressedError();
      }
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        const result = await request();
        this.recorder.record(endpoint, result.found ? 'found' : 'not_found', seconds());
        return result;
      } catch (error) {
        this.recorder.record(endpoint, isNetrowsError(error) ? error.kind : 'error', seconds());
        throw error;
      }
    });
  }
}

/** The lead's company domain, else its e-mail's domain when that is a work address. */
function companyDomainOf(lead: LeadInput): string | null {
  const fromInput = lead.companyDomain ? hostOf(lead.companyDomain) : null;
  if (fromInput) return fromInput.replace(/^www\./, '');
  if (lead.email && !isFreeMailDomain(lead.email)) {
    const domain = lead.email.slice(lead.email.lastIndexOf('@') + 1).trim().toLowerCase();
    return domain || null;
  }
  return null;
}

function usernameFromUrl(url: string | undefined): string | null {
  return url ? linkedinSlug(url) : null;
}
