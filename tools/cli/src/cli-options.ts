/** Defaults of `import`, in one place so the help text and the parser agree. */
export const IMPORT_DEFAULTS = {
  ingestUrl: 'http://127.0.0.1:3000',
  out: 'out/enriched-leads.csv',
  concurrency: 16,
  timeoutSeconds: 300,
} as const;

/** Flags as commander hands them over: strings, possibly missing. */
export interface RawImportFlags {
  readonly ingestUrl?: string;
  readonly out?: string;
  readonly concurrency?: string;
  readonly timeout?: string;
  readonly apiKey?: string;
}

export interface ImportOptions {
  readonly file: string;
  readonly ingestUrl: string;
  readonly out: string;
  readonly concurrency: number;
  readonly timeoutSeconds: number;
  /** Ingest's API key (`--api-key`, else LEADPIPE_API_KEY); none when ingest runs without keys. */
  readonly apiKey?: string;
}

/** A bad flag or argument; the CLI prints it with the usage hint and exits 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Resolves flags against the environment and defaults, flag first. This is the only place
 * the CLI reads the environment (INGEST_URL, LEADPIPE_API_KEY), so the rest of the tool takes typed options.
 */
export function resolveImportOptions(
  file: string,
  flags: RawImportFlags,
  env: Readonly<Record<string, string | undefined>>,
): ImportOptions {
  if (file.trim() === '') throw new UsageError('missing the CSV file to import');
  const rawUrl = flags.ingestUrl ?? nonEmpty(env.INGEST_URL) ?? IMPORT_DEFAULTS.ingestUrl;
  const source = flags.ingestUrl !== undefined ? '--ingest-url' : nonEmpty(env.INGEST_URL) !== undefined ? 'INGEST_URL' : 'default';
  return {
    file,
    ingestUrl: parseIngestUrl(rawUrl, source),
    out: nonEmpty(flags.out) ?? IMPORT_DEFAULTS.out,
    concurrency: parseInteger(flags.concurrency, '--concurrency', IMPORT_DEFAULTS.concurrency, 1, 256),
    timeoutSeconds: parsePositive(flags.timeout, '--timeout', IMPORT_DEFAULTS.timeoutSeconds),
    apiKey: nonEmpty(flags.apiKey) ?? nonEmpty(env.LEADPIPE_API_KEY),
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
