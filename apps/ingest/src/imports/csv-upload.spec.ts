import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { CsvImportError } from './csv-import.error';
import { ByteLimit, discardRest, openCsvUpload, uploadKindOf } from './csv-upload';

describe('uploadKindOf', () => {
  it.each([
    ['text/csv', 'csv'],
    ['text/csv; charset=utf-8', 'csv'],
    ['Text/CSV;charset="UTF-8"', 'csv'],
    ['multipart/form-data; boundary=x', 'multipart'],
  ])('reads %j as %s', (contentType, kind) => {
    expect(uploadKindOf(contentType)).toBe(kind);
  });

  it.each([['application/json'], ['text/plain'], [''], [undefined], ['text/csv; charset=windows-1252']])('refuses %j with 415', (contentType) => {
    expect(() => uploadKindOf(contentType)).toThrow(expect.objectContaining({ code: 'unsupported_media_type' }));
  });
});

describe('ByteLimit', () => {
  it('passes bytes through up to the limit and fails past it', async () => {
    const chunks: string[] = [];
    const limited = Readable.from([Buffer.from('abc'), Buffer.from('de'), Buffer.from('f')]).pipe(new ByteLimit(5));
    limited.on('data', (chunk: Buffer) => chunks.push(String(chunk)));
    const error = await new Promise((resolve) => limited.once('error', resolve));
    expect(error).toMatchObject({ code: 'byte_limit', message: 'the upload is larger than INGEST_IMPORT_MAX_BYTES (5 bytes)' });
    expect(chunks.join('')).toBe('abcde');
  });
});

const LIMIT = 1024;

/** What the test server made of one request. */
type Outcome = { kind: string; fileName: string | null; text: string } | { code: string };

