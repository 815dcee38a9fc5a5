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
 * POSTs a body that is already serialised (a signature covers these exact bytes). Resolves on
 * 2xx; otherwise throws a DeliveryError: network errors, timeouts, 5xx, 408 and 429 are worth
 * another try, any other answer (400, 401, 403, 404, 410, ...) will not get better by repeating.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new DeliveryError(`unreachable: ${error instanceof Error ? error.message : String(error)}`, true);
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  // Slack says why in a short text body (invalid_payload, channel_is_archived, ...).
  const detail = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
  throw new DeliveryError(`answered ${response.status}${detail ? ` ${detail}` : ''}`, retryable);
}
