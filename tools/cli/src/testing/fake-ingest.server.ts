import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LeadView } from '../ingest-api.schema';
import type { LeadFieldValues } from '@leadpipe/contracts';

/** How a fake lead ends: a terminal status, or 'never' to exercise the timeout. */
export type FakeOutcome = 'enriched' | 'not_found' | 'invalid' | 'dead_lettered' | 'never';

export interface FakeIngestOptions {
  /** POSTs answered 503 before the fake starts accepting (tests the retry). */
  readonly unavailablePosts?: number;
  /** GETs of a lead answered 404 before it becomes visible (read side lagging the 202). */
  readonly invisibleGets?: number;
  /** GETs of a lead answered "received" before it reaches its outcome. */
  readonly getsUntilTerminal?: number;
  readonly outcomeFor?: (input: LeadFieldValues) => FakeOutcome;
}

export interface FakeIngest {
  readonly url: string;
  readonly stats: { posts: number; gets: number };
  close(): Promise<void>;
}

interface StoredLead {
  readonly id: string;
  readonly input: LeadFieldValues;
  readonly outcome: FakeOutcome;
  gets: number;
}

/** Mirrors the ingest contract closely enough for the CLI: an identity is required, e-mails must look like e-mails. */
export function defaultOutcome(input: LeadFieldValues): FakeOutcome {
  const identity = (input.email ?? input.linkedin_url ?? '').toLowerCase();
  if (input.linkedin_url && !/linkedin\.com\/in\//i.test(input.linkedin_url)) return 'invalid';
  if (/unknown/.test(identity)) return 'not_found';
  if (identity.startsWith('poison')) return 'dead_lettered';
  return 'enriched';
}

/** An in-memory ingest on an ephemeral port; every lead moves forward only when it is read. */
export async function startFakeIngest(options: FakeIngestOptions = {}): Promise<FakeIngest> {
  const leads = new Map<string, StoredLead>();
  const stats = { posts: 0, gets: 0 };
  const outcomeFor = options.outcomeFor ?? defaultOutcome;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { statusCode: 500, message: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/api/leads') {
      stats.posts += 1;
      const body = await readBody(req);
      if (stats.posts <= (options.unavailablePosts ?? 0)) return send(res, 503, { statusCode: 503, message: 'Service Unavailable' });
      const errors = validate(body);
      if (errors.length > 0) return send(res, 400, { statusCode: 400, message: 'Validation failed', errors });
      const lead: StoredLead = { id: randomUUID(), input: body, outcome: outcomeFor(body), gets: 0 };
      leads.set(lead.id, lead);
      return send(res, 202, { id: lead.id, status: 'received' });
    }
    const match = /^\/api\/leads\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && match) {
      stats.gets += 1;
      const lead = leads.get(decodeURIComponent(match[1]));
      if (!lead) return send(res, 404, { statusCode: 404, message: 'Not Found' });
      lead.gets += 1;
      if (lead.gets <= (options.invisibleGets ?? 0)) return send(res, 404, { statusCode: 404, message: 'Not Found' });
      return send(res, 200, viewOf(lead, lead.gets - (options.invisibleGets ?? 0) > (options.getsUntilTerminal ?? 1)));
    }
    send(res, 404, { statusCode: 404, message: 'Not Found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
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
    received_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:01.000Z',
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

async function readBody(req: IncomingMessage): Promise<LeadFieldValues> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as LeadFieldValues;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
