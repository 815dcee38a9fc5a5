import { unwrapEnvelope, isRecord } from './envelope';
import { isFreeMailDomain } from './free-mail';
import { NETROWS_ERROR_CODES, NETROWS_ERROR_KINDS, NetrowsError, type NetrowsErrorKind } from './netrows.errors';
import type { NetrowsCompany, NetrowsEndpoint, NetrowsPerson, NetrowsReverseLookup } from './netrows.types';
import { parseRetryAfter } from './retry-after';

/** Path of each endpoint below `baseUrl`. Configurable because only `profile` is documented by Netrows. */
export type NetrowsPaths = Record<NetrowsEndpoint, string>;

/** Query-parameter name each endpoint takes its identifier in (some clients send `username=` to details). */
export interface NetrowsParams {
  profileUsername: string;
  profileUrl: string;
  reverseLookupEmail: string;
  companyDetailsId: string;
  companyDomain: string;
}

export const DEFAULT_NETROWS_BASE_URL = 'https://api.netrows.com/v1';

export const DEFAULT_NETROWS_PATHS: Readonly<NetrowsPaths> = Object.freeze({
  profile: '/people/profile',
  profileByUrl: '/people/profile-by-url',
  reverseLookup: '/people/reverse-lookup',
  companyDetails: '/companies/details',
  companyByDomain: '/companies/by-domain',
});

export const DEFAULT_NETROWS_PARAMS: Readonly<NetrowsParams> = Object.freeze({
  profileUsername: 'username',
  profileUrl: 'url',
  reverseLookupEmail: 'email',
  companyDetailsId: 'companyId',
  companyDomain: 'domain',
});

export interface NetrowsClientOptions {
  /** e.g. `https://api.netrows.com/v1` or a simulator's `http://127.0.0.1:4010/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; kept out of every message, log and inspection. */
  apiKey: string;
  /** Budget for the whole exchange, headers and body; the request is aborted when it runs out. */
  timeoutMs: number;
  paths: NetrowsPaths;
  params: NetrowsParams;
}

/**
 * The outcome of a lookup. A miss (404, `found: false`, an empty `items[]`) is a normal result,
 * not an error: the pipeline caches it. `raw` is the parsed body as received, for auditing.
 */
export type NetrowsResult<T> =
  | { found: true; data: T; raw: unknown; endpoint: NetrowsEndpoint }
  | { found: false; raw: unknown; endpoint: NetrowsEndpoint };

interface ErrorBody {
  code?: string;
  text?: string;
}

/** Longest server-supplied text copied into an error message, so a huge HTML page stays out of logs. */
const MAX_SERVER_TEXT = 200;

/**
 * Client for the Netrows endpoints a lead needs. Stateless apart from its options: rate
 * limiting, retries, caching and the circuit breaker belong to the caller, which sees every
 * failure as a classified `NetrowsError`.
 */
export class NetrowsClient {
  // A private field so that util.inspect, JSON.stringify and loggers never see the key.
  readonly #authorization: string;
  readonly #apiKey: string;
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #paths: NetrowsPaths;
  readonly #params: NetrowsParams;