describe('openCsvUpload', () => {
  let server: Server;
  let url: string;
  let outcomes: Array<(outcome: Outcome) => void> = [];

  async function readAll(stream: Readable): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const report = outcomes.shift()!;
      void (async (): Promise<Outcome> => {
        try {
          const upload = await openCsvUpload(req, LIMIT);
          return { kind: upload.kind, fileName: upload.fileName, text: await readAll(upload.stream) };
        } catch (error) {
          if (error instanceof CsvImportError) return { code: error.code };
          throw error;
        }
      })().then((outcome) => {
        report(outcome);
        if (!req.complete) res.setHeader('Connection', 'close');
        res.end(JSON.stringify(outcome));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function nextOutcome(): Promise<Outcome> {
    return new Promise((resolve) => outcomes.push(resolve));
  }

  async function post(body: string | FormData, headers: Record<string, string> = {}): Promise<Outcome> {
    const outcome = nextOutcome();
    await fetch(url, { method: 'POST', body, headers }).then((res) => res.text()).catch(() => undefined);
    return outcome;
  }

  beforeEach(() => {
    outcomes = [];
  });

  it('streams a text/csv body as it is', async () => {
    expect(await post('email\na@acme.com\n', { 'content-type': 'text/csv' })).toEqual({ kind: 'csv', fileName: null, text: 'email\na@acme.com\n' });
  });

  it('streams the first file of a multipart body, with its name, ignoring fields and later files', async () => {
    const form = new FormData();
    form.append('note', 'ignored');
    form.append('file', new Blob(['email\na@acme.com\n'], { type: 'text/csv' }), 'leads.csv');
    form.append('second', new Blob(['email\nb@acme.com\n'], { type: 'text/csv' }), 'other.csv');
    expect(await post(form)).toEqual({ kind: 'multipart', fileName: 'leads.csv', text: 'email\na@acme.com\n' });
  });

  it('refuses a multipart body without a file', async () => {
    const form = new FormData();
    form.append('email', 'a@acme.com');
    expect(await post(form)).toEqual({ code: 'no_file' });
  });

  it('refuses a multipart content type without a boundary', async () => {
    expect(await post('x', { 'content-type': 'multipart/form-data' })).toEqual({ code: 'malformed_multipart' });
  });

  it('refuses a declared length over the limit before reading', async () => {
    expect(await post('x'.repeat(LIMIT + 1), { 'content-type': 'text/csv' })).toEqual({ code: 'byte_limit' });
  });

  it('stops a body that grows past the limit while streaming (no declared length)', async () => {
    const body = Readable.toWeb(Readable.from(['email\n', 'a@acme.com\n'.repeat(LIMIT / 10)])) as ReadableStream;
    const outcome = nextOutcome();
    await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/csv' }, duplex: 'half' } as RequestInit).catch(() => undefined);
    expect(await outcome).toEqual({ code: 'byte_limit' });
  });

  it('refuses a compressed body', async () => {
    expect(await post('x', { 'content-type': 'text/csv', 'content-encoding': 'gzip' })).toEqual({ code: 'unsupported_media_type' });
  });

  it('ends the stream with client_disconnected when the client goes away midway', async () => {
    const outcome = nextOutcome();
    const req = request(url, { method: 'POST', headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' } });
    req.on('error', () => undefined);
    server.once('request', () => setImmediate(() => req.destroy()));
    req.write('email\na@acme.com\n');
    expect(await outcome).toEqual({ code: 'client_disconnected' });
  });
});

describe('discardRest', () => {
  let server: Server;
  let port: number;
  /** Each request: the server reads its first chunk, discards the rest with these limits, and answers 400 (closing unless the body ended). */
  let limits: { maxBytes: number; timeoutMs: number; signal?: AbortSignal };
  let discarding: Array<(discarding: { discarded: Promise<boolean> }) => void> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const started = discarding.shift()!;
      req.once('data', () => {
        req.pause();
        const discarded = discardRest(req, limits);
        started({ discarded });
        void discarded.then((complete) => {
          if (!complete) res.setHeader('Connection', 'close');
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":"refused"}');
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    discarding = [];
    limits = { maxBytes: 1024, timeoutMs: 10_000 };
  });

  /** Sends `first`, waits until the server is discarding, then sends `rest` (unless null: the client stalls). */
  async function upload(first: string, rest: string | null, headers: Record<string, string> = {}): Promise<{ discarded: boolean; status: number | string }> {
    const started = new Promise<{ discarded: Promise<boolean> }>((resolve) => discarding.push(resolve));
    const req = request({ port, host: '127.0.0.1', method: 'POST', headers: { 'content-type': 'text/csv', ...headers } });
    const answer = new Promise<number | string>((resolve) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    req.write(first);
    const { discarded } = await started;
    if (rest !== null) req.end(rest);
    const complete = await discarded;
    const status = await answer;
    req.destroy();
    return { discarded: complete, status };
  }

  it('reads the rest of a body the client is still sending, so the client gets the answer', async () => {
    const rest = 'x'.repeat(900);
    expect(await upload('email\n', rest, { 'content-length': String(6 + rest.length) })).toEqual({ discarded: true, status: 400 });
    expect(await upload('email\n', rest, { 'transfer-encoding': 'chunked' })).toEqual({ discarded: true, status: 400 });
  });

  it('gives up past maxBytes more bytes of a body without a declared length', async () => {
    const { discarded } = await upload('email\n', 'x'.repeat(1025), { 'transfer-encoding': 'chunked' });
    expect(discarded).toBe(false);
  });

  it('does not read a body whose declared length is over maxBytes', async () => {
    const started = new Promise<{ discarded: Promise<boolean> }>((resolve) => discarding.push(resolve));
    const req = request({ port, host: '127.0.0.1', method: 'POST', headers: { 'content-type': 'text/csv', 'content-length': '5000' } });
    req.on('error', () => undefined);
    req.write('email\n');
    expect(await (await started).discarded).toBe(false);
    req.destroy();
  });

  it('gives up after timeoutMs on a client that stalls', async () => {
    limits = { maxBytes: 1024, timeoutMs: 50 };
    expect((await upload('email\n', null, { 'content-length': '100' })).discarded).toBe(false);
  });

  it('gives up when the signal aborts', async () => {
    const abort = new AbortController();
    limits = { maxBytes: 1024, timeoutMs: 10_000, signal: abort.signal };
    const started = new Promise<{ discarded: Promise<boolean> }>((resolve) => discarding.push(resolve));
    const req = request({ port, host: '127.0.0.1', method: 'POST', headers: { 'content-type': 'text/csv', 'content-length': '100' } });
    req.on('error', () => undefined);
    req.write('email\n');
    const { discarded } = await started;
    abort.abort();
    expect(await discarded).toBe(false);
    req.destroy();
  });
});
