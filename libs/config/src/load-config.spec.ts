import { commonEnvSchema, enricherEnvSchema, ingestEnvSchema, notifierEnvSchema } from './config.schema';
import { ConfigError, loadConfig } from './load-config';

/** The least an enricher needs to boot. */
const enricherEnv = (overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ NETROWS_API_KEY: 'sim-key', ...overrides });

/** Runs `load` and returns the ConfigError it throws; fails the test when nothing (or something else) is thrown. */
function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}

describe('loadConfig', () => {
  it('applies the defaults to an empty environment', () => {
    expect(loadConfig(commonEnvSchema, {})).toEqual({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: '127.0.0.1:9092',
      KAFKA_CLIENT_ID: 'leadpipe',
      KAFKA_NAMESPACE: '',
      KAFKA_REPLICATION_FACTOR: 1,
      KAFKA_PARTITIONS_CONCURRENTLY: 3,
      KAFKA_SESSION_TIMEOUT_MS: 30_000,
      KAFKA_HEARTBEAT_INTERVAL_MS: 3_000,
      KAFKA_FETCH_MIN_BYTES: 1,
      KAFKA_FETCH_MAX_WAIT_MS: 1_000,
      KAFKA_COMMIT_INTERVAL_MS: 200,
      KAFKA_PRODUCE_MAX_BYTES: 1_000_000,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/leadpipe',
      DATABASE_POOL_SIZE: 10,
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      REDIS_KEY_PREFIX: 'leadpipe:',
      SHUTDOWN_TIMEOUT_MS: 25_000,
      OTEL_SDK_DISABLED: false,
    });
  });

  it('reads the OpenTelemetry settings (tracing off while the endpoint is empty) and refuses an endpoint that is not a URL', () => {
    expect(loadConfig(commonEnvSchema, { OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(loadConfig(commonEnvSchema, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SDK_DISABLED: true,
    });
    expect(() => loadConfig(commonEnvSchema, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('applies the service defaults on top of the common ones', () => {
    const config = loadConfig(enricherEnvSchema, enricherEnv());
    expect(config).toMatchObject({
      ENRICHER_PORT: 3001,
      ENRICHER_CACHE_TTL_DAYS: 30,
      ENRICHER_NOT_FOUND_TTL_DAYS: 7,
      NETROWS_BASE_URL: 'https://api.netrows.com/v1',
      NETROWS_API_KEY: 'sim-key',
      NETROWS_RATE_LIMIT_PER_MINUTE: 20,
      NETROWS_PATH_PROFILE: '/people/profile',
      NETROWS_PARAM_COMPANY_DETAILS_ID: 'companyId',
      KAFKA_BROKERS: '127.0.0.1:9092',
    });
  });

  it('treats empty strings as unset, so the default applies', () => {
    const config = loadConfig(ingestEnvSchema, { INGEST_PORT: '', KAFKA_BROKERS: '', LOG_LEVEL: '', REDIS_KEY_PREFIX: '' });
    expect(config).toMatchObject({ INGEST_PORT: 3000, KAFKA_BROKERS: '127.0.0.1:9092', LOG_LEVEL: 'info', REDIS_KEY_PREFIX: 'leadpipe:' });
  });

  it('coerces numbers and booleans from their text', () => {
    const config = loadConfig(notifierEnvSchema, {
      NOTIFIER_PORT: '8080',
      NOTIFIER_SCORE_THRESHOLD: '0',
      KAFKA_SESSION_TIMEOUT_MS: '45000',
      NOTIFIER_ENABLED: 'no',
    });
    expect(config).toMatchObject({ NOTIFIER_PORT: 8080, NOTIFIER_SCORE_THRESHOLD: 0, KAFKA_SESSION_TIMEOUT_MS: 45_000, NOTIFIER_ENABLED: false });
    expect(typeof config.NOTIFIER_PORT).toBe('number');
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
  ])('reads NOTIFIER_ENABLED=%s as %s', (value, expected) => {
    expect(loadConfig(notifierEnvSchema, { NOTIFIER_ENABLED: value }).NOTIFIER_ENABLED).toBe(expected);
  });

  it('ignores variables it does not know', () => {
    const config = loadConfig(commonEnvSchema, { PATH: '/usr/bin', HOME: '/root' });
    expect(config).not.toHaveProperty('PATH');
  });

  it('reads process.env when no environment is given', () => {
    const saved = process.env.KAFKA_CLIENT_ID;
    process.env.KAFKA_CLIENT_ID = 'from-process-env';
    try {
      expect(loadConfig(commonEnvSchema).KAFKA_CLIENT_ID).toBe('from-process-env');
    } finally {
      if (saved === undefined) delete process.env.KAFKA_CLIENT_ID;
      else process.env.KAFKA_CLIENT_ID = saved;
    }
  });

  describe('refuses a bad value with a ConfigError that names the variable', () => {
    it.each([
      ['a cache TTL below the 30-day minimum', enricherEnv({ ENRICHER_CACHE_TTL_DAYS: '10' }), 'ENRICHER_CACHE_TTL_DAYS'],
      ['a cache TTL above the 90-day maximum', enricherEnv({ ENRICHER_CACHE_TTL_DAYS: '91' }), 'ENRICHER_CACHE_TTL_DAYS'],
      ['a missing API key', {}, 'NETROWS_API_KEY'],
      ['an empty API key', { NETROWS_API_KEY: '' }, 'NETROWS_API_KEY'],
      ['a namespace with a space', enricherEnv({ KAFKA_NAMESPACE: 'team a' }), 'KAFKA_NAMESPACE'],
      ['a namespace with a slash', enricherEnv({ KAFKA_NAMESPACE: 'team/a' }), 'KAFKA_NAMESPACE'],
      ['a non-numeric timeout', enricherEnv({ NETROWS_TIMEOUT_MS: 'soon' }), 'NETROWS_TIMEOUT_MS'],
      ['a zero rate limit', enricherEnv({ NETROWS_RATE_LIMIT_PER_MINUTE: '0' }), 'NETROWS_RATE_LIMIT_PER_MINUTE'],
      ['a fractional pool size', enricherEnv({ DATABASE_POOL_SIZE: '2.5' }), 'DATABASE_POOL_SIZE'],
      ['a port out of range', enricherEnv({ ENRICHER_PORT: '70000' }), 'ENRICHER_PORT'],
      ['a relative path', enricherEnv({ NETROWS_PATH_PROFILE: 'people/profile' }), 'NETROWS_PATH_PROFILE'],
      ['a base URL that is not a URL', enricherEnv({ NETROWS_BASE_URL: 'api.netrows.com' }), 'NETROWS_BASE_URL'],
      ['an unknown NODE_ENV', enricherEnv({ NODE_ENV: 'staging' }), 'NODE_ENV'],
      ['an unknown LOG_LEVEL', enricherEnv({ LOG_LEVEL: 'verbose' }), 'LOG_LEVEL'],
    ])('%s', (_case, env, variable) => {
      const error = configErrorOf(() => loadConfig(enricherEnvSchema, env));
      expect(error.name).toBe('ConfigError');
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]).toMatch(new RegExp(`^${variable}: `));
      expect(error.message).toContain(variable);
    });

    it.each([
      ['a webhook URL without its signing secret', { NOTIFIER_WEBHOOK_URL: 'https://hooks.example/leads' }, 'NOTIFIER_WEBHOOK_SECRET: is required when NOTIFIER_WEBHOOK_URL is set'],
      ['a secret not in whsec_ form', { NOTIFIER_WEBHOOK_SECRET: 'plain-text-secret-of-some-length' }, 'NOTIFIER_WEBHOOK_SECRET: must be whsec_ followed by base64'],
      ['a secret of fewer than 24 bytes', { NOTIFIER_WEBHOOK_SECRET: `whsec_${Buffer.alloc(16).toString('base64')}` }, 'NOTIFIER_WEBHOOK_SECRET: must decode to at least 24 bytes'],
      ['a lead URL template without {id}', { NOTIFIER_LEAD_URL_TEMPLATE: 'https://crm.example/leads' }, 'NOTIFIER_LEAD_URL_TEMPLATE: must contain {id}'],
    ])('refuses %s (notifier)', (_case, env, issue) => {
      expect(configErrorOf(() => loadConfig(notifierEnvSchema, env)).issues).toEqual([expect.stringContaining(issue)]);
    });

    it('accepts a signed webhook and a lead link (notifier)', () => {
      const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
      const config = loadConfig(notifierEnvSchema, {
        NOTIFIER_WEBHOOK_URL: 'https://hooks.example/leads',
        NOTIFIER_WEBHOOK_SECRET: secret,
        NOTIFIER_LEAD_URL_TEMPLATE: 'https://crm.example/leads/{id}',
      });
      expect(config).toMatchObject({ NOTIFIER_WEBHOOK_SECRET: secret, NOTIFIER_ALERT_FORMAT: 'auto', NOTIFIER_SEND_CONCURRENCY: 16 });
    });

    it('lets more POSTs be in flight than there are pooled connections (notifier: a slice holds one connection for all of its POSTs)', () => {
      expect(loadConfig(notifierEnvSchema, { DATABASE_POOL_SIZE: '3', NOTIFIER_SEND_CONCURRENCY: '32' }).NOTIFIER_SEND_CONCURRENCY).toBe(32);
    });

    it('names every bad variable at once', () => {
      const error = configErrorOf(() =>
        loadConfig(notifierEnvSchema, { NOTIFIER_SCORE_THRESHOLD: '101', NOTIFIER_ENABLED: 'maybe', NOTIFIER_WEBHOOK_URL: 'not a url' }),
      );
      expect(error.issues.map((issue) => issue.split(':')[0]).sort()).toEqual(['NOTIFIER_ENABLED', 'NOTIFIER_SCORE_THRESHOLD', 'NOTIFIER_WEBHOOK_URL']);
      expect(error.message.split('\n')).toHaveLength(4);
      expect(error.message.startsWith('Invalid configuration:\n  ')).toBe(true);
    });

    it('says why, with the message the schema gives', () => {
      const error = configErrorOf(() => loadConfig(enricherEnvSchema, enricherEnv({ KAFKA_NAMESPACE: 'team a' })));
      expect(error.issues).toEqual(['KAFKA_NAMESPACE: only letters, digits, ".", "_" and "-"']);
    });

    // Regression: the schema carries a helpful message for a missing key, but loadConfig drops
    // empty strings before parsing, so `NETROWS_API_KEY=` (or no key) never reaches `.min(1)`
    // and is reported as "expected string, received undefined" instead.
    it('explains that NETROWS_API_KEY is required when it is left empty', () => {
      const error = configErrorOf(() => loadConfig(enricherEnvSchema, { NETROWS_API_KEY: '' }));
      expect(error.issues).toEqual(["NETROWS_API_KEY: NETROWS_API_KEY is required (use the simulator's key locally)"]);
    });
  });
});
