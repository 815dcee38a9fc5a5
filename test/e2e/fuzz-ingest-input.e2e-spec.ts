import fc from 'fast-check';
import { parse as parseCsv } from 'csv-parse/sync';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { hasIdentityColumn, mapLeadColumns } from '@leadpipe/contracts';
import { signHubSpotV3 } from '../../apps/ingest/src/webhooks/hubspot.signature';
import { signStandardWebhook } from '../../apps/ingest/src/webhooks/standard-webhooks.signature';
import { deeplyNestedJson, fuzzSeed, hostileBytes, hostileString, liveRuns } from '../support/fuzz';
import { ServiceProcess } from '../support/service-process';
import { TestEnv } from '../support/test-env';

const BODY_LIMIT = 64 * 1024;
const MAX_LEADS = 20;
const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
const WEBHOOK_KEY = randomBytes(32);
const HUBSPOT_SECRET = 'fuzz-hubspot-secret-0123456789abcdef';

/** One HTTP exchange as the suite saw it. */
interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** A JSON error body that names the problem: a message, or a list of `{field, reason}`. */
function namesTheProblem(answer: Answer): boolean {
  if (!answer.contentType.startsWith('application/json')) return false;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return false;
  }
  if (!body || typeof body !== 'object') return false;
  const { message, errors } = body as { message?: unknown; errors?: unknown };
  const hasMessage = typeof message === 'string' && message.trim() !== '';
  const hasErrors =
    Array.isArray(errors) &&
    errors.length > 0 &&
    errors.every((e: { field?: unknown; reason?: unknown }) => typeof e.field === 'string' && typeof e.reason === 'string' && e.reason !== '');
  return hasMessage || hasErrors;
}

/**
 * The property every answer of ingest keeps: no 5xx; an error is a JSON body naming the problem.
 * 431 (a URL or headers over Node's 16 KiB) is answered by Node's HTTP parser before any route,
 * with no body: the one refusal the application never sees.
 */
function expectWellFormed(answer: Answer, request: string): void {
  const named = answer.status < 400 || answer.status === 431 || namesTheProblem(answer);
  const verdict = answer.status >= 500 ? 'server error' : named ? 'ok' : 'error body names no problem';
  expect({ request, status: answer.status, body: answer.text.slice(0, 400), verdict }).toEqual({ request, status: answer.status, body: answer.text.slice(0, 400), verdict: 'ok' });
}

const LEAD_KEYS = ['email', 'first_name', 'last_name', 'company_domain', 'linkedin_url', 'priority'] as const;

/** A unique, valid lead: some requests must get through, so acceptance is checked too. */
const validLead = fc.constant(null).map(() => ({ email: `ok.${randomUUID().slice(0, 12)}@fuzz-ingest.example`, first_name: 'Fuzz' }));

/** Lead-shaped objects whose values are anything: wrong types, hostile text, nesting, extra keys. */
const leadish: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.oneof(fc.constantFrom(...LEAD_KEYS), fc.string({ maxLength: 12 }), fc.constant('__proto__')),
  fc.oneof(hostileString, fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('jane@acme.com', 'https://www.linkedin.com/in/jane/', 'acme.com', 'high')),
  { maxKeys: 6 },
);

/** The JSON of a body: mostly objects near the expected shape, some valid, some not JSON values at all. */
const jsonBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: leadish.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.array(fc.oneof(leadish, validLead), { maxLength: MAX_LEADS + 3 }).map((leads) => JSON.stringify({ leads })) },
  { weight: 1, arbitrary: fc.array(fc.oneof(leadish, validLead), { maxLength: 4 }).map((leads) => JSON.stringify(leads)) },
  { weight: 2, arbitrary: validLead.map((lead) => JSON.stringify(lead)) },
  // A valid lead with one hostile text field: whatever passes validation must also be storable.
  { weight: 2, arbitrary: fc.tuple(validLead, fc.constantFrom('first_name', 'last_name', 'first_name', 'last_name', 'email', 'company_domain', 'linkedin_url'), hostileString).map(([lead, field, text]) => JSON.stringify({ ...lead, [field]: text })) },
  { weight: 2, arbitrary: fc.array(validLead, { minLength: 1, maxLength: 5 }).map((leads) => JSON.stringify({ leads })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(5_000, 40_000), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => `{"leads":${deeplyNestedJson(d, k)}}`) },
);

