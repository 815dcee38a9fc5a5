import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A comma-separated list (several secrets while one is rotated); the messages never repeat a secret. */
const secretList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/**
 * Standard Webhooks signing secrets, as the HMAC keys: `whsec_<base64>` is decoded, any other
 * text taken as its UTF-8 bytes. The specification asks for at least 24 random bytes.
 */
const webhookSecrets = secretList
  .refine((secrets) => secrets.every((s) => !s.startsWith('whsec_') || /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(s)), {
    message: 'a whsec_ secret must be base64 after the prefix',
  })
  .transform((secrets) => secrets.map((s) => (s.startsWith('whsec_') ? Buffer.from(s.slice(6), 'base64') : Buffer.from(s, 'utf8'))))
  .refine((keys) => keys.every((k) => k.length >= 24), { message: 'every secret must be at least 24 bytes (a whsec_ secret once decoded)' });

/** Variables every service reads. Grouped by prefix; defaults suit the local machine. */
export const commonEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).default('leadpipe'),
  /** Prefix for topic and consumer-group names; lets several pipelines (or test suites) share a broker. */
  KAFKA_NAMESPACE: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'only letters, digits, ".", "_" and "-"')
    .default(''),
  /** Replication factor of the topics the services create when missing (1 on a single local broker). */
  KAFKA_REPLICATION_FACTOR: positiveInt.default(1),
  /**
   * Partitions a consumer works on at once, per replica (the topics have 6). The validator and
   * the notifier hand the slices of those partitions to one handler call (one transaction);
   * more at once merges more at moderate rates, and holds more slices in memory in a backlog.
   */
  KAFKA_PARTITIONS_CONCURRENTLY: positiveInt.default(3),
  KAFKA_SESSION_TIMEOUT_MS: positiveInt.default(30_000),
  KAFKA_HEARTBEAT_INTERVAL_MS: positiveInt.default(3_000),
  /**
   * A consumer's fetch is answered once this many bytes are ready or KAFKA_FETCH_MAX_WAIT_MS has
   * passed (Kafka's fetch.min.bytes / fetch.max.wait.ms). The defaults answer at once and
   * long-poll for a second when idle; a larger minimum with a shorter wait gathers a trickle of
   * events into slices, at the price of that wait per hop and more fetches when idle (measured
   * in BENCHMARKS.md: no gain on the benchmark machine, so not the default).
   */
  KAFKA_FETCH_MIN_BYTES: positiveInt.default(1),
  KAFKA_FETCH_MAX_WAIT_MS: positiveInt.default(1_000),
  /**
   * Consumers commit the offsets they have handled at most this often (Kafka's
   * auto.commit.interval.ms; 0: after every slice, awaited). Graceful stops and rebalances
   * commit at once; after a crash up to this much work is handled again (idempotently). The
   * consumer-lag gauge (and the autoscalers that read it) counts handled messages not committed
   * yet, up to this much traffic: keep it short against the lag targets.
   */
  KAFKA_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(200),
  /**
   * Largest produce request the services send (bytes of messages, over-estimated); larger
   * publishes are cut into several, in order. Keep it under the topics' `max.message.bytes`
   * (the broker's default is 1 MiB): a request over it is refused whole (MESSAGE_TOO_LARGE).
   */
  KAFKA_PRODUCE_MAX_BYTES: z.coerce.number().int().min(10_000).max(100_000_000).default(1_000_000),
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/leadpipe'),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379/0'),
  /** Prefix for every Redis key, for the same reason as KAFKA_NAMESPACE. */
  REDIS_KEY_PREFIX: z.string().default('leadpipe:'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(25_000),
  /**
   * Secret key of the suppression list's hashes (ingest, enricher and validator must share it;
   * changing it forgets every suppression). Unset: plain SHA-256, which anyone reading the list
   * can test guessed e-mail addresses against.
   */
  SUPPRESSION_PEPPER: z.string().min(16, 'must be at least 16 characters (a random secret)').optional(),
  /** OpenTelemetry, by its standard variable names: tracing is on when an OTLP endpoint is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** The full traces URL, instead of `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Default `leadpipe-<service>`. */
  OTEL_SERVICE_NAME: z.string().optional(),
  /** `none` turns tracing off. */
  OTEL_TRACES_EXPORTER: z.string().optional(),
  OTEL_SDK_DISABLED: bool.default(false),
});

