import { abortableSleep } from './abortable-sleep';
import {
  acceptedLeadSchema,
  leadViewSchema,
  validationFailureSchema,
  type LeadView,
  type ValidationFailure,
} from './ingest-api.schema';
import type { LeadFieldValues } from '@leadpipe/contracts';

export interface IngestClientOptions {
  /** Base URL of the ingest service, without the `/api` prefix. */
  readonly baseUrl: string;
  readonly requestTimeoutMs?: number;
  /** Attempts per request for 503/429 answers and network errors, the first included. */
  readonly maxAttempts?: number;
  readonly retryBaseDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** Sent as `Authorization: Bearer <key>` when ingest asks for API keys. */
  readonly apiKey?: string;
}

export type SubmitOutcome =
  | { readonly kind: 'accepted'; readonly id: string }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

export type LookupOutcome =
  | { readonly kind: 'found'; readonly lead: LeadView }
  /** 404: the id is not (yet) visible to the read side. */
  | { readonly kind: 'unknown' }
  | { readonly kind: 'failed'; readonly reason: string };

/** Ingest refused the API key (401) or its scope (403): no request of the run can succeed. */
export class IngestAccessError extends Error {
  override readonly name = 'IngestAccessError';
  constructor(status: number, detail: string) {
    super(`ingest refused access (HTTP ${status}): ${detail}${status === 401 ? ' (pass a key with --api-key or LEADPIPE_API_KEY)' : ''}`);
  }
}

/** Ingest could not be reached at all (refused, DNS, reset, timeout) even after retries. */
export class IngestUnreachableError extends Error {
  override readonly name = 'IngestUnreachableError';
  constructor(
    readonly url: string,
    readonly detail: string,
  ) {
    super(`cannot reach ingest at ${url}: ${detail}`);
  }
}

interface RawResponse {
  readonly status: number;
  readonly body: unknown;
  readonly attempts: number;
}

const DEFAULTS = { requestTimeoutMs: 10_000, maxAttempts: 4, retryBaseDelayMs: 250, retryMaxDelayMs: 5_000 };

/** HTTP client for the ingest API; classifies every answer so callers never see a raw status. */
export class IngestClient {
  private readonly baseUrl: string;
  private readonly settings: Required<Omit<IngestClientOptions, 'baseUrl' | 'apiKey'>>;
  private readonly auth: Record<string, string>;

  constructor(options: IngestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.auth = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
    this.settings = {
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      retryBaseDelayMs: options.retryBaseDelayMs ?? DEFAULTS.retryBaseDelayMs,
      retryMaxDelayMs: options.retryMaxDelayMs ?? DEFAULTS.retryMaxDelayMs,
    };
  }

  async submitLead(input: LeadFieldValues, signal?: AbortSignal): Promise<SubmitOutcome> {
    const response = await this.request('POST', '/api/leads', input, signal);
    if (response.status >= 200 && response.status < 300) {
      const accepted = acceptedLeadSchema.safeParse(response.body);
      return accepted.success
        ? { kind: 'accepted', id: accepted.data.id }
        : { kind: 'failed', reason: `HTTP ${response.status} without a lead id` };
    }
    if (response.status === 400 || response.status === 422) {
      return { kind: 'rejected', reason: describeValidationFailure(response.body) };
    }
    return { kind: 'failed', reason: describeFailure(response) };
  }

  async getLead(id: string, signal?: AbortSignal): Promise<LookupOutcome> {
    const response = await this.request('GET', `/api/leads/${encodeURIComponent(id)}`, undefined, signal);
    if (response.status === 404) return { kind: 'unknown' };
    if (response.status !== 200) return { kind: 'failed', reason: describeFailure(response) };
    const lead = leadViewSchema.safeParse(response.body);
    if (!lead.success) {
      const issue = lead.error.issues[0];
      return { kind: 'failed', reason: `unexpected lead shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})` };
    }
    return { kind: 'found', lead: lead.data };
  }

  /**
   * Retries 503/429 and network errors with exponential backoff. A POST retried after a timeout
   * may create the lead twice; that is accepted because the enricher caches by identity, so a
   * duplicate costs no extra provider call, while giving up would lose the lead.
   */
  private async request(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal): Promise<RawResponse> {
    const url = `${this.baseUrl}${path}`;
    let lastNetworkError = '';
    for (let attempt = 1; ; attempt += 1) {
      let retryAfterMs: number | null = null;
      try {
        const timeout = AbortSignal.timeout(this.settings.requestTimeoutMs);
        const response = await fetch(url, {
          method,
          headers: { ...this.auth, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        const parsed = await readJson(response);
        if (response.status === 401 || response.status === 403) {
          const message = validationFailureSchema.safeParse(parsed).data?.message;
          throw new IngestAccessError(response.status, typeof message === 'string' ? message : 'no detail');
        }
        const retryable = response.status === 503 || response.status === 429;
        if (!retryable || attempt >= this.settings.maxAttempts) return { status: response.status, body: parsed, attempts: attempt };
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (error) {
        // The run was cancelled: not ingest's fault, so not an unreachable ingest either.
        if (signal?.aborted) throw signal.reason;
        lastNetworkError = describeNetworkError(error);
        if (attempt >= this.settings.maxAttempts) throw new IngestUnreachableError(this.baseUrl, lastNetworkError);
      }
      const backoff = Math.min(this.settings.retryMaxDelayMs, this.settings.retryBaseDelayMs * 2 ** (attempt - 1));
      // Jitter keeps concurrent workers from retrying in lockstep against a recovering service.
      const delay = retryAfterMs !== null ? Math.min(retryAfterMs, this.settings.retryMaxDelayMs) : backoff * (0.5 + Math.random() / 2);
      await abortableSleep(delay, signal);
      if (signal?.aborted) throw signal.reason;
    }
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseRetryAfter(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}

export function describeValidationFailure(body: unknown): string {
  const parsed = validationFailureSchema.safeParse(body);
  if (!parsed.success) return typeof body === 'string' && body !== '' ? body.slice(0, 200) : 'rejected without a reason';
  const failure: ValidationFailure = parsed.data;
  const fieldReasons = (failure.errors ?? []).map((e) => [e.field, e.reason].filter(Boolean).join(': ')).filter((r) => r !== '');
  if (fieldReasons.length > 0) return fieldReasons.join('; ');
  const message = Array.isArray(failure.message) ? failure.message.join('; ') : failure.message;
  return message || 'rejected without a reason';
}

function describeFailure(response: RawResponse): string {
  const retried = response.attempts > 1 ? ` after ${response.attempts} attempts` : '';
  const parsed = validationFailureSchema.safeParse(response.body);
  const message = parsed.success && typeof parsed.data.message === 'string' ? `: ${parsed.data.message}` : '';
  return `HTTP ${response.status}${retried}${message}`;
}

/**
 * undici hides the useful part ("connect ECONNREFUSED 127.0.0.1:3000") in `cause`. Checked by
 * shape, not `instanceof`, because fetch's errors come from another realm under test runners.
 */
export function describeNetworkError(error: unknown): string {
  const outer = errorLike(error);
  if (outer === null) return String(error);
  if (outer.name === 'TimeoutError') return 'request timed out';
  const cause = errorLike(outer.cause);
  return cause?.message || cause?.code || outer.message || 'network error';
}

interface ErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly cause?: unknown;
}

function errorLike(value: unknown): ErrorLike | null {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : null;
}
