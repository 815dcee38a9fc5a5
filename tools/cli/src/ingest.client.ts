import { abortableSleep } from './abortable-sleep';
import {
  acceptedBatchSchema,
  leadPageSchema,
  leadViewSchema,
  PENDING_STATUS,
  suppressedAnswerSchema,
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

/** A field error of a batch tied to the lead it names: `leads[3].email` is index 3, field `email`. */
export interface LeadFieldError {
  readonly index: number;
  readonly field: string;
  readonly reason: string;
}

/**
 * What `POST /api/leads/batch` made of a batch. The route stores the batch whole or not at
 * all, so every refusal but `failed` tells the caller which leads to drop before sending the
 * rest again.
 */
export type BatchOutcome =
  /** 202: one id per lead, in the order they were sent. */
  | { readonly kind: 'accepted'; readonly ids: readonly string[] }
  /** 400 naming leads by index: those are invalid, the others were refused only with them. */
  | { readonly kind: 'invalid'; readonly errors: readonly LeadFieldError[] }
  /** 409 `suppressed`: the leads at `indexes` name persons who asked to be erased. */
  | { readonly kind: 'suppressed'; readonly indexes: readonly number[] }
  /** Refused for its size (413, or a 400 on `leads` itself): smaller batches may pass. */
  | { readonly kind: 'too-large'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

export type LookupOutcome =
  | { readonly kind: 'found'; readonly lead: LeadView }
  /** 404: the id is not (yet) visible to the read side. */
  | { readonly kind: 'unknown' }
  | { readonly kind: 'failed'; readonly reason: string };

export type PendingListOutcome =
  /** Ids of the leads still pending; `pages` requests were made. */
  | { readonly kind: 'listed'; readonly ids: ReadonlySet<string>; readonly pages: number }
  | { readonly kind: 'failed'; readonly reason: string };

/** The largest page `GET /api/leads` serves. */
const LIST_PAGE_SIZE = 500;

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

interface RequestBody {
  readonly json: unknown;
  /** Kept by the caller for every retry of this body, so ingest stores it at most once. */
  readonly idempotencyKey: string;
}

const INDEXED_FIELD = /^leads\[(\d+)\](?:\.(.+))?$/;

const DEFAULTS = { requestTimeoutMs: 10_000, maxAttempts: 4, retryBaseDelayMs: 250, retryMaxDelayMs: 5_000 };
/** The longest 429 Retry-After honoured: ingest's throttle counts per minute. */
const MAX_THROTTLE_WAIT_MS = 60_000;

/** HTTP client for the ingest API; classifies every answer so callers never see a raw status. */
export class IngestClient {
  private readonly baseUrl: string;
  private readonly settings: Required<Omit<IngestClientOptions, 'baseUrl' | 'apiKey'>>;
  private readonly auth: Record<string, string>;
  /** No request starts before this (epoch ms): set by a 429, whose limit covers every request of the key. */
  private throttledUntil = 0;

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

  /**
   * Sends leads as one batch under `idempotencyKey`. Reuse the key only for the same leads:
   * a retry after a lost answer then gets the first answer back and creates nothing.
   */
  async submitBatch(inputs: readonly LeadFieldValues[], idempotencyKey: string, signal?: AbortSignal): Promise<BatchOutcome> {
    const response = await this.request('POST', '/api/leads/batch', signal, { json: { leads: inputs }, idempotencyKey });
    if (response.status >= 200 && response.status < 300) {
      const accepted = acceptedBatchSchema.safeParse(response.body);
      if (!accepted.success) return { kind: 'failed', reason: `HTTP ${response.status} without the lead ids` };
      if (accepted.data.leads.length !== inputs.length) {
        return { kind: 'failed', reason: `HTTP ${response.status} with ${accepted.data.leads.length} lead ids for ${inputs.length} leads` };
      }
      return { kind: 'accepted', ids: accepted.data.leads.map((lead) => lead.id) };
    }
    if (response.status === 413) return { kind: 'too-large', reason: describeFailure(response) };
    if (response.status === 409) {
      const suppressed = suppressedAnswerSchema.safeParse(response.body);
      if (suppressed.success && (suppressed.data.indexes ?? []).length > 0) return { kind: 'suppressed', indexes: suppressed.data.indexes ?? [] };
    }
    if (response.status === 400) {
      return classifyBatchValidation(response.body) ?? { kind: 'failed', reason: `HTTP 400: ${describeValidationFailure(response.body)}` };
    }
    return { kind: 'failed', reason: describeFailure(response) };
  }

  async getLead(id: string, signal?: AbortSignal): Promise<LookupOutcome> {
    const response = await this.request('GET', `/api/leads/${encodeURIComponent(id)}`, signal);
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
   * Ids of every lead still pending (`received`) that ingest received at or after `since`,
   * paging through `GET /api/leads` 500 at a time: a lead missing from it has ended (or is gone).
   */
  async listPendingIds(since: Date, signal?: AbortSignal): Promise<PendingListOutcome> {
    const ids = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = new URLSearchParams({ status: PENDING_STATUS, received_since: since.toISOString(), limit: String(LIST_PAGE_SIZE) });
      if (cursor !== null) query.set('cursor', cursor);
      const response = await this.request('GET', `/api/leads?${query.toString()}`, signal);
      pages += 1;
      if (response.status !== 200) return { kind: 'failed', reason: describeFailure(response) };
      const page = leadPageSchema.safeParse(response.body);
      if (!page.success) return { kind: 'failed', reason: 'unexpected lead list shape' };
      for (const lead of page.data.data) ids.add(lead.id);
      cursor = page.data.next_cursor;
    } while (cursor !== null);
    return { kind: 'listed', ids, pages };
  }

  /**
   * Retries 503/429 and network errors with exponential backoff. A 429 pauses every request of
   * this client until its Retry-After: ingest throttles per API key, so lanes retrying on their
   * own would only spend the next window's quota on more 429s. A body always travels with its
   * Idempotency-Key, the same on every attempt: a POST whose answer was lost (timeout, reset)
   * and that is sent again gets the stored answer back instead of creating its leads twice.
   */
  private async request(method: 'GET' | 'POST', path: string, signal?: AbortSignal, body?: RequestBody): Promise<RawResponse> {
    const url = `${this.baseUrl}${path}`;
    let lastNetworkError = '';
    for (let attempt = 1; ; attempt += 1) {
      let retryAfterMs: number | null = null;
      await abortableSleep(this.throttledUntil - Date.now(), signal);
      if (signal?.aborted) throw signal.reason;
      try {
        const timeout = AbortSignal.timeout(this.settings.requestTimeoutMs);
        const response = await fetch(url, {
          method,
          headers: {
            ...this.auth,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': body.idempotencyKey }),
          },
          body: body === undefined ? undefined : JSON.stringify(body.json),
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
        if (response.status === 429) {
          const wait = Math.min(retryAfterMs ?? this.settings.retryMaxDelayMs, MAX_THROTTLE_WAIT_MS);
          this.throttledUntil = Math.max(this.throttledUntil, Date.now() + wait);
          // The pause above, shared with every lane, is this retry's wait.
          retryAfterMs = 0;
        }
      } catch (error) {
        // The run was cancelled: not ingest's fault, so not an unreachable ingest either.
        if (signal?.aborted) throw signal.reason;
        // A refused key is an answer, not a network error: retrying cannot change it.
        if (error instanceof IngestAccessError) throw error;
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

/**
 * A batch's 400 as the leads it names, or as a size refusal (an error on `leads` itself, e.g.
 * over ingest's INGEST_BATCH_MAX_LEADS). `null` when it names neither: nothing a smaller or
 * filtered batch could fix.
 */
function classifyBatchValidation(body: unknown): BatchOutcome | null {
  const errors = validationFailureSchema.safeParse(body).data?.errors ?? [];
  const indexed: LeadFieldError[] = [];
  for (const error of errors) {
    const field = error.field ?? '';
    const match = INDEXED_FIELD.exec(field);
    if (match) indexed.push({ index: Number(match[1]), field: match[2] ?? '(lead)', reason: error.reason ?? 'invalid' });
    else if (field === 'leads' && errors.length === 1) return { kind: 'too-large', reason: `leads: ${error.reason ?? 'refused'}` };
    else return null;
  }
  return indexed.length > 0 ? { kind: 'invalid', errors: indexed } : null;
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