/** Body bytes: JSON, JSON cut short, bytes that are not UTF-8, NULs, or more than the limit. */
const bodyBytes: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: jsonBody.map((text) => Buffer.from(text, 'utf8')) },
  { weight: 1, arbitrary: fc.tuple(jsonBody, fc.nat()).map(([text, cut]) => Buffer.from(text.slice(0, cut % Math.max(1, text.length)), 'utf8')) },
  { weight: 1, arbitrary: hostileBytes.map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from('{"email":"a\u0000b@x.io"}'), Buffer.from([0x7b, 0x22, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), Buffer.alloc(0)) },
  { weight: 1, arbitrary: fc.constantFrom(BODY_LIMIT + 1, 4 * BODY_LIMIT).map((n) => Buffer.from(JSON.stringify({ email: 'big@fuzz-ingest.example', first_name: 'x'.repeat(n) }))) },
);

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json; charset=bogus',
      'application/vnd.api+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'text/csv',
      'application/json; boundary=',
      ';;;',
      'application/',
    ),
  },
);

const contentEncoding: fc.Arbitrary<string | undefined> = fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'bogus') });

/** Header values fetch can send (no CR, LF or NUL; bytes up to 0xff). */
const headerValue = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 300 })
  .map((value) => value.trim());

type Route = 'lead' | 'batch' | 'webhook' | 'hubspot';
const PATHS: Record<Route, string> = { lead: '/api/leads', batch: '/api/leads/batch', webhook: '/api/webhooks/leads', hubspot: '/api/webhooks/hubspot' };

interface PostCase {
  route: Route;
  body: Buffer;
  contentType?: string;
  contentEncoding?: string;
  idempotencyKey?: string;
  /** Webhooks: sign the body properly (else the headers are fuzzed). */
  signed: boolean;
  webhookHeaders: Record<string, string>;
}

/** A body each route accepts (the other request parts are still fuzzed around it). */
function acceptableBody(route: Route, email: string, text: string): Buffer {
  const lead = { email, first_name: text };
  const bodies: Record<Route, unknown> = {
    lead,
    batch: { leads: [lead, { email: `second.${email}` }] },
    webhook: [lead],
    hubspot: { email, firstname: text },
  };
  return Buffer.from(JSON.stringify(bodies[route]));
}

const postCase: fc.Arbitrary<PostCase> = fc
  .record({
    route: fc.constantFrom<Route>('lead', 'batch', 'lead', 'batch', 'webhook', 'hubspot'),
    body: bodyBytes,
    /** A third of the requests carry a body the route accepts, so the paths to acceptance are fuzzed too. */
    acceptable: fc.option(fc.oneof(fc.constant('Ada'), hostileString), { freq: 2, nil: undefined }),
    contentType,
    contentEncoding,
    idempotencyKey: fc.option(fc.oneof(fc.constantFrom('k1', 'k2', 'k3'), headerValue), { nil: undefined }),
    signed: fc.boolean(),
    webhookHeaders: fc.dictionary(
      fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-hubspot-signature-v3', 'x-hubspot-request-timestamp'),
      fc.oneof(headerValue, fc.constantFrom('v1,', 'v1,AAAA', String(Math.floor(Date.now() / 1000)), '-1', '1e309', '99999999999999999999')),
    ),
  })
  .map(({ acceptable, ...c }) => {
    const body = acceptable === undefined ? c.body : acceptableBody(c.route, `ok.${randomUUID().slice(0, 12)}@fuzz-ingest.example`, acceptable);
    const post = { ...c, body };
    return shownAs(post, describePost(post));
  });

/** Shows `value` in a counterexample as `text` (bodies go up to megabytes: fast-check would print every byte). */
function shownAs<T extends object>(value: T, text: string): T {
  return Object.assign(value, { [fc.toStringMethod]: () => text });
}

function describePost(c: PostCase): string {
  return `POST ${PATHS[c.route]} content-type=${c.contentType} encoding=${c.contentEncoding} key=${c.idempotencyKey} signed=${c.signed} body=${JSON.stringify(c.body.toString('utf8').slice(0, 200))} (${c.body.length} bytes)`;
}

/**
 * Ingest's HTTP surface fed with malformed, oversized, wrongly encoded and hostile input: the lead
 * routes, the list and lookup routes, the CSV import (text/csv and multipart) and the signed
 * webhooks, plus raw requests that break HTTP itself. Never a 5xx; every refusal a JSON body
 * naming the problem; the process stays up; every lead it accepted is a row in PostgreSQL.
 */
