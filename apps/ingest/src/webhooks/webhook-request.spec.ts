import { Socket } from 'node:net';
import { rawBodyOf, requestUrl, WebhookRequest } from './webhook-request';
import { WebhookRejection } from './webhook-rejection';

function request(headers: Record<string, string>, extra: Partial<WebhookRequest> = {}): WebhookRequest {
  return { headers, socket: new Socket(), originalUrl: '/api/webhooks/hubspot?tenant=a', url: '/api/webhooks/hubspot?tenant=a', ...extra } as WebhookRequest;
}

describe('webhook requests', () => {
  it('rebuilds the URL the client called from the Host header', () => {
    expect(requestUrl(request({ host: '127.0.0.1:3000' }))).toBe('http://127.0.0.1:3000/api/webhooks/hubspot?tenant=a');
  });

  it("prefers the proxy's first X-Forwarded-Proto and X-Forwarded-Host", () => {
    const req = request({ host: 'ingest:3000', 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'leads.example.com, ingest' });
    expect(requestUrl(req)).toBe('https://leads.example.com/api/webhooks/hubspot?tenant=a');
  });

  it('gives the raw bytes of a JSON body, and nothing for an empty one', () => {
    const raw = Buffer.from('{"email":"a@acme.com"}');
    expect(rawBodyOf(request({ 'content-type': 'application/json; charset=utf-8' }, { rawBody: raw }))).toBe(raw);
    expect(rawBodyOf(request({ 'content-type': 'application/json' }))).toEqual(Buffer.alloc(0));
  });

  it.each([['text/plain'], ['application/x-www-form-urlencoded'], ['']])('refuses a body sent as %j with 415', (contentType) => {
    let rejection: unknown;
    try {
      rawBodyOf(request(contentType ? { 'content-type': contentType } : {}, { rawBody: Buffer.from('x') }));
    } catch (error) {
      rejection = error;
    }
    expect(rejection).toBeInstanceOf(WebhookRejection);
    expect((rejection as WebhookRejection).getStatus()).toBe(415);
  });
});