export const ingestEnvSchema = commonEnvSchema.extend({
  INGEST_PORT: port.default(3000),
  INGEST_OUTBOX_POLL_MS: positiveInt.default(50),
  INGEST_OUTBOX_BATCH_SIZE: positiveInt.default(500),
  /** Leads whose e-mail or company domain is listed here are high priority (target accounts). */
  INGEST_PRIORITY_DOMAINS: z.string().default(''),
  /**
   * `required`: every `/api` route needs an API key with the route's scope (see
   * `npm run api-keys`); `off`: no key is asked for (a trusted network, tests).
   */
  INGEST_AUTH: z.enum(['required', 'off']).default('required'),
  /** Requests per minute per API key (or client address without one), across replicas; a key may set its own. */
  INGEST_THROTTLE_PER_MINUTE: positiveInt.default(600),
  /** Most leads in one `POST /api/leads/batch`. */
  INGEST_BATCH_MAX_LEADS: positiveInt.max(10_000).default(1_000),
  /** Largest JSON body accepted (bytes); a larger one gets 413. 1,000 leads take ~300 KB. */
  INGEST_JSON_BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  /** How long an `Idempotency-Key` and its answer are kept (hours). */
  INGEST_IDEMPOTENCY_TTL_HOURS: positiveInt.max(24 * 30).default(24),
  /**
   * Signing secrets of `POST /api/webhooks/leads` (Standard Webhooks), comma-separated while one
   * is rotated; parsed into the HMAC keys. Empty turns the route off (404).
   */
  INGEST_WEBHOOK_SECRETS: webhookSecrets,
  /** How far a webhook's signed timestamp may be from our clock, either way, before it is refused. */
  INGEST_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  /** Client secret(s) of the HubSpot app whose requests `POST /api/webhooks/hubspot` verifies; empty turns the route off. */
  INGEST_HUBSPOT_CLIENT_SECRET: secretList.refine((secrets) => secrets.every((s) => s.length >= 16), {
    message: 'looks too short for a HubSpot client secret',
  }),
  /**
   * The exact URL HubSpot is configured to call (it is part of the v3 signature). Unset, the
   * URL is rebuilt from the request (X-Forwarded-Proto/-Host, Host and path).
   */
  INGEST_HUBSPOT_WEBHOOK_URL: z.string().url().optional(),
  /** CSV import (`POST /api/leads/import`): largest upload, in bytes (413 past it). */
  INGEST_IMPORT_MAX_BYTES: positiveInt.default(512 * 1024 * 1024),
  /** CSV import: data rows per upload; the rows up to it are handled, then 413. */
  INGEST_IMPORT_MAX_ROWS: positiveInt.default(2_000_000),
  /** CSV import: valid rows per transaction (16 bind parameters each, PostgreSQL takes 65 535). */
  INGEST_IMPORT_CHUNK_SIZE: z.coerce.number().int().min(1).max(2_000).default(500),
  /** CSV import: row errors kept and answered per import; the others are only counted. */
  INGEST_IMPORT_MAX_ERRORS: z.coerce.number().int().min(0).max(10_000).default(100),
  /**
   * Longest a request may take to arrive in full; 0 means no limit. Node's own default (300 s)
   * would cut a large CSV upload, which arrives only as fast as it is imported.
   */
  INGEST_HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** Dead letters replayed per transaction by `POST /api/dead-letters/replay`. */
  INGEST_DEAD_LETTER_REPLAY_CHUNK_SIZE: positiveInt.max(1_000).default(100),
  /** How often ingest checks that the Redis mirror of the suppression list is complete (and rebuilds it if not). */
  INGEST_SUPPRESSION_SYNC_MS: positiveInt.default(60_000),
});