  constructor(options: NetrowsClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new Error('NetrowsClient: baseUrl is not a valid URL');
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error('NetrowsClient: baseUrl must be http(s)');
    if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') throw new Error('NetrowsClient: apiKey is empty');
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) throw new Error('NetrowsClient: timeoutMs must be > 0');
    this.#apiKey = options.apiKey.trim();
    this.#authorization = `Bearer ${this.#apiKey}`;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs;
    this.#paths = { ...options.paths };
    this.#params = { ...options.params };
  }

  /** Person by LinkedIn slug (`/in/<slug>/`). */
  getProfile(username: string): Promise<NetrowsResult<NetrowsPerson>> {
    return this.#lookup<NetrowsPerson>('profile', this.#params.profileUsername, username);
  }

  /** Person by full LinkedIn profile URL. Prefer `getProfile(linkedinSlug(url))`. */
  getProfileByUrl(url: string): Promise<NetrowsResult<NetrowsPerson>> {
    return this.#lookup<NetrowsPerson>('profileByUrl', this.#params.profileUrl, url);
  }

  /**
   * Person by work e-mail. Free-mail addresses are refused with `bad_request` /
   * `FREE_MAIL_DOMAIN` before any call, since Netrows cannot resolve them and would still charge.
   */
  reverseLookup(email: string): Promise<NetrowsResult<NetrowsReverseLookup>> {
    if (isFreeMailDomain(email)) {
      return Promise.reject(
        new NetrowsError(NETROWS_ERROR_KINDS.BAD_REQUEST, 'netrows reverseLookup: free-mail addresses are not supported', {
          endpoint: 'reverseLookup',
          code: NETROWS_ERROR_CODES.FREE_MAIL_DOMAIN,
        }),
      );
    }
    return this.#lookup<NetrowsReverseLookup>('reverseLookup', this.#params.reverseLookupEmail, email);
  }

  /** Company by LinkedIn handle (`companyUsername`) or numeric id (`companyId`). */
  getCompany(idOrHandle: string | number): Promise<NetrowsResult<NetrowsCompany>> {
    return this.#lookup<NetrowsCompany>('companyDetails', this.#params.companyDetailsId, String(idOrHandle));
  }

  /**
   * Company by website domain. The answer may be a look-alike company: check it with
   * `companyDomainMatches(result.data, domain)` before using it.
   */
  getCompanyByDomain(domain: string): Promise<NetrowsResult<NetrowsCompany>> {
    return this.#lookup<NetrowsCompany>('companyByDomain', this.#params.companyDomain, domain);
  }

  async #lookup<T>(endpoint: NetrowsEndpoint, param: string, value: string): Promise<NetrowsResult<T>> {
    const identifier = value.trim();
    if (identifier === '') {
      throw new NetrowsError(NETROWS_ERROR_KINDS.BAD_REQUEST, `netrows ${endpoint}: empty ${param}`, {
        endpoint,
        code: NETROWS_ERROR_CODES.BAD_REQUEST,
      });
    }
    const url = new URL(`${this.#baseUrl}${this.#paths[endpoint]}`);
    url.searchParams.set(param, identifier);

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      const response = await fetch(url, {
        method: 'GET',
        headers: { Authorization: this.#authorization, Accept: 'application/json' },
        // Never follow a redirect: fetch would resend the key to wherever it points.
        redirect: 'manual',
        signal: controller.signal,
      });
      status = response.status;
      headers = response.headers;
      // The body is read under the same signal, so a server that stalls mid-body also times out.
      text = await response.text();
    } catch (error) {
      if (timedOut) {
        throw new NetrowsError(NETROWS_ERROR_KINDS.TIMEOUT, `netrows ${endpoint}: no answer within ${this.#timeoutMs} ms`, {
          endpoint,
        });
      }
      throw new NetrowsError(NETROWS_ERROR_KINDS.NETWORK, `netrows ${endpoint}: ${this.#describeNetworkError(error, identifier)}`, {
        endpoint,
      });
    } finally {
      clearTimeout(timer);
    }
    return this.#interpret<T>(endpoint, identifier, status, headers, text);
  }

  #interpret<T>(endpoint: NetrowsEndpoint, identifier: string, status: number, headers: Headers, text: string): NetrowsResult<T> {
    const body = parseJson(text);
    if (status === 404) return { found: false, raw: body.ok ? body.value : text, endpoint };

    if (status >= 200 && status < 300) {
      if (!body.ok) throw this.#error('invalid_response', endpoint, identifier, status, undefined, 'body is not JSON');
      const unwrapped = unwrapEnvelope(body.value);
      if (unwrapped.kind === 'invalid') throw this.#error('invalid_response', endpoint, identifier, status, undefined, unwrapped.reason);
      if (unwrapped.kind === 'empty') return { found: false, raw: body.value, endpoint };
      // Reverse lookup answers a miss with 200 and `found: false`.
      if (unwrapped.record.found === false) return { found: false, raw: body.value, endpoint };
      return { found: true, data: unwrapped.record as T, raw: body.value, endpoint };
    }

    const details = body.ok ? errorBody(body.value) : {};
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'));
    const kind = kindForStatus(status);
    throw this.#error(kind, endpoint, identifier, status, details, undefined, retryAfterMs);
  }

  #error(
    kind: NetrowsErrorKind,
    endpoint: NetrowsEndpoint,
    identifier: string,
    status: number,
    details: ErrorBody | undefined,
    reason?: string,
    retryAfterMs?: number,
  ): NetrowsError {
    const parts = [`netrows ${endpoint}: HTTP ${status}`];
    if (details?.code) parts.push(details.code);
    const text = reason ?? details?.text;
    let message = parts.join(' ');
    if (text) message += `: ${text.slice(0, MAX_SERVER_TEXT)}`;
    return new NetrowsError(kind, this.#redact(message, identifier), {
      endpoint,
      status,
      ...(details?.code !== undefined ? { code: details.code } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  #describeNetworkError(error: unknown, identifier: string): string {
    // fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ...) in `cause`.
    // Duck-typed: errors from fetch may come from another realm, where instanceof fails.
    const cause = isRecord(error) && isRecord(error.cause) ? error.cause : error;
    const code = isRecord(cause) && typeof cause.code === 'string' ? cause.code : undefined;
    const message = isRecord(cause) && typeof cause.message === 'string' ? cause.message : String(cause);
    return this.#redact(code && !message.includes(code) ? `${code} ${message}` : message, identifier);
  }

  /**
   * Server text may echo the request: keep the key out of it, and the looked-up identifier
   * (an e-mail is personal data) out of logs that carry the message.
   */
  #redact(message: string, identifier: string): string {
    return message.split(this.#apiKey).join('[redacted]').split(identifier).join('[identifier]');
  }
}

function kindForStatus(status: number): NetrowsErrorKind {
  if (status === 401 || status === 403) return NETROWS_ERROR_KINDS.UNAUTHORIZED;
  if (status === 402) return NETROWS_ERROR_KINDS.INSUFFICIENT_CREDITS;
  if (status === 429) return NETROWS_ERROR_KINDS.RATE_LIMITED;
  if (status === 408) return NETROWS_ERROR_KINDS.TIMEOUT;
  if (status >= 500) return NETROWS_ERROR_KINDS.SERVER_ERROR;
  if (status >= 400) return NETROWS_ERROR_KINDS.BAD_REQUEST;
  // 1xx/3xx: nothing Netrows documents; a redirect here means a misconfigured base URL.
  return NETROWS_ERROR_KINDS.INVALID_RESPONSE;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function errorBody(value: unknown): ErrorBody {
  if (!isRecord(value)) return {};
  const result: ErrorBody = {};
  if (typeof value.code === 'string' && value.code !== '') result.code = value.code;
  const text = typeof value.error === 'string' ? value.error : typeof value.message === 'string' ? value.message : undefined;
  if (text !== undefined && text !== '') result.text = text;
  return result;
}
