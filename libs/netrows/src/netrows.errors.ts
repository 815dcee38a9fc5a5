import type { NetrowsEndpoint } from './netrows.types';

/**
 * Stable error kinds: callers switch on these, metrics label by them, so never rename one.
 * The pipeline reaction per kind is in netrows-api.md ("Errors").
 */
export const NETROWS_ERROR_KINDS = {
  /** 401/403: bad or missing key. Stop consuming and alert. */
  UNAUTHORIZED: 'unauthorized',
  /** 402: account out of credits. Stop consuming and alert; leads wait. */
  INSUFFICIENT_CREDITS: 'insufficient_credits',
  /** 400 and other 4xx, or an input refused before calling. Terminal for that lead. */
  BAD_REQUEST: 'bad_request',
  /** 429. Retry later, honouring `retryAfterMs` when present. */
  RATE_LIMITED: 'rate_limited',
  /** 5xx. Retry with backoff; feeds the circuit breaker. */
  SERVER_ERROR: 'server_error',
  /** No complete answer within `timeoutMs`; the request was aborted. */
  TIMEOUT: 'timeout',
  /** Connection refused/reset, DNS failure and the like. */
  NETWORK: 'network',
  /** A 2xx (or unexpected status) whose body is not the JSON object we expect. */
  INVALID_RESPONSE: 'invalid_response',
} as const;

export type NetrowsErrorKind = (typeof NETROWS_ERROR_KINDS)[keyof typeof NETROWS_ERROR_KINDS];

/** Kinds where the same call may succeed later without any change on our side. */
export const RETRYABLE_NETROWS_ERROR_KINDS: ReadonlySet<NetrowsErrorKind> = new Set<NetrowsErrorKind>([
  NETROWS_ERROR_KINDS.RATE_LIMITED,
  NETROWS_ERROR_KINDS.SERVER_ERROR,
  NETROWS_ERROR_KINDS.TIMEOUT,
  NETROWS_ERROR_KINDS.NETWORK,
]);

/** Codes Netrows puts in error bodies (`{ error, code }`, or `{ code, message }` for 404). */
export const NETROWS_ERROR_CODES = {
  MISSING_API_KEY: 'MISSING_API_KEY',
  INVALID_API_KEY: 'INVALID_API_KEY',
  INSUFFICIENT_CREDITS: 'INSUFFICIENT_CREDITS',
  NOT_FOUND: 'NOT_FOUND',
  BAD_REQUEST: 'BAD_REQUEST',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  /** Ours: the client refused a free-mail address without spending a call. */
  FREE_MAIL_DOMAIN: 'FREE_MAIL_DOMAIN',
} as const;

export interface NetrowsErrorDetails {
  endpoint: NetrowsEndpoint;
  status?: number;
  code?: string;
  retryAfterMs?: number;
}

/** Every failure of a Netrows call. The message never contains the API key or the looked-up identifier. */
export class NetrowsError extends Error {
  override readonly name = 'NetrowsError';
  readonly kind: NetrowsErrorKind;
  readonly endpoint: NetrowsEndpoint;
  readonly status?: number;
  readonly code?: string;
  /** From `Retry-After` (seconds or HTTP date), when the server sent one. */
  readonly retryAfterMs?: number;

  constructor(kind: NetrowsErrorKind, message: string, details: NetrowsErrorDetails) {
    super(message);
    this.kind = kind;
    this.endpoint = details.endpoint;
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }

  get retryable(): boolean {
    return RETRYABLE_NETROWS_ERROR_KINDS.has(this.kind);
  }
}

export function isNetrowsError(value: unknown): value is NetrowsError {
  return value instanceof NetrowsError;
}
