/**
 * Manages the API keys of ingest's HTTP API (stored hashed in PostgreSQL, see @leadpipe/auth):
 *
 *   npm run api-keys -- create --name crm-sync --scopes ingest,read [--rate-limit 1200] [--quiet]
 *   npm run api-keys -- list
 *   npm run api-keys -- revoke <id or key prefix>
 *
 * `create` prints the key once; only its hash is kept. With `--quiet` it prints only the key
 * (for scripts: `KEY=$(npm run -s api-keys -- create --name ci --scopes admin --quiet)`).
 * Reads DATABASE_URL like the services.
 */
import { Command, InvalidArgumentError } from 'commander';
import { DataSource } from 'typeorm';
import { API_KEY_SCOPES, ApiKeyRecord, ApiKeyRepository, ApiKeyScope } from '@leadpipe/auth';
import { commonEnvSchema, loadConfig } from '@leadpipe/config';
import { dataSourceOptions } from '@leadpipe/persistence';

function scopes(value: string): ApiKeyScope[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (list.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`scopes are a comma-separated list of ${API_KEY_SCOPES.join(', ')}`);
  return list as ApiKeyScope[];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

async function withKeys<T>(work: (keys: ApiKeyRepository) => Promise<T>): Promise<T> {
  const config = loadConfig(commonEnvSchema);
  const db = new DataSource(dataSourceOptions(config.DATABASE_URL, 1));
  await db.initialize();
  try {
    return await work(new ApiKeyRepository(db));
  } finally {
    await db.destroy();
  }
}

const describe = (k: ApiKeyRecord): string =>
  [
    k.id,
    k.prefix + '…',
    k.name,
    k.scopes.join(','),
    k.rateLimitPerMinute ? `${k.rateLimitPerMinute}/min` : 'default limit',
    `created ${k.createdAt.toISOString()}`,
    k.lastUsedAt ? `last used ${k.lastUsedAt.toISOString()}` : 'never used',
    k.revokedAt ? `REVOKED ${k.revokedAt.toISOString()}` : 'active',
  ].join('  ');

const program = new Command('api-keys').description("Manage the API keys of leadpipe's ingest API").showHelpAfterError();

program
  .command('create')
  .description('create a key and print it (once)')
  .requiredOption('--name <name>', 'who or what uses the key')
  .requiredOption('--scopes <list>', `comma-separated: ${API_KEY_SCOPES.join(', ')}`, scopes)
  .option('--rate-limit <perMinute>', 'requests per minute for this key (default: INGEST_THROTTLE_PER_MINUTE)', positiveInt)
  .option('--quiet', 'print only the key')
  .action(async (options: { name: string; scopes: ApiKeyScope[]; rateLimit?: number; quiet?: boolean }) => {
    const { key, record } = await withKeys((keys) => keys.create({ name: options.name, scopes: options.scopes, rateLimitPerMinute: options.rateLimit }));
    if (options.quiet) {
      console.log(key);
      return;
    }
    console.log(`created ${describe(record)}`);
    console.log(`\n  ${key}\n\nThis is the only time the key is shown: store it now. Send it as "Authorization: Bearer <key>".`);
  });

program
  .command('list')
  .description('list keys (never the keys themselves)')
  .action(async () => {
    const list = await withKeys((keys) => keys.list());
    if (list.length === 0) console.log('no API keys');
    for (const k of list) console.log(describe(k));
  });

program
  .command('revoke <idOrPrefix>')
  .description('revoke a key by id or by its prefix (ingest replicas stop accepting it within 30 s)')
  .action(async (idOrPrefix: string) => {
    const revoked = await withKeys((keys) => keys.revoke(idOrPrefix));
    if (!revoked) {
      console.error(`no live key matches ${idOrPrefix}`);
      process.exitCode = 1;
      return;
    }
    console.log(`revoked ${describe(revoked)}`);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`api-keys: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
