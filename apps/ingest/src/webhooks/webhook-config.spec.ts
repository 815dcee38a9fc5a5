import { ConfigError, ingestEnvSchema, loadConfig } from '@leadpipe/config';

function configErrorOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(ingestEnvSchema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('webhook configuration', () => {
  it('leaves both routes off by default, with a five-minute window', () => {
    expect(loadConfig(ingestEnvSchema, {})).toMatchObject({
      INGEST_WEBHOOK_SECRETS: [],
      INGEST_WEBHOOK_TOLERANCE_SECONDS: 300,
      INGEST_HUBSPOT_CLIENT_SECRET: [],
    });
  });

  it('parses a comma-separated list of secrets into HMAC keys, decoding whsec_ ones', () => {
    const raw = Buffer.alloc(32, 7);
    const config = loadConfig(ingestEnvSchema, {
      INGEST_WEBHOOK_SECRETS: ` whsec_${raw.toString('base64')} , a-plain-text-secret-of-24-bytes-or-more `,
      INGEST_HUBSPOT_CLIENT_SECRET: 'f2a1c3d4-0000-4bcd-9abc-0123456789ab,0b1c2d3e-1111-4bcd-9abc-0123456789ab',
    });
    expect(config.INGEST_WEBHOOK_SECRETS).toEqual([raw, Buffer.from('a-plain-text-secret-of-24-bytes-or-more')]);
    expect(config.INGEST_HUBSPOT_CLIENT_SECRET).toHaveLength(2);
  });

  it('refuses a short secret, naming the variable but never the secret', () => {
    const message = configErrorOf({ INGEST_WEBHOOK_SECRETS: 'hunter2' });
    expect(message).toMatch(/INGEST_WEBHOOK_SECRETS: every secret must be at least 24 bytes/);
    expect(message).not.toMatch(/hunter2/);
  });

  it('refuses a whsec_ secret that is not base64', () => {
    expect(configErrorOf({ INGEST_WEBHOOK_SECRETS: 'whsec_not base64 at all!!!!!!!!!!!!!!' })).toMatch(/INGEST_WEBHOOK_SECRETS: a whsec_ secret must be base64/);
  });

  it('keeps the tolerance window within an hour, below the idempotency memory (at least an hour)', () => {
    expect(configErrorOf({ INGEST_WEBHOOK_TOLERANCE_SECONDS: '7200' })).toMatch(/INGEST_WEBHOOK_TOLERANCE_SECONDS/);
  });
});