describe('fuzz: ingest input', () => {
  const seed = fuzzSeed('fuzz-ingest-input');
  const env = new TestEnv();
  let ingest: ServiceProcess;
  /** Ids of every lead ingest answered as accepted. */
  const accepted = new Set<string>();
  /** Import ids whose summary said leads were accepted, with how many. */
  const importsAccepted = new Map<string, number>();

  beforeAll(async () => {
    await env.setUp();
    ingest = await env.startService('ingest', {
        INGEST_JSON_BODY_LIMIT_BYTES: String(BODY_LIMIT),
        INGEST_BATCH_MAX_LEADS: String(MAX_LEADS),
        INGEST_IMPORT_MAX_BYTES: String(IMPORT_MAX_BYTES),
        INGEST_IMPORT_CHUNK_SIZE: '7',
        INGEST_IMPORT_MAX_ERRORS: '5',
        INGEST_THROTTLE_PER_MINUTE: '1000000',
        INGEST_WEBHOOK_SECRETS: `whsec_${WEBHOOK_KEY.toString('base64')}`,
        INGEST_HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
      });
  }, 120_000);

  afterAll(async () => {
    await ingest?.stop();
    await env.dispose();
  }, 60_000);

  async function exchange(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | FormData | string } = {}): Promise<Answer> {
    const res = await fetch(`${ingest.url}${path}`, { method, headers: init.headers, body: init.body });
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  /** Records the lead ids of a 2xx answer (single lead, batch, or webhook delivery). */
  function recordAccepted(answer: Answer): void {
    if (answer.status < 200 || answer.status >= 300) return;
    const body = JSON.parse(answer.text) as { id?: string; leads?: Array<{ id: string }> };
    if (body.id) accepted.add(body.id);
    for (const lead of body.leads ?? []) accepted.add(lead.id);
  }

  function headersFor(c: PostCase): Record<string, string> {
    const headers: Record<string, string> = {};
    if (c.contentType !== undefined) headers['content-type'] = c.contentType;
    if (c.contentEncoding !== undefined) headers['content-encoding'] = c.contentEncoding;
    if (c.idempotencyKey !== undefined) headers['idempotency-key'] = c.idempotencyKey;
    if (c.route === 'webhook' || c.route === 'hubspot') Object.assign(headers, c.webhookHeaders);
    if (c.signed && c.route === 'webhook') {
      const id = `msg_${randomUUID()}`;
      const timestamp = Math.floor(Date.now() / 1000);
      Object.assign(headers, { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook(WEBHOOK_KEY, id, timestamp, c.body) });
    }
    if (c.signed && c.route === 'hubspot') {
      const timestamp = String(Date.now());
      Object.assign(headers, {
        'x-hubspot-request-timestamp': timestamp,
        'x-hubspot-signature-v3': signHubSpotV3(HUBSPOT_SECRET, 'POST', `${ingest.url}${PATHS.hubspot}`, c.body, timestamp),
      });
    }
    return headers;
  }

  it('answers every POST to the lead and webhook routes with a 2xx or a 4xx naming the problem', async () => {
    await fc.assert(
      fc.asyncProperty(postCase, async (c) => {
        const answer = await exchange('POST', PATHS[c.route], { headers: headersFor(c), body: c.body });
        expectWellFormed(answer, describePost(c));
        recordAccepted(answer);
      }),
      liveRuns(seed, 150),
    );
  }, 120_000);

  /** Query text with any key, any value, and broken percent-encoding. */
  const queryPart = fc.oneof(
    fc.tuple(fc.oneof(fc.constantFrom('status', 'min_score', 'max_score', 'received_since', 'limit', 'cursor'), fc.string({ maxLength: 10 })), fc.oneof(hostileString, fc.jsonValue().map(String), fc.integer().map(String))).map(
      ([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, '?'))}`,
    ),
    fc.constantFrom('status=%zz', 'cursor=%E0%A4%A', 'limit=%00', 'limit[]=1', 'status[a][b]=1', 'a[b][c][d][e][f][g][h]=1', '=', '&&', 'limit=1e400', 'min_score=-0', 'received_since=0000-01-01T00:00:00Z', 'received_since=9999-12-31T23:59:59.999999Z'),
    fc.tuple(fc.string({ maxLength: 40 }), fc.uuid()).map(([time, id]) => `cursor=${Buffer.from(JSON.stringify([time, id])).toString('base64url')}`),
    fc.constantFrom('2026-02-31 00:00:00+00', '1', '0000-01-01 00:00:00+00', '2026-11-30 14:40:32.123456+00', '275760-09-13 00:00:00+00').map(
      (time) => `cursor=${Buffer.from(JSON.stringify([time, randomUUID()])).toString('base64url')}`,
    ),
  );

  it('answers every GET /api/leads query with 200 or a 400 naming the parameters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(queryPart, { maxLength: 5 }), async (parts) => {
        const query = parts.join('&');
        const answer = await exchange('GET', `/api/leads?${query}`);
        expectWellFormed(answer, `GET /api/leads?${query}`);
        expect([200, 400, 431]).toContain(answer.status);
      }),
      liveRuns(seed, 100),
    );
  }, 60_000);

  it('answers every GET /api/leads/:id with 200, 400 or 404', async () => {
    const segment = fc.oneof(
      fc.uuid(),
      fc.uuid().map((id) => id.toUpperCase()),
      hostileString.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '?')) || 'x'),
      fc.constantFrom('%E0%A4%A', '%zz', '%00', '%2F..%2F', '..%252F', '00000000-0000-0000-0000-000000000000', '%F0%9F%98%80', 'a'.repeat(5_000)),
      fc.constant(null).map(() => [...accepted][0] ?? randomUUID()),
    );
    await fc.assert(
      fc.asyncProperty(segment, fc.constantFrom('', '/events'), async (id, suffix) => {
        const path = `/api/leads/${id}${suffix}`;
        if (suffix === '/events') {
          // The live stream of a known lead stays open: only the refusals are read whole.
          const res = await fetch(`${ingest.url}${path}`, { signal: AbortSignal.timeout(5_000) });
          if (res.status === 200) {
            await res.body?.cancel();
            return;
          }
          expectWellFormed({ status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() }, `GET ${path}`);
          return;
        }
        const answer = await exchange('GET', path);
        expectWellFormed(answer, `GET ${path}`);
        expect([200, 400, 404, 431]).toContain(answer.status);
      }),
      liveRuns(seed, 60),
    );
  }, 60_000);

  const csvCell = fc.oneof(
    { weight: 1, arbitrary: fc.constant(null).map(() => `row.${randomUUID().slice(0, 8)}@fuzz-csv.example`) },
    { weight: 3, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constantFrom('"quoted, with comma"', '"unbalanced', 'in"side', '""', '"a""b"', '\u0000', 'https://www.linkedin.com/in/fuzz/', 'acme.com', 'Ada') },
  );

  /** One CSV file as bytes: a header (known and odd column names) and rows of hostile cells, in any line ending. */
  const csvFile = fc
    .record({
      bom: fc.boolean(),
      header: fc.oneof(
        { weight: 3, arbitrary: fc.array(hostileString, { maxLength: 2 }).map((extra) => ['email', 'First Name', 'last_name', ...extra]) },
        { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom('email', 'E-Mail', 'Work Email', 'First Name', 'last_name', 'Website', 'LinkedIn URL', 'notes'), hostileString), { minLength: 1, maxLength: 6 }) },
      ),
      rows: fc.array(
        fc.oneof(
          // A real address first: the other cells decide whether the row is a lead, and must never break its storing.
          { weight: 3, arbitrary: fc.tuple(csvCell, csvCell, fc.array(csvCell, { maxLength: 3 })).map(([first, last, rest]) => [`row.${randomUUID().slice(0, 8)}@fuzz-csv.example`, first, last, ...rest]) },
          { weight: 1, arbitrary: fc.array(csvCell, { maxLength: 8 }) },
        ),
        { maxLength: 25 },
      ),
      newline: fc.constantFrom('\n', '\r\n', '\r', 'mixed'),
      latin1: fc.boolean(),
      tail: fc.constantFrom('', '\n', '\n\n\n', '"'),
    })
    .map(({ bom, header, rows, newline, latin1, tail }) => {
      const lines = [header, ...rows].map((cells) => cells.join(','));
      const text = lines.map((line, i) => line + (newline === 'mixed' ? ['\n', '\r\n'][i % 2] : newline)).join('') + tail;
      // latin-1: the same text as single bytes, as old spreadsheet exports write it.
      const bytes = latin1 ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
      return bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) : bytes;
    });

  const hugeCsv = fc.constantFrom(
    // A field over the 1 MiB record limit.
    () => Buffer.from(`email,notes\nhuge@fuzz-csv.example,${'n'.repeat(1_100_000)}\n`),
    // A quote that never closes.
    () => Buffer.from(`email,notes\nq@fuzz-csv.example,"${'x\n'.repeat(1_000)}`),
    // More bytes than INGEST_IMPORT_MAX_BYTES (rows that are refused: nothing to store, so it stays quick).
    () => Buffer.from(`email\n${Array.from({ length: 60_000 }, (_, i) => `not-an-address-${i}-${'z'.repeat(20)}`).join('\n')}\n`),
  );

  interface ImportSummary {
    import_id: string;
    rows: number;
    accepted: number;
    rejected: number;
    blank: number;
    errors: unknown[];
    errors_truncated: number;
  }

  /** What the parser (same options as ingest) reads: the number of data rows, or that the file cannot be read. */
  function csvOracle(bytes: Buffer): { readable: false } | { readable: true; identity: boolean; rows: number } {
    try {
      const records = parseCsv(bytes, { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, max_record_size: 1024 * 1024 }) as string[][];
      if (records.length === 0) return { readable: true, identity: false, rows: 0 };
      return { readable: true, identity: hasIdentityColumn(mapLeadColumns(records[0])), rows: records.length - 1 };
    } catch {
      return { readable: false };
    }
  }

  async function importedLeads(importId: string): Promise<number> {
    const [row]: Array<{ n: number }> = await env.db.query(`SELECT count(*)::int AS n FROM leads WHERE import_id = $1`, [importId]);
    return row.n;
  }

  /** Every row accounted for, and what the summary calls accepted is what PostgreSQL holds. */
  async function expectAccounted(summary: ImportSummary, request: string): Promise<void> {
    expect({ request, sum: summary.accepted + summary.rejected + summary.blank }).toEqual({ request, sum: summary.rows });
    expect(summary.errors.length + summary.errors_truncated).toBeGreaterThanOrEqual(summary.rejected);
    expect({ request, stored: await importedLeads(summary.import_id) }).toEqual({ request, stored: summary.accepted });
    importsAccepted.set(summary.import_id, summary.accepted);
  }

  it('imports any CSV, text/csv or multipart, with every row accounted for, or refuses it with a 4xx naming the problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof({ weight: 12, arbitrary: csvFile }, { weight: 1, arbitrary: hugeCsv.map((make) => make()) })
          .map((bytes) => shownAs({ bytes }, `${JSON.stringify(bytes.toString('utf8').slice(0, 300))} (${bytes.length} bytes)`)),
        fc.constantFrom('text/csv', 'text/csv; charset=utf-8', 'multipart', 'multipart', 'text/csv; charset=latin1', 'application/json', 'multipart/form-data; boundary=nope'),
        async ({ bytes }, kind) => {
          let body: Buffer | FormData = bytes;
          const importId = randomUUID();
          const headers: Record<string, string> = { 'x-import-id': importId };
          if (kind === 'multipart') {
            const form = new FormData();
            form.append('file', new Blob([bytes], { type: 'text/csv' }), 'fuzz.csv');
            body = form;
          } else headers['content-type'] = kind;
          const request = `POST /api/leads/import as ${kind}: ${JSON.stringify(bytes.toString('utf8').slice(0, 300))} (${bytes.length} bytes)`;
          let answer: Answer;
          try {
            answer = await exchange('POST', '/api/leads/import', { headers, body });
          } catch (error) {
            // An upload over the limit is refused as soon as that is known, and the connection closed
            // while the client still sends: its 413 can be lost to the client. The record tells.
            if (bytes.length <= IMPORT_MAX_BYTES) throw error;
            const record = await exchange('GET', `/api/imports/${importId}`);
            if (record.status === 404) return;
            const view = JSON.parse(record.text) as ImportSummary & { status: string; failure: string };
            expect({ request, status: view.status, failure: view.failure }).toEqual({ request, status: 'failed', failure: expect.stringContaining('INGEST_IMPORT_MAX_BYTES') });
            await expectAccounted(view, request);
            return;
          }
          expectWellFormed(answer, request);
          const json = JSON.parse(answer.text) as ImportSummary & { code?: string; import?: ImportSummary };
          if (answer.status === 202) await expectAccounted(json, request);
          else if (json.import) await expectAccounted(json.import, request);

          // A well-formed upload of a readable file with an identity column is imported, and its rows are the parser's.
          const oracle = csvOracle(bytes);
          if ((kind === 'text/csv' || kind === 'multipart') && bytes.length <= IMPORT_MAX_BYTES && oracle.readable && oracle.identity) {
            expect({ request, status: answer.status, rows: json.rows }).toEqual({ request, status: 202, rows: oracle.rows });
          }
        },
      ),
      liveRuns(seed, 50),
    );
  }, 120_000);

  /** Sends raw bytes on a socket and reads what comes back until the server closes or 3 s pass. */
  function rawExchange(request: Buffer): Promise<string> {
    return new Promise((resolveAnswer, reject) => {
      const socket = connect(ingest.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.setTimeout(3_000, () => socket.end());
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('close', () => resolveAnswer(Buffer.concat(chunks).toString('latin1')));
      socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
      socket.write(request, () => socket.end());
    });
  }

  it('survives requests that break HTTP itself (lying lengths, cut bodies, broken chunking, garbage) without a 5xx', async () => {
    const body = '{"email":"raw@fuzz-ingest.example"}';
    const raw = fc.oneof(
      fc.constantFrom(
        `POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n${body}`,
        `POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n${body}`,
        `POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
        `POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"ema`,
        `POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\n${body}`,
        `POST /api/leads/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\nemail\na@b.io\n`,
        `POST /api/leads/import HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name="f"; filename="a.csv"\r\n\r\nemail\na@b.io\n`,
        `GET /api/leads/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n`,
        `GET /api/leads?${'a=1&'.repeat(3_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        `POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`,
      ).map((text) => Buffer.from(text, 'latin1')),
      hostileBytes.map((bytes) => Buffer.concat([Buffer.from('POST /api/leads HTTP/1.1\r\nHost: x\r\n'), Buffer.from(bytes)])),
      hostileBytes.map((bytes) => Buffer.from(bytes)),
    );
    await fc.assert(
      fc.asyncProperty(raw.map((request) => shownAs({ request }, JSON.stringify(request.toString('latin1').slice(0, 300)))), async ({ request }) => {
        const answer = await rawExchange(request);
        const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
        if (status?.startsWith('2')) recordAccepted({ status: Number(status), contentType: 'application/json', text: answer.slice(answer.indexOf('\r\n\r\n') + 4) });
        expect({ request: request.toString('latin1').slice(0, 200), status: status && Number(status) >= 500 ? status : 'not 5xx' }).toEqual({
          request: request.toString('latin1').slice(0, 200),
          status: 'not 5xx',
        });
      }),
      liveRuns(seed, 30),
    );
  }, 120_000);

  it('is still alive, and every lead it accepted is a row in PostgreSQL', async () => {
    expect(ingest.running).toBe(true);
    expect((await exchange('GET', '/health/live')).status).toBe(200);
    // Still accepting: one plain request per route after the run (and the count below is never about refusals only).
    for (const route of ['lead', 'batch', 'webhook', 'hubspot'] as const) {
      const c: PostCase = { route, body: acceptableBody(route, `after.${randomUUID().slice(0, 8)}@fuzz-ingest.example`, 'Ada'), contentType: 'application/json', signed: true, webhookHeaders: {} };
      const answer = await exchange('POST', PATHS[route], { headers: headersFor(c), body: c.body });
      expect({ route, status: answer.status }).toEqual({ route, status: 202 });
      recordAccepted(answer);
    }
    const ids = [...accepted];
    const rows: Array<{ id: string; import_id: string | null }> = await env.db.query(`SELECT id, import_id FROM leads`);
    const stored = new Set(rows.map((r) => r.id));
    expect(ids.filter((id) => !stored.has(id))).toEqual([]);
    // Nothing it did not accept was stored either: API and webhook leads are exactly the accepted ones, CSV leads their imports' counts.
    const fromApi = rows.filter((r) => r.import_id === null).length;
    const fromImports = [...importsAccepted.values()].reduce((sum, n) => sum + n, 0);
    expect({ fromApi, fromImports }).toEqual({ fromApi: ids.length, fromImports: rows.length - fromApi });
  });
});