export const enricherEnvSchema = commonEnvSchema.extend({
  ENRICHER_PORT: port.default(3001),
  /**
   * Partitions worked on at once. The enricher mostly waits (for tokens, for the provider), so
   * this is high: every assigned partition (received, priority, retry topics) gets going at
   * once, and a priority or retry partition never waits behind a slow normal one.
   */
  ENRICHER_PARTITIONS_CONCURRENTLY: positiveInt.default(32),
  ENRICHER_CACHE_TTL_DAYS: z.coerce.number().int().min(30).max(90).default(30),
  ENRICHER_NOT_FOUND_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /**
   * The answers an enricher bought lately are also kept in its memory, about this many MB of JSON
   * (0: off), each for ENRICHER_RECENT_ANSWERS_TTL_SECONDS: when Redis restarts empty or fails
   * between a purchase and its write, the slice's retry does not buy them again.
   */
  ENRICHER_RECENT_ANSWERS_MB: z.coerce.number().int().min(0).max(1024).default(16),
  ENRICHER_RECENT_ANSWERS_TTL_SECONDS: positiveInt.default(900),
  /** First retry delay; retry n waits base × 2^(n-1) (2, 4, 8 s), each in its retry topic. */
  ENRICHER_RETRY_BASE_MS: positiveInt.default(2_000),
  /** Qualification rules: only leads that pass them are enriched (the others end `invalid`). */
  ENRICHER_QUALIFY_REQUIRE_WORK_EMAIL: bool.default(false),
  ENRICHER_QUALIFY_REQUIRE_NAME: bool.default(false),
  /** Domains never enriched (competitors, your own company): e-mail or company domain, comma-separated. */
  ENRICHER_QUALIFY_DENY_DOMAINS: z.string().default(''),
  NETROWS_BASE_URL: z.string().url().default('https://api.netrows.com/v1'),
  NETROWS_API_KEY: z
    .string({ error: "NETROWS_API_KEY is required (use the simulator's key locally)" })
    .min(1, "NETROWS_API_KEY is required (use the simulator's key locally)"),
  NETROWS_TIMEOUT_MS: positiveInt.default(15_000),
  /** Circuit breaker: failures (5xx, timeouts, network) are counted over a rolling window. */
  NETROWS_BREAKER_WINDOW_MS: positiveInt.default(60_000),
  /** Calls in the window before the error percentage is judged at all. */
  NETROWS_BREAKER_VOLUME_THRESHOLD: positiveInt.default(5),
  NETROWS_BREAKER_ERROR_PERCENTAGE: z.coerce.number().int().min(1).max(100).default(50),
  /** Upstream failures in a row that open the circuit at once, before the window's percentage would. */
  NETROWS_BREAKER_CONSECUTIVE_FAILURES: positiveInt.default(10),
  /** How long the circuit stays open before one trial call is let through. */
  NETROWS_BREAKER_RESET_TIMEOUT_MS: positiveInt.default(30_000),
  /** Credits the enricher may spend per UTC day, across all replicas; 0 means no budget. */
  NETROWS_DAILY_CREDIT_BUDGET: z.coerce.number().int().min(0).default(0),
  /** Credits per call where an endpoint costs more than 1, e.g. `reverseLookup=2,companyByDomain=1`. */
  NETROWS_CREDIT_COSTS: z
    .string()
    .regex(/^(\s*[a-zA-Z]+\s*=\s*\d+\s*)(,\s*[a-zA-Z]+\s*=\s*\d+\s*)*$/, 'a list like reverseLookup=2,profile=1')
    .optional(),
  /** While the key is refused (401) or credits are out (402), how often one call probes the account. */
  NETROWS_ACCOUNT_PROBE_INTERVAL_MS: positiveInt.default(60_000),
  /** The account's plan limit, enforced across all enricher replicas. */
  NETROWS_RATE_LIMIT_PER_MINUTE: positiveInt.default(20),
  /**
   * Milliseconds of every minute left unused: tokens are spaced `(60 000 + headroom) / limit`,
   * so jitter between us and the provider up to this much never makes N+1 calls land in one of
   * its minutes, whatever the plan. 400 ms keeps 99.3 % of the quota.
   */
  NETROWS_RATE_LIMIT_HEADROOM_MS: z.coerce.number().int().min(0).max(30_000).default(400),
  NETROWS_PATH_PROFILE: z.string().startsWith('/').default('/people/profile'),
  NETROWS_PATH_PROFILE_BY_URL: z.string().startsWith('/').default('/people/profile-by-url'),
  NETROWS_PATH_REVERSE_LOOKUP: z.string().startsWith('/').default('/people/reverse-lookup'),
  NETROWS_PATH_COMPANY_DETAILS: z.string().startsWith('/').default('/companies/details'),
  NETROWS_PATH_COMPANY_BY_DOMAIN: z.string().startsWith('/').default('/companies/by-domain'),
  NETROWS_PARAM_PROFILE_USERNAME: z.string().min(1).default('username'),
  NETROWS_PARAM_PROFILE_URL: z.string().min(1).default('url'),
  NETROWS_PARAM_REVERSE_LOOKUP_EMAIL: z.string().min(1).default('email'),
  NETROWS_PARAM_COMPANY_DETAILS_ID: z.string().min(1).default('companyId'),
  NETROWS_PARAM_COMPANY_DOMAIN: z.string().min(1).default('domain'),
});

export const validatorEnvSchema = commonEnvSchema.extend({
  VALIDATOR_PORT: port.default(3002),
  /** Provider data older than this many days is flagged `stale_data` (Netrows sends no "last updated" date). */
  VALIDATOR_STALE_AFTER_DAYS: positiveInt.default(365),
  /** Ideal-customer scoring rules (YAML or JSON, see examples/scoring.yaml); unset: the built-in rules. */
  VALIDATOR_SCORING_FILE: z.string().min(1).optional(),
  /** Raw provider answers in `enrichment_history` are deleted this many days after they were recorded. */
  VALIDATOR_HISTORY_RETENTION_DAYS: positiveInt.default(180),
});

