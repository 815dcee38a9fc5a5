import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  DEFAULT_NETROWS_PARAMS,
  DEFAULT_NETROWS_PATHS,
  NetrowsClient,
  NetrowsError,
  type NetrowsClientOptions,
  type NetrowsErrorKind,
} from './index';

const API_KEY = 'sk_live_5f3c9a71-very-secret';

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Stub {
  baseUrl: string;
  requests: SeenRequest[];
  /** Connections the server saw closed by the client before it answered. */
  abandoned: () => number;
  close: () => Promise<void>;
}

/** A throwaway HTTP server on an ephemeral port that answers with `handler` and records requests. */
async function startStub(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Stub> {
  const requests: SeenRequest[] = [];
  let abandoned = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.on('close', () => {
        if (!res.writableFinished) abandoned += 1;
      });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    abandoned: () => abandoned,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

function clientFor(baseUrl: string, overrides: Partial<NetrowsClientOptions> = {}): NetrowsClient {
  return new NetrowsClient({
    baseUrl,
    apiKey: API_KEY,
    timeoutMs: 2_000,
    paths: { ...DEFAULT_NETROWS_PATHS },
    params: { ...DEFAULT_NETROWS_PARAMS },
    ...overrides,
  });
}

async function waitFor(predicate: () => boolean, deadlineMs = 2_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function failure(promise: Promise<unknown>): Promise<NetrowsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof NetrowsError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const PERSON = { id: 1, username: 'jane-doe', firstName: 'Jane', lastName: 'Doe', position: [] };
const COMPANY = { id: '1441', name: 'Acme', universalName: 'acme', website: 'https://acme.com' };

describe('NetrowsClient', () => {
  let stub: Stub | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });

  describe('request', () => {
    it('sends a GET with bearer auth, JSON accept and no body, to the configured path', async () => {
      stub = await startStub(json(200, PERSON));
      await clientFor(stub.baseUrl).getProfile('jane-doe');
      const [request] = stub.requests;
      expect(request.method).toBe('GET');
      expect(request.url).toBe('/v1/people/profile?username=jane-doe');
      expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(request.headers.accept).toBe('application/json');
      expect(request.body).toBe('');
      expect(request.headers['content-length']).toBeUndefined();
    });

    it('encodes identifiers in the query', async () => {
      stub = await startStub(json(200, { found: true, email: 'x' }));
      const client = clientFor(stub.baseUrl);
      await client.reverseLookup('jane+leads@acme.com');
      await client.getProfileByUrl('https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa/?trk=a&b=c#top');
      const [lookup, byUrl] = stub.requests.map((r) => new URL(r.url, 'http://x'));
      expect(lookup.search).toBe('?email=jane%2Bleads%40acme.com');
      expect(lookup.searchParams.get('email')).toBe('jane+leads@acme.com');
      expect(byUrl.searchParams.get('url')).toBe('https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa/?trk=a&b=c#top');
      expect([...byUrl.searchParams.keys()]).toEqual(['url']);
    });

    it('uses configured paths and parameter names', async () => {
      stub = await startStub(json(200, { success: true, message: '', data: COMPANY }));
      const client = clientFor(`${stub.baseUrl}/`, {
        paths: { ...DEFAULT_NETROWS_PATHS, companyDetails: '/company/get' },
        params: { ...DEFAULT_NETROWS_PARAMS, companyDetailsId: 'username' },
      });
      await client.getCompany(1441);
      expect(stub.requests[0].url).toBe('/v1/company/get?username=1441');
    });

    it('refuses free-mail addresses and empty identifiers without calling', async () => {
      stub = await startStub(json(200, {}));
      const client = clientFor(stub.baseUrl);
      const freeMail = await failure(client.reverseLookup('Jane.Doe@GMail.com'));
      expect(freeMail).toMatchObject({ kind: 'bad_request', code: 'FREE_MAIL_DOMAIN', endpoint: 'reverseLookup' });
      expect(freeMail.retryable).toBe(false);
      expect(await failure(client.getProfile('  '))).toMatchObject({ kind: 'bad_request', endpoint: 'profile' });
      expect(stub.requests).toHaveLength(0);
    });

    it('does not follow redirects (the key would travel with them)', async () => {
      stub = await startStub(json(302, {}, { Location: 'http://127.0.0.1:9/steal' }));
      const error = await failure(clientFor(stub.baseUrl).getProfile('jane-doe'));
      expect(error).toMatchObject({ kind: 'invalid_response', status: 302 });
      expect(stub.requests).toHaveLength(1);
    });
  });

  describe('envelopes', () => {
    it.each([
      ['the object itself', PERSON],
      ['{ success, message, data }', { success: true, message: '', data: PERSON }],
      ['data.items[] (first item)', { success: true, message: 'success', data: { items: [PERSON, { id: 2 }] } }],
      ['data as an array', { success: true, message: '', data: [PERSON] }],
    ])('reads %s', async (_shape, body) => {
      stub = await startStub(json(200, body));
      const result = await clientFor(stub.baseUrl).getProfile('jane-doe');
      expect(result).toEqual({ found: true, data: PERSON, raw: body, endpoint: 'profile' });
    });

    it.each([
      ['empty items', { success: true, message: '', data: { items: [] } }],
      ['null data', { success: true, message: 'no results', data: null }],
      ['empty object', {}],
    ])('treats %s as not found', async (_shape, body) => {
      stub = await startStub(json(200, body));
      const result = await clientFor(stub.baseUrl).getCompanyByDomain('acme.com');
      expect(result).toEqual({ found: false, raw: body, endpoint: 'companyByDomain' });
    });

    it('treats a reverse lookup answering 200 with found:false as not found', async () => {
      const body = { found: false, email: 'jane@acme.com' };
      stub = await startStub(json(200, body));
      expect(await clientFor(stub.baseUrl).reverseLookup('jane@acme.com')).toEqual({ found: false, raw: body, endpoint: 'reverseLookup' });
    });

    it.each([
      ['not JSON', '<html>oops</html>'],
      ['an array', [PERSON]],
      ['success:false', { success: false, message: 'Something broke', data: null }],
      ['a non-object item', { success: true, message: '', data: { items: ['jane'] } }],
    ])('rejects a 200 whose body is %s as invalid_response', async (_shape, body) => {
      stub = await startStub(json(200, body));
      const error = await failure(clientFor(stub.baseUrl).getProfile('jane-doe'));
      expect(error).toMatchObject({ kind: 'invalid_response', status: 200, endpoint: 'profile' });
      expect(error.retryable).toBe(false);
    });
  });

  describe('404', () => {
    it.each([
      ['{ code, message }', { code: 'NOT_FOUND', message: 'Profile not found' }],
      ['{ error, code }', { error: 'Company not found', code: 'NOT_FOUND' }],
      ['a non-JSON body', 'Not Found'],
    ])('is found:false with %s', async (_shape, body) => {
      stub = await startStub(json(404, body));
      const result = await clientFor(stub.baseUrl).getCompany('acme');
      expect(result).toEqual({ found: false, raw: body, endpoint: 'companyDetails' });
    });
  });

  describe('errors', () => {
    const cases: [number, unknown, NetrowsErrorKind, string | undefined, boolean][] = [
      [400, { error: 'Invalid email address', code: 'BAD_REQUEST' }, 'bad_request', 'BAD_REQUEST', false],
      [401, { error: 'Invalid API key', code: 'INVALID_API_KEY' }, 'unauthorized', 'INVALID_API_KEY', false],
      [401, { error: 'Missing API key', code: 'MISSING_API_KEY' }, 'unauthorized', 'MISSING_API_KEY', false],
      [403, { error: 'Forbidden' }, 'unauthorized', undefined, false],
      [402, { error: 'Insufficient credits', code: 'INSUFFICIENT_CREDITS' }, 'insufficient_credits', 'INSUFFICIENT_CREDITS', false],
      [422, { error: 'Unprocessable' }, 'bad_request', undefined, false],
      [429, { error: 'Too many requests' }, 'rate_limited', undefined, true],
      [500, { error: 'Internal error', code: 'INTERNAL_ERROR' }, 'server_error', 'INTERNAL_ERROR', true],
      [502, '<html>Bad Gateway</html>', 'server_error', undefined, true],
      [503, { error: 'Unavailable' }, 'server_error', undefined, true],
    ];

    it.each(cases)('classifies %i %j as %s', async (status, body, kind, code, retryable) => {
      stub = await startStub(json(status, body));
      const error = await failure(clientFor(stub.baseUrl).getProfile('jane-doe'));
      expect(error).toBeInstanceOf(NetrowsError);
      expect(error).toMatchObject({ kind, status, endpoint: 'profile' });
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error.retryAfterMs).toBeUndefined();
    });

    it('reads Retry-After seconds on 429', async () => {
      stub = await startStub(json(429, { error: 'slow down' }, { 'Retry-After': '7' }));
      const error = await failure(clientFor(stub.baseUrl).getProfile('jane-doe'));
      expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 7_000 });
    });

    it('reads a Retry-After HTTP date on 503', async () => {
      const at = new Date(Date.now() + 30_000).toUTCString();
      stub = await startStub(json(503, { error: 'maintenance' }, { 'Retry-After': at }));
      const error = await failure(clientFor(stub.baseUrl).getProfile('jane-doe'));
      expect(error.kind).toBe('server_error');
      // The header has one-second resolution and the clock moves while the test runs.
      expect(error.retryAfterMs).toBeGreaterThan(25_000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
    });

    it('aborts on timeout: the server sees the connection go away', async () => {
      stub = await startStub(() => {
        // Never answer.
      });
      const started = Date.now();
      const error = await failure(clientFor(stub.baseUrl, { timeoutMs: 150 }).getProfile('jane-doe'));
      expect(error).toMatchObject({ kind: 'timeout', endpoint: 'profile' });
      expect(error.status).toBeUndefined();
      expect(error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_500);
      const current = stub;
      await waitFor(() => current.abandoned() === 1);
    });

    it('times out when the body stalls after the headers', async () => {
      stub = await startStub((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"id": 1,');
      });
      const error = await failure(clientFor(stub.baseUrl, { timeoutMs: 150 }).getProfile('jane-doe'));
      expect(error.kind).toBe('timeout');
    });

    it('classifies a refused connection as network', async () => {
      stub = await startStub(json(200, {}));
      const { baseUrl } = stub;
      await stub.close();
      stub = undefined;
      const error = await failure(clientFor(baseUrl).getProfile('jane-doe'));
      expect(error).toMatchObject({ kind: 'network', endpoint: 'profile' });
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('classifies a connection reset as network', async () => {
      stub = await startStub((req) => req.socket.destroy());
      const error = await failure(clientFor(stub.baseUrl).getProfile('jane-doe'));
      expect(error.kind).toBe('network');
    });
  });

  describe('secrets', () => {
    it('keeps the key and the identifier out of error messages even when the server echoes them', async () => {
      stub = await startStub((req, res) => {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: `Invalid API key ${req.headers.authorization} for ${req.url}`, code: 'INVALID_API_KEY' }));
      });
      const error = await failure(clientFor(stub.baseUrl).reverseLookup('jane.doe@acme.com'));
      expect(error.kind).toBe('unauthorized');
      for (const rendering of [error.message, error.stack ?? '', inspect(error), JSON.stringify(error)]) {
        expect(rendering).not.toContain(API_KEY);
        expect(rendering).not.toContain('jane.doe@acme.com');
      }
      expect(error.message).toContain('[redacted]');
    });

    it('does not expose the key when the client is inspected or serialised', () => {
      const client = clientFor('http://127.0.0.1:1/v1');
      expect(inspect(client, { depth: 5, showHidden: true })).not.toContain(API_KEY);
      expect(JSON.stringify(client)).not.toContain(API_KEY);
    });

    it('rejects invalid options without echoing the key', () => {
      expect(() => clientFor('not a url')).toThrow('baseUrl');
      expect(() => clientFor('http://x', { apiKey: ' ' })).toThrow('apiKey');
      expect(() => clientFor('http://x', { timeoutMs: 0 })).toThrow('timeoutMs');
    });
  });
});
