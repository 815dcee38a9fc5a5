import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { linkedinSlug } from '@leadpipe/contracts';
import { NETROWS_ERROR_CODES, isFreeMailDomain, type NetrowsEndpoint } from '@leadpipe/netrows';
import { Accounting, type CallOutcome, type SimulatorStats } from './accounting';
import { NetrowsDataset } from './dataset';
import { Prng } from './prng';
import { SlidingWindowRateLimiter } from './rate-limiter';

export const simulatorFaultsSchema = z
  .object({
    /** Added before every data request is handled. */
    latencyMs: z.number().int().min(0).max(600_000),
    /** Share (0..1) of admitted requests answered 500/503 (refunded). */
    errorRate: z.number().min(0).max(1),
    /** Share (0..1) of admitted requests held without an answer until the client gives up. */
    timeoutRate: z.number().min(0).max(1),
    /** Answer every data request with this status (e.g. 401, 402, 429, 500, 503); null to stop. */
    forceStatus: z.number().int().min(400).max(599).nullable(),
  })
  .strict();

export type SimulatorFaults = z.infer<typeof simulatorFaultsSchema>;

export const NO_FAULTS: Readonly<SimulatorFaults> = Object.freeze({ latencyMs: 0, errorRate: 0, timeoutRate: 0, forceStatus: null });

export interface NetrowsSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Prefix of the data endpoints; default `/v1`. Admin routes stay at `/_sim/...`. */
  basePath?: string;
  /** Per API key, sliding 60 s window; 0 disables. Default 100 (the pay-as-you-go plan). */
  rateLimitPerMinute?: number;
  /** Share (0..1) of people, e-mails and domains that are not found. Default 0.1. */
  notFoundShare?: number;
  /** Accepted keys; empty (default) accepts any non-empty Bearer key. */
  apiKeys?: readonly string[];
  /** Credit balance for every key (number) or per key (record); default unlimited. */
  credits?: number | Readonly<Record<string, number>>;
  /** Credits per call, per endpoint; default 1 each. */
  creditCost?: Partial<Record<NetrowsEndpoint, number>>;
  /** Faults active from the start; `reset()` returns to these. */
  faults?: Partial<SimulatorFaults>;
  /** Changes all generated data and the fault dice. Default "netrows-sim". */
  seed?: string;
  /**
   * Send `Retry-After` on 429. Netrows documents none, so the default is false; turn it on
   * to exercise a client's handling of the header.
   */
  retryAfterOn429?: boolean;
  /** Clock for the rate-limit window; tests inject one instead of sleeping. */
  now?: () => number;
  /** Called for every charged answer (a purchase), to trace which identities were bought when. */
  onCharged?: (purchase: Purchase) => void;
}

/** One charged answer: what was asked for (a profile URL reduced to its username), by which key, when (by `now`), at what price. */
export interface Purchase {
  endpoint: NetrowsEndpoint;
  identifier: string;
  key: string;
  status: number;
  credits: number;
  at: number;
  /** False when the client had gone (timed out, crashed) before the answer was sent: charged, never received. */
  delivered: boolean;
}

export interface NetrowsSimulator {
  /** Base URL of the data endpoints, e.g. `http://127.0.0.1:4010/v1`: give it to `NetrowsClient`. */
  readonly url: string;
  /** `http://host:port`, where the `/_sim/...` admin routes live. */
  readonly origin: string;
  readonly port: number;
  /** Stops listening, drops held and pending requests, resolves when the server is closed. */
  close(): Promise<void>;
  /** Merges into the active faults; returns the result. */
  setFaults(faults: Partial<SimulatorFaults>): SimulatorFaults;
  stats(): SimulatorStats;
  /** Clears stats, rate windows and credit use; restores the faults given at start. */
  reset(): void;
}

interface Route {
  endpoint: NetrowsEndpoint;
  /** Pulls the identifier out of the query; a string is the 400 reason. */
  parse(query: URLSearchParams): { value: string } | string;
}

const MAX_ADMIN_BODY = 64 * 1024;
const MISSING_KEY = '(missing)';
const INVALID_KEY = '(invalid)';

const EMAIL_PATTERN = /^[^\s@]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const DOMAIN_PATTERN = /^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function required(query: URLSearchParams, name: string): string | null {
  const value = query.get(name)?.trim();
  return value === undefined || value === '' ? null : value;
}

