import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LeadView } from '../ingest-api.schema';
import type { LeadFieldValues } from '@leadpipe/contracts';

/** How a fake lead ends: a terminal status, or 'never' to exercise the timeout. */
export type FakeOutcome = 'enriched' | 'not_found' | 'invalid' | 'dead_lettered' | 'never';

export interface FakeIngestOptions {
  /** Batch POSTs answered 503 before the fake starts accepting (tests the retry). */
  readonly unavailablePosts?: number;
  /**
   * Batch POSTs whose leads are stored but whose answer is lost (the connection is cut), as
   * when a response times out: the client's retry must get the stored answer, not new leads.
   */
  readonly droppedAnswers?: number;
  /** Most leads in one batch, like INGEST_BATCH_MAX_LEADS (default 1,000). */
  readonly maxBatch?: number;
  /** Bodies larger than this get 413, like INGEST_JSON_BODY_LIMIT_BYTES. */
  readonly bodyLimitBytes?: number;
  /** Leads naming a person who asked to be erased: the batch gets 409 `suppressed` with their indexes. */
  readonly suppressed?: (input: LeadFieldValues) => boolean;
  /** When set, requests need `Authorization: Bearer <apiKey>` (401 without a key, 403 with another). */
  readonly apiKey?: string;
  /**
   * Like ingest's per-key throttle: after `after` requests, every request is answered 429 with
   * `Retry-After` until `forMs` have passed since the first 429; then all pass again.
   */
  readonly throttle?: { readonly after: number; readonly forMs: number };
  /**
   * Looks at a lead (a GET of it, or a list request that scans it) answered as if it did not
   * exist yet: 404, and missing from lists (read side lagging the 202).
   */
  readonly invisibleLooks?: number;
  /** Looks at a lead answered "received" before it reaches its outcome. */
  readonly looksUntilTerminal?: number;
  /** Caps `limit` of `GET /api/leads` (ingest's is 500), to make lists page. */
  readonly maxListLimit?: number;
  /** Answers `GET /api/leads` with 404, like an ingest without the list route. */
  readonly withoutList?: boolean;
  readonly outcomeFor?: (input: LeadFieldValues) => FakeOutcome;
}

export interface FakeIngestStats {
  /** Batch requests received, retries included. */
  batchPosts: number;
  /** `GET /api/leads/:id` requests. */
  gets: number;
  /** `GET /api/leads` requests (pages). */
  lists: number;
  /** Leads stored: a retried batch must not add to this. */
  leadsCreated: number;
  /** Answers given again for a repeated Idempotency-Key. */
  replays: number;
  /** Sizes of the batches that reached validation, in arrival order. */
  batchSizes: number[];
  /** Requests answered 401 or 403. */
  refused: number;
  /** Requests answered 429. */
  throttled: number;
}

export interface FakeIngest {
  readonly url: string;
  readonly stats: FakeIngestStats;
  /** Adds a lead as if another run had sent it (for `follow`). */
  seed(input: LeadFieldValues): string;
  close(): Promise<void>;
}

interface StoredLead {
  readonly id: string;
  readonly input: LeadFieldValues;
  readonly outcome: FakeOutcome;
  readonly receivedAt: string;
  looks: number;
}

interface StoredAnswer {
  readonly body: string;
  readonly answer: unknown;
}

