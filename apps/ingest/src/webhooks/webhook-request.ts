import { RawBodyRequest } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import { WebhookRejection } from './webhook-rejection';

/** What the routes read of an Express request (`rawBody` needs `NestFactory.create(..., { rawBody: true })`). */
export type WebhookRequest = RawBodyRequest<IncomingMessage & { body?: unknown; originalUrl?: string }>;

/**
 * The bytes the signature was computed over. The JSON parser keeps them (Nest's `rawBody`);
 * a body sent as anything but JSON was not parsed, so it cannot be checked, and is refused.
 */
export function rawBodyOf(req: WebhookRequest): Buffer {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw WebhookRejection.notJson();
  // The parser skips an empty body: nothing was kept, and nothing is what was signed.
  return req.rawBody ?? Buffer.alloc(0);
}

/**
 * The URL the client called, as it saw it: scheme and host from `X-Forwarded-Proto` and
 * `X-Forwarded-Host` (the first hop) when a proxy sets them, else from the connection and
 * `Host`. Only used to check a signature, so a forged header can only make that check fail.
 */
export function requestUrl(req: WebhookRequest): string {
  const forwarded = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' && value !== '' ? value.split(',')[0].trim() : undefined;
  };
  const scheme = forwarded('x-forwarded-proto') ?? (req.socket instanceof TLSSocket && req.socket.encrypted ? 'https' : 'http');
  const host = forwarded('x-forwarded-host') ?? req.headers.host ?? 'localhost';
  return `${scheme}://${host}${req.originalUrl ?? req.url ?? '/'}`;
}