/** Endpoints as the API documentation names them; written out here, not imported, so the client's defaults are checked against an independent copy. */
const ROUTES: Readonly<Record<string, Route>> = {
  '/people/profile': {
    endpoint: 'profile',
    parse(query) {
      const username = required(query, 'username');
      if (username === null) return 'Missing required parameter: username';
      if (/[\s/?#]/.test(username)) return 'Invalid username';
      return { value: username.toLowerCase() };
    },
  },
  '/people/profile-by-url': {
    endpoint: 'profileByUrl',
    parse(query) {
      const url = required(query, 'url');
      if (url === null) return 'Missing required parameter: url';
      const slug = linkedinSlug(url);
      return slug === null ? 'Invalid LinkedIn profile URL' : { value: slug };
    },
  },
  '/people/reverse-lookup': {
    endpoint: 'reverseLookup',
    parse(query) {
      const email = required(query, 'email');
      if (email === null) return 'Missing required parameter: email';
      if (!EMAIL_PATTERN.test(email)) return 'Invalid email address';
      if (isFreeMailDomain(email)) return 'Personal email domains are not supported, use a business email';
      return { value: email.toLowerCase() };
    },
  },
  '/companies/details': {
    endpoint: 'companyDetails',
    parse(query) {
      // Documented as companyId; some clients send username=, which the service accepts.
      const id = required(query, 'companyId') ?? required(query, 'username');
      if (id === null) return 'Missing required parameter: companyId';
      if (/[\s/?#]/.test(id)) return 'Invalid companyId';
      return { value: id.toLowerCase() };
    },
  },
  '/companies/by-domain': {
    endpoint: 'companyByDomain',
    parse(query) {
      const raw = required(query, 'domain');
      if (raw === null) return 'Missing required parameter: domain';
      const domain = raw.toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/[/?#].*$/, '').replace(/^www\./, '').replace(/\.$/, '');
      return DOMAIN_PATTERN.test(domain) ? { value: domain } : 'Invalid domain';
    },
  },
};

/** Body and code the service uses for each status it can be forced to answer. */
function bodyForStatus(status: number): { error: string; code: string } {
  switch (status) {
    case 400:
      return { error: 'Bad request', code: NETROWS_ERROR_CODES.BAD_REQUEST };
    case 401:
      return { error: 'Invalid API key', code: NETROWS_ERROR_CODES.INVALID_API_KEY };
    case 402:
      return { error: 'Insufficient credits', code: NETROWS_ERROR_CODES.INSUFFICIENT_CREDITS };
    case 404:
      return { error: 'Not found', code: NETROWS_ERROR_CODES.NOT_FOUND };
    case 429:
      return { error: 'Rate limit exceeded', code: NETROWS_ERROR_CODES.RATE_LIMITED };
    default:
      return status >= 500
        ? { error: 'Upstream service error, credits refunded', code: NETROWS_ERROR_CODES.INTERNAL_ERROR }
        : { error: 'Request failed', code: 'ERROR' };
  }
}

function outcomeOf(status: number): CallOutcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'client_error';
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function bearerKey(header: string | undefined): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  const key = match?.[1].trim();
  return key === undefined || key === '' ? null : key;
}

/**
 * A local Netrows look-alike for tests, the demo and the benchmarks: the documented
 * endpoints and shapes, per-key rate limits and credits, and faults on demand.
 */
export async function createNetrowsSimulator(options: NetrowsSimulatorOptions = {}): Promise<NetrowsSimulator> {
  const settings = z
    .object({
      port: z.number().int().min(0).max(65_535),
      host: z.string().min(1),
      basePath: z.string().regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'basePath must look like /v1 (or be empty)'),
      rateLimitPerMinute: z.number().int().min(0),
      notFoundShare: z.number().min(0).max(1),
      seed: z.string().min(1),
    })
    .parse({
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      basePath: options.basePath ?? '/v1',
      rateLimitPerMinute: options.rateLimitPerMinute ?? 100,
      notFoundShare: options.notFoundShare ?? 0.1,
      seed: options.seed ?? 'netrows-sim',
    });
  const initialFaults = simulatorFaultsSchema.parse({ ...NO_FAULTS, ...options.faults });
  const acceptedKeys = new Set(options.apiKeys ?? []);
  const creditCost = options.creditCost ?? {};
  const now = options.now ?? Date.now;

  const dataset = new NetrowsDataset({ seed: settings.seed, notFoundShare: settings.notFoundShare });
  const limiter = new SlidingWindowRateLimiter(settings.rateLimitPerMinute, 60_000, now);
  const accounting = new Accounting(options.credits);
  let faults: SimulatorFaults = { ...initialFaults };
  let dice = Prng.for(settings.seed, 'faults');
  let closing = false;
  let closed: Promise<void> | undefined;
  /** Requests the timeout fault holds open, and latency timers, so close() can let go of them. */
  const held = new Set<ServerResponse>();
  const delays = new Map<NodeJS.Timeout, () => void>();

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        delays.delete(timer);
        resolve();
      }, ms);
      delays.set(timer, resolve);
    });

  function cost(endpoint: NetrowsEndpoint): number {
    return creditCost[endpoint] ?? 1;
  }

  /** Everything after routing: the order mirrors the service (auth, rate limit, validation, credits, work). */
  async function handleData(req: IncomingMessage, res: ServerResponse, route: Route, query: URLSearchParams): Promise<void> {
    const key = bearerKey(req.headers.authorization);
    const keyIsValid = key !== null && (acceptedKeys.size === 0 || acceptedKeys.has(key));
    const label = key === null ? MISSING_KEY : keyIsValid ? key : INVALID_KEY;
    const { endpoint } = route;
    const finish = (status: number, body: unknown, charged = 0, headers?: Record<string, string>): void => {
      accounting.record(label, endpoint, outcomeOf(status), charged);
      sendJson(res, status, body, headers);
    };

    if (req.method !== 'GET') {
      finish(405, { error: `Method ${req.method ?? ''} not allowed, use GET`, code: 'METHOD_NOT_ALLOWED' }, 0, { Allow: 'GET' });
      return;
    }
    if (faults.latencyMs > 0) {
      await wait(faults.latencyMs);
      if (closing) return;
    }
    if (faults.forceStatus !== null) {
      // Injected failures are never charged: they stand for trouble, not for work done.
      finish(faults.forceStatus, bodyForStatus(faults.forceStatus));
      return;
    }
    if (key === null) {
      finish(401, { error: 'Missing API key', code: NETROWS_ERROR_CODES.MISSING_API_KEY });
      return;
    }
    if (!keyIsValid) {
      finish(401, { error: 'Invalid API key', code: NETROWS_ERROR_CODES.INVALID_API_KEY });
      return;
    }
    const decision = limiter.tryAcquire(key);
    if (!decision.allowed) {
      const headers = options.retryAfterOn429 ? { 'Retry-After': String(Math.ceil(decision.retryAfterMs / 1000)) } : undefined;
      finish(429, { error: 'Rate limit exceeded', code: NETROWS_ERROR_CODES.RATE_LIMITED }, 0, headers);
      return;
    }
    const parsed = route.parse(query);
    if (typeof parsed === 'string') {
      finish(400, { error: parsed, code: NETROWS_ERROR_CODES.BAD_REQUEST });
      return;
    }
    const price = cost(endpoint);
    if (!accounting.charge(key, price)) {
      finish(402, { error: 'Insufficient credits', code: NETROWS_ERROR_CODES.INSUFFICIENT_CREDITS });
      return;
    }
    if (faults.timeoutRate > 0 && dice.chance(faults.timeoutRate)) {
      accounting.refund(key, price);
      accounting.record(label, endpoint, 'timeout', 0);
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    if (faults.errorRate > 0 && dice.chance(faults.errorRate)) {
      accounting.refund(key, price);
      const status = dice.chance(0.5) ? 500 : 503;
      finish(status, bodyForStatus(status));
      return;
    }
    const answer = lookup(endpoint, parsed.value);
    const delivered = !res.destroyed;
    finish(answer.status, answer.body, price);
    options.onCharged?.({ endpoint, identifier: parsed.value, key, status: answer.status, credits: price, at: now(), delivered });
  }

  function lookup(endpoint: NetrowsEndpoint, value: string): { status: number; body: unknown } {
    switch (endpoint) {
      case 'profile':
      case 'profileByUrl': {
        const person = dataset.person(value);
        return person === null
          ? { status: 404, body: { code: NETROWS_ERROR_CODES.NOT_FOUND, message: 'Profile not found' } }
          : { status: 200, body: person };
      }
      case 'reverseLookup': {
        const result = dataset.reverseLookup(value);
        return result === null
          ? { status: 404, body: { code: NETROWS_ERROR_CODES.NOT_FOUND, message: 'No profile found for this email' } }
          : { status: 200, body: result };
      }
      case 'companyDetails': {
        const company = dataset.companyByIdOrHandle(value);
        return company === null
          ? { status: 404, body: { error: 'Company not found', code: NETROWS_ERROR_CODES.NOT_FOUND } }
          : { status: 200, body: { success: true, message: '', data: company } };
      }
      case 'companyByDomain': {
        const company = dataset.companyByDomain(value);
        return company === null
          ? { status: 404, body: { error: 'Company not found', code: NETROWS_ERROR_CODES.NOT_FOUND } }
          : { status: 200, body: { success: true, message: '', data: { items: [company] } } };
      }
    }
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ADMIN_BODY) {
          reject(new Error('body too large'));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  function setFaults(patch: Partial<SimulatorFaults>): SimulatorFaults {
    faults = simulatorFaultsSchema.parse({ ...faults, ...patch });
    return { ...faults };
  }

  function reset(): void {
    accounting.reset();
    limiter.reset();
    faults = { ...initialFaults };
    dice = Prng.for(settings.seed, 'faults');
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const route = `${req.method ?? ''} ${path}`;
    switch (route) {
      case 'GET /_sim/health':
        sendJson(res, 200, { status: 'ok' });
        return;
      case 'GET /_sim/stats':
        sendJson(res, 200, accounting.snapshot());
        return;
      case 'GET /_sim/faults':
        sendJson(res, 200, faults);
        return;
      case 'POST /_sim/reset':
        reset();
        sendJson(res, 200, { reset: true });
        return;
      case 'POST /_sim/faults': {
        let patch: unknown;
        try {
          const text = await readBody(req);
          patch = text.trim() === '' ? {} : JSON.parse(text);
        } catch (error) {
          sendJson(res, 400, { error: `Invalid JSON body: ${(error as Error).message}`, code: 'BAD_REQUEST' });
          return;
        }
        const result = simulatorFaultsSchema.partial().safeParse(patch);
        if (!result.success) {
          sendJson(res, 400, { error: z.prettifyError(result.error), code: 'BAD_REQUEST' });
          return;
        }
        sendJson(res, 200, setFaults(result.data));
        return;
      }
      default:
        if (['/_sim/health', '/_sim/stats', '/_sim/faults', '/_sim/reset'].includes(path)) {
          sendJson(res, 405, { error: 'Method not allowed', code: 'METHOD_NOT_ALLOWED' });
        } else {
          sendJson(res, 404, { error: `No admin route ${path}`, code: 'NOT_FOUND' });
        }
    }
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    let work: Promise<void>;
    if (path.startsWith('/_sim/')) {
      work = handleAdmin(req, res, path);
    } else {
      const route = path.startsWith(`${settings.basePath}/`) ? ROUTES[path.slice(settings.basePath.length)] : undefined;
      if (route === undefined) {
        accounting.recordUnrouted();
        sendJson(res, 404, { error: `Cannot ${req.method ?? 'GET'} ${path}`, code: NETROWS_ERROR_CODES.NOT_FOUND });
        return;
      }
      work = handleData(req, res, route, url.searchParams);
    }
    // A bug here must answer 500 rather than leave the client hanging until its timeout.
    work.catch((error: unknown) => {
      sendJson(res, 500, { error: `Simulator failure: ${(error as Error).message}`, code: NETROWS_ERROR_CODES.INTERNAL_ERROR });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${hostForUrl}:${address.port}`;

  return {
    url: `${origin}${settings.basePath}`,
    origin,
    port: address.port,
    setFaults,
    reset,
    stats: () => accounting.snapshot(),
    close: () => {
      if (closed !== undefined) return closed;
      closing = true;
      for (const [timer, resolve] of delays) {
        clearTimeout(timer);
        resolve();
      }
      delays.clear();
      for (const res of held) res.socket?.destroy();
      held.clear();
      closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