/** Mirrors the ingest contract closely enough for the CLI: an identity is required, e-mails must look like e-mails. */
export function defaultOutcome(input: LeadFieldValues): FakeOutcome {
  const identity = (input.email ?? input.linkedin_url ?? '').toLowerCase();
  if (input.linkedin_url && !/linkedin\.com\/in\//i.test(input.linkedin_url)) return 'invalid';
  if (/unknown/.test(identity)) return 'not_found';
  if (identity.startsWith('poison')) return 'dead_lettered';
  return 'enriched';
}

/**
 * An in-memory ingest on an ephemeral port serving `POST /api/leads/batch` (all or nothing,
 * errors by index, 409 suppressed, Idempotency-Key replay) and `GET /api/leads/:id`; every
 * lead moves forward only when it is read.
 */
export async function startFakeIngest(options: FakeIngestOptions = {}): Promise<FakeIngest> {
  const leads = new Map<string, StoredLead>();
  const answers = new Map<string, StoredAnswer>();
  const stats: FakeIngestStats = { batchPosts: 0, gets: 0, lists: 0, leadsCreated: 0, replays: 0, batchSizes: [], refused: 0, throttled: 0 };
  const outcomeFor = options.outcomeFor ?? defaultOutcome;
  let droppedAnswers = 0;
  let requests = 0;
  let throttledSince: number | null = null;

  const store = (input: LeadFieldValues): string => {
    const lead: StoredLead = { id: randomUUID(), input, outcome: outcomeFor(input), receivedAt: new Date().toISOString(), looks: 0 };
    leads.set(lead.id, lead);
    stats.leadsCreated += 1;
    return lead.id;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { statusCode: 500, message: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      stats.refused += 1;
      return req.headers.authorization === undefined
        ? send(res, 401, { statusCode: 401, message: 'API key required' })
        : send(res, 403, { statusCode: 403, message: 'this API key lacks the ingest scope' });
    }
    requests += 1;
    if (options.throttle !== undefined && requests > options.throttle.after) {
      throttledSince ??= Date.now();
      const left = throttledSince + options.throttle.forMs - Date.now();
      if (left > 0) {
        stats.throttled += 1;
        await readBody(req);
        return send(res, 429, { statusCode: 429, message: 'ThrottlerException: Too Many Requests' }, { 'retry-after': String(left / 1000) });
      }
    }
    if (req.method === 'POST' && path === '/api/leads/batch') {
      stats.batchPosts += 1;
      const raw = await readBody(req);
      if (stats.batchPosts <= (options.unavailablePosts ?? 0)) return send(res, 503, { statusCode: 503, message: 'Service Unavailable' });
      if (options.bodyLimitBytes !== undefined && Buffer.byteLength(raw) > options.bodyLimitBytes) {
        return send(res, 413, { statusCode: 413, message: 'request entity too large' });
      }
      const body = JSON.parse(raw || '{}') as { leads?: LeadFieldValues[] };
      const batch = body.leads ?? [];
      const maxBatch = options.maxBatch ?? 1_000;
      if (batch.length > maxBatch) {
        return send(res, 400, { statusCode: 400, message: 'Validation failed', errors: [{ field: 'leads', reason: `must hold at most ${maxBatch} leads` }] });
      }
      stats.batchSizes.push(batch.length);
      const errors = batch.flatMap((lead, index) => validate(lead).map((e) => ({ field: `leads[${index}].${e.field}`, reason: e.reason })));
      // As in ingest, a refused body does not use up its key.
      if (errors.length > 0) return send(res, 400, { statusCode: 400, message: 'Validation failed', errors });

      const key = req.headers['idempotency-key'];
      const stored = typeof key === 'string' ? answers.get(key) : undefined;
      if (stored !== undefined) {
        if (stored.body !== raw) return send(res, 422, { statusCode: 422, message: 'Idempotency-Key was already used with a different request body' });
        stats.replays += 1;
        return send(res, 202, stored.answer, { 'idempotent-replayed': 'true' });
      }
      const suppressed = batch.flatMap((lead, index) => (options.suppressed?.(lead) ? [index] : []));
      if (suppressed.length > 0) {
        const message = 'the person this lead names asked to be erased';
        return send(res, 409, { statusCode: 409, error: 'Conflict', reason: 'suppressed', message, indexes: suppressed });
      }
      const answer = { accepted: batch.length, leads: batch.map((lead) => ({ id: store(lead), status: 'received' })) };
      if (typeof key === 'string') answers.set(key, { body: raw, answer });
      if (droppedAnswers < (options.droppedAnswers ?? 0)) {
        droppedAnswers += 1;
        req.socket.destroy();
        return;
      }
      return send(res, 202, answer);
    }
    if (req.method === 'GET' && path === '/api/leads' && !options.withoutList) {
      stats.lists += 1;
      return send(res, 200, listPending(new URL(req.url ?? '/', 'http://fake').searchParams));
    }
    const match = /^\/api\/leads\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && match) {
      stats.gets += 1;
      const lead = leads.get(decodeURIComponent(match[1]));
      if (!lead) return send(res, 404, { statusCode: 404, message: 'Not Found' });
      lead.looks += 1;
      return visible(lead) ? send(res, 200, viewOf(lead, finished(lead))) : send(res, 404, { statusCode: 404, message: 'Not Found' });
    }
    send(res, 404, { statusCode: 404, message: 'Not Found' });
  }

  const visible = (lead: StoredLead): boolean => lead.looks > (options.invisibleLooks ?? 0);
  const finished = (lead: StoredLead): boolean => lead.looks - (options.invisibleLooks ?? 0) > (options.looksUntilTerminal ?? 1);

  /** `GET /api/leads?status=received&received_since=...`, newest first; the first page of a pass is one look at every lead it scans. */
  function listPending(query: URLSearchParams): { data: { id: string; status: string }[]; next_cursor: string | null } {
    if (query.get('status') !== 'received') throw new Error(`the fake lists only status=received, asked ${query.get('status')}`);
    const since = query.get('received_since') ?? '';
    const limit = Math.min(Number(query.get('limit') ?? 50), options.maxListLimit ?? 500);
    const cursor = query.get('cursor');
    const after = cursor === null ? null : (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string]);
    const scanned = [...leads.values()]
      .filter((lead) => lead.receivedAt >= since)
      .sort((a, b) => (a.receivedAt === b.receivedAt ? b.id.localeCompare(a.id) : b.receivedAt.localeCompare(a.receivedAt)));
    if (after === null) scanned.forEach((lead) => (lead.looks += 1));
    const pending = scanned.filter((lead) => visible(lead) && !(finished(lead) && lead.outcome !== 'never'));
    const rest = after === null ? pending : pending.filter((lead) => lead.receivedAt < after[0] || (lead.receivedAt === after[0] && lead.id < after[1]));
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    return {
      data: page.map((lead) => ({ id: lead.id, status: 'received' })),
      next_cursor: rest.length > limit && last ? Buffer.from(JSON.stringify([last.receivedAt, last.id])).toString('base64url') : null,
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    seed: store,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function validate(body: LeadFieldValues): { field: string; reason: string }[] {
  const errors: { field: string; reason: string }[] = [];
  if (!body.email && !body.linkedin_url) errors.push({ field: 'email', reason: 'email or linkedin_url is required' });
  if (body.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email)) errors.push({ field: 'email', reason: 'must be a valid e-mail address' });
  return errors;
}

function viewOf(lead: StoredLead, done: boolean): LeadView & { input: LeadFieldValues } {
  const status = done && lead.outcome !== 'never' ? lead.outcome : 'received';
  const enriched = status === 'enriched';
  const first = lead.input.first_name ?? 'Ada';
  const last = lead.input.last_name ?? 'Lovelace';
  return {
    id: lead.id,
    status,
    status_reason: status === 'invalid' ? 'linkedin_url is not a profile URL' : status === 'not_found' ? 'person not found' : null,
    reasons: status === 'invalid' ? ['linkedin_url_not_profile'] : [],
    score: enriched ? 72 : null,
    input: lead.input,
    received_at: lead.receivedAt,
    updated_at: lead.receivedAt,
    enrichment:
      status === 'enriched' || status === 'not_found'
        ? {
            provider: 'netrows',
            provider_calls: enriched ? 2 : 1,
            fetched_at: '2025-01-01T00:00:01.000Z',
            person: enriched
              ? {
                  full_name: `${first} ${last}`,
                  first_name: first,
                  last_name: last,
                  headline: 'Head of Growth, Analytics',
                  title: 'Head of Growth',
                  seniority: 'head',
                  company_name: 'Acme Corp',
                  city: 'Berlin',
                  country_code: 'de',
                  linkedin_url: 'https://www.linkedin.com/in/ada-lovelace/',
                  skills: ['SQL', 'Growth, B2B'],
                }
              : null,
            company: enriched
              ? { name: 'Acme Corp', domain: 'acme-corp.com', industry: 'Software', staff_count: 120, linkedin_url: null, country: 'DE' }
              : null,
          }
        : null,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