/** A Standard Webhooks signing secret we sign with: `whsec_` + base64 of at least 24 bytes. */
const signingSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64')
  .refine((s) => !s.startsWith('whsec_') || Buffer.from(s.slice(6), 'base64').length >= 24, { message: 'must decode to at least 24 bytes' });

/** An optional URL: empty (or unset) turns the thing it points to off. */
const optionalUrl = z.union([z.literal(''), z.string().url()]).default('');

export const notifierEnvSchema = commonEnvSchema
  .extend({
    NOTIFIER_PORT: port.default(3003),
    /**
     * YAML or JSON file with the notification rules (tiers, rules, channels; see
     * `apps/notifier/README.md`). Unset: one rule, `score-threshold`, announcing every lead
     * scoring at least NOTIFIER_SCORE_THRESHOLD on every configured channel.
     */
    NOTIFIER_RULES_FILE: z.string().optional(),
    /** The built-in rule's minimum score (ignored when NOTIFIER_RULES_FILE is set). */
    NOTIFIER_SCORE_THRESHOLD: z.coerce.number().int().min(0).max(100).default(70),
    /** Where the `webhook` channel POSTs leads, signed per Standard Webhooks; empty turns it off. */
    NOTIFIER_WEBHOOK_URL: optionalUrl,
    /** The `webhook` channel's signing secret, `whsec_` + base64 of at least 24 random bytes. */
    NOTIFIER_WEBHOOK_SECRET: signingSecret.optional(),
    /** Slack incoming-webhook URL of the `slack` channel; empty turns it off. */
    NOTIFIER_SLACK_WEBHOOK_URL: optionalUrl,
    /** Link to a lead in messages, `{id}` replaced by the lead id (e.g. `https://crm.example/leads/{id}`); empty: no link. */
    NOTIFIER_LEAD_URL_TEMPLATE: z
      .string()
      .refine((t) => t.includes('{id}'), { message: 'must contain {id}' })
      .refine((t) => URL.canParse(t.replaceAll('{id}', '00000000-0000-0000-0000-000000000000')), { message: 'must be a URL once {id} is replaced' })
      .optional(),
    /** Where operator alerts go (out of credits, bad key, breaker open); empty: logged only. */
    NOTIFIER_ALERT_WEBHOOK_URL: optionalUrl,
    /**
     * How alerts are posted: `slack` (a Slack message), `webhook` (JSON, signed with
     * NOTIFIER_ALERT_WEBHOOK_SECRET when set), or `auto`: `slack` for a hooks.slack.com URL.
     */
    NOTIFIER_ALERT_FORMAT: z.enum(['auto', 'slack', 'webhook']).default('auto'),
    /** Signs JSON alerts like the lead webhook (its own receiver, its own secret); unset: alerts go unsigned. */
    NOTIFIER_ALERT_WEBHOOK_SECRET: signingSecret.optional(),
    NOTIFIER_WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
    /**
     * POSTs in flight at once per replica, across the slices being handled. A slice holds one
     * database connection (its rows' locks) for all its POSTs, so this is not bound by the pool.
     */
    NOTIFIER_SEND_CONCURRENCY: positiveInt.default(16),
    /** Attempts of a failed delivery (in place, holding the partition) before the dead-letter topic. */
    NOTIFIER_MAX_ATTEMPTS: positiveInt.default(5),
    /** Attempt n + 1 waits base × 2^(n-1), ±20 % (1, 2, 4, 8 s). */
    NOTIFIER_RETRY_BASE_MS: positiveInt.default(1_000),
    NOTIFIER_ENABLED: bool.default(true),
  })
  .superRefine((env, ctx) => {
    if (env.NOTIFIER_WEBHOOK_URL && !env.NOTIFIER_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['NOTIFIER_WEBHOOK_SECRET'],
        message: 'is required when NOTIFIER_WEBHOOK_URL is set (webhooks are signed)',
      });
    }
  });

export type CommonEnv = z.infer<typeof commonEnvSchema>;
export type IngestEnv = z.infer<typeof ingestEnvSchema>;
export type EnricherEnv = z.infer<typeof enricherEnvSchema>;
export type ValidatorEnv = z.infer<typeof validatorEnvSchema>;
export type NotifierEnv = z.infer<typeof notifierEnvSchema>;
