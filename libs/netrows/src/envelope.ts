/**
 * Netrows wraps answers differently per endpoint: the object itself, `{ success, message, data }`,
 * or `{ success, message, data: { items: [...] } }`. This reduces all of them to one record.
 */
export type Unwrapped =
  | { kind: 'record'; record: Record<string, unknown> }
  | { kind: 'empty' }
  | { kind: 'invalid'; reason: string };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEnvelope(body: Record<string, unknown>): boolean {
  return 'data' in body && ('success' in body || 'message' in body || Object.keys(body).length === 1);
}

export function unwrapEnvelope(body: unknown): Unwrapped {
  if (!isRecord(body)) return { kind: 'invalid', reason: 'body is not a JSON object' };
  let payload: unknown = body;
  if (isEnvelope(body)) {
    // A 200 that says it failed is not a miss we may cache: surface it as an invalid answer.
    if (body.success === false) {
      const message = typeof body.message === 'string' && body.message !== '' ? `: ${body.message}` : '';
      return { kind: 'invalid', reason: `envelope reports success=false${message}` };
    }
    payload = body.data;
  }
  if (payload === null || payload === undefined) return { kind: 'empty' };
  const items = Array.isArray(payload) ? payload : isRecord(payload) && Array.isArray(payload.items) ? payload.items : null;
  if (items !== null) {
    if (items.length === 0) return { kind: 'empty' };
    payload = items[0];
  }
  if (!isRecord(payload)) return { kind: 'invalid', reason: 'payload is not a JSON object' };
  if (Object.keys(payload).length === 0) return { kind: 'empty' };
  return { kind: 'record', record: payload };
}
