/** Defaults of `import` and `follow`, in one place so the help text and the parser agree. */
export const IMPORT_DEFAULTS = {
  ingestUrl: 'http://127.0.0.1:3000',
  out: 'out/enriched-leads.csv',
  concurrency: 16,
  timeoutSeconds: 300,
  batchSize: 200,
} as const;

/** The most leads `POST /api/leads/batch` takes by default (ingest's INGEST_BATCH_MAX_LEADS). */
export const MAX_BATCH_SIZE = 1_000;

/** Flags as commander hands them over: strings, possibly missing; `wait` is false with `--no-wait`. */
export interface RawImportFlags {
  readonly ingestUrl?: string;
  readonly out?: string;
  readonly concurrency?: string;
  readonly timeout?: string;
  readonly apiKey?: string;
  readonly batchSize?: string;
  readonly follow?: boolean;
  readonly wait?: boolean;
}

export type RawFollowFlags = Pick<RawImportFlags, 'ingestUrl' | 'out' | 'concurrency' | 'timeout' | 'apiKey'>;

/**
 * What happens once the rows are submitted: `wait` follows the leads until `--timeout`,
 * `follow` until every lead is terminal (printing each as it ends), `no-wait` not at all.
 */
export type ImportMode = 'wait' | 'follow' | 'no-wait';

interface IngestConnection {
  readonly ingestUrl: string;
  /** Ingest's API key (`--api-key`, else LEADPIPE_API_KEY); none when ingest runs without keys. */
  readonly apiKey?: string;
  /** Requests in flight at once (batches while submitting, lookups while following). */
  readonly concurrency: number;
}

export interface ImportOptions extends IngestConnection {
  readonly file: string;
  readonly out: string;
  readonly batchSize: number;
  readonly mode: ImportMode;
  /** How long to follow once every row is submitted; null follows until every lead is terminal. */
  readonly timeoutSeconds: number | null;
}

/** `follow <file>`: the leads of a previous output CSV, followed and written back. */
export interface FollowCommandOptions extends IngestConnection {
  /** A CSV written by `import` (or by `follow`): its `row`, `lead_id`, `status` and `input_*` columns are read. */
  readonly file: string;
  /** Where the followed leads are written; the input file itself unless `--out` says otherwise. */
  readonly out: string;
  readonly timeoutSeconds: number | null;
}

/** A bad flag or argument; the CLI prints it with the usage hint and exits 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves flags against the environment and defaults, flag first. This and
 * {@link resolveFollowOptions} are the only places the CLI reads the environment (INGEST_URL,
 * LEADPIPE_API_KEY), so the rest of the tool takes typed options.
 */
export function resolveImportOptions(file: string, flags: RawImportFlags, env: Env): ImportOptions {
  if (file.trim() === '') throw new UsageError('missing the CSV file to import');
  const follow = flags.follow === true;
  const noWait = flags.wait === false;
  if (follow && noWait) throw new UsageError('--follow and --no-wait contradict each other: choose one');
  if (noWait && flags.timeout !== undefined) throw new UsageError('--timeout has no effect with --no-wait: nothing is followed');
  const mode: ImportMode = follow ? 'follow' : noWait ? 'no-wait' : 'wait';
  return {
    file,
    ...resolveConnection(flags, env),
    out: nonEmpty(flags.out) ?? IMPORT_DEFAULTS.out,
    batchSize: parseInteger(flags.batchSize, '--batch-size', IMPORT_DEFAULTS.batchSize, 1, MAX_BATCH_SIZE),
    mode,
    // --follow waits for as long as it takes unless a timeout is asked for explicitly.
    timeoutSeconds: follow && flags.timeout === undefined ? null : parsePositive(flags.timeout, '--timeout', IMPORT_DEFAULTS.timeoutSeconds),
  };
}

export function resolveFollowOptions(file: string, flags: RawFollowFlags, env: Env): FollowCommandOptions {
  if (file.trim() === '') throw new UsageError('missing the CSV file to follow (an output of `leadpipe import`)');
  return {
    file,
    ...resolveConnection(flags, env),
    out: nonEmpty(flags.out) ?? file,
    timeoutSeconds: flags.timeout === undefined ? null : parsePositive(flags.timeout, '--timeout', IMPORT_DEFAULTS.timeoutSeconds),
  };
}

function resolveConnection(flags: RawFollowFlags, env: Env): IngestConnection {
  const rawUrl = flags.ingestUrl ?? nonEmpty(env.INGEST_URL) ?? IMPORT_DEFAULTS.ingestUrl;
  const source = flags.ingestUrl !== undefined ? '--ingest-url' : nonEmpty(env.INGEST_URL) !== undefined ? 'INGEST_URL' : 'default';
  return {
    ingestUrl: parseIngestUrl(rawUrl, source),
    apiKey: nonEmpty(flags.apiKey) ?? nonEmpty(env.LEADPIPE_API_KEY),
    concurrency: parseInteger(flags.concurrency, '--concurrency', IMPORT_DEFAULTS.concurrency, 1, 256),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

function parseIngestUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${source}: "${raw}" is not a URL (expected e.g. ${IMPORT_DEFAULTS.ingestUrl})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: "${raw}" must be an http(s) URL`);
  }
  // Paths are appended as `/api/leads`; a trailing slash would double it.
  return url.toString().replace(/\/+$/, '');
}

function parseInteger(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function parsePositive(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${name}: expected a positive number of seconds, got "${raw}"`);
  return value;
}
