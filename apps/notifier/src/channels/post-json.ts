import { EventEmitter } from 'node:events';
import { Agent, request } from 'undici';

/** A delivery that failed, and whether sending it again can help. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * One keep-alive connection pool per receiver origin, shared by every channel: a burst of
 * announcements reuses its sockets instead of connecting per POST.
 */
const agent = new Agent({ keepAliveTimeout: 10_000 });

/**
 * POSTs a body that is already serialised (a signature covers these exact bytes). Resolves on
 * 2xx; otherwise throws a DeliveryError: network errors, timeouts, 5xx, 408 and 429 are worth
 * another try, any other answer (400, 401, 403, 404, 410, ...) will not get better by repeating.
 * `timeoutMs` bounds the whole exchange, connecting and reading the answer included.
 *
 * undici's `request` rather than `fetch`: no WHATWG Request/Response/stream objects per call.
 * It follows no redirects (a 3xx is a refusal, as with a receiver that moved) and does not
 * throw on 4xx/5xx.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  // A plain emitter and timer: undici accepts either as the abort signal, and this costs less
  // per call than AbortSignal.timeout (no DOMException, no transferable signal).
  const abort = new EventEmitter();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.emit('abort');
  }, timeoutMs);
  try {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        dispatcher: agent,
        signal: abort,
      });
    } catch (error) {
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error);
      throw new DeliveryError(`unreachable: ${reason}`, true);
    }
    const { statusCode, body: answer } = response;
    if (statusCode >= 200 && statusCode < 300) {
      // Read to the end (up to undici's dump limit) so the socket goes back to the pool. The
      // status is the receiver's answer: a body that stalls past the timeout does not undo it.
      await answer.dump().catch(() => undefined);
      return;
    }
    // Slack says why in a short text body (invalid_payload, channel_is_archived, ...).
    const detail = (await answer.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
    const retryable = statusCode >= 500 || statusCode === 408 || statusCode === 429;
    throw new DeliveryError(`answered ${statusCode}${detail ? ` ${detail}` : ''}`, retryable);
  } finally {
    clearTimeout(timer);
  }
}
