import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { API_KEY_SCOPES, ApiKeyScope, apiKeyPrefix, generateApiKey, hashApiKey } from './api-key';

/** An API key as stored: never the key itself. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  /** Requests per minute for this key; null = the service default. */
  rateLimitPerMinute: number | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface Row {
  id: string;
  name: string;
  key_prefix: string;
  scopes: ApiKeyScope[];
  rate_limit_per_minute: number | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const record = (row: Row): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  prefix: row.key_prefix,
  scopes: row.scopes,
  rateLimitPerMinute: row.rate_limit_per_minute,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

/** The `api_keys` table (see the migration): create, look up by key, list, revoke. */
export class ApiKeyRepository {
  constructor(private readonly db: DataSource | EntityManager) {}

  /** Creates a key; the returned `key` is the only copy there will ever be. */
  async create(options: { name: string; scopes: readonly ApiKeyScope[]; rateLimitPerMinute?: number }): Promise<{ key: string; record: ApiKeyRecord }> {
    const name = options.name.trim();
    if (!name) throw new Error('a key needs a name');
    const scopes = [...new Set(options.scopes)];
    if (scopes.length === 0) throw new Error(`a key needs at least one scope (${API_KEY_SCOPES.join(', ')})`);
    const unknown = scopes.filter((s) => !API_KEY_SCOPES.includes(s));
    if (unknown.length > 0) throw new Error(`unknown scope ${unknown.join(', ')} (scopes: ${API_KEY_SCOPES.join(', ')})`);
    if (options.rateLimitPerMinute !== undefined && !(Number.isInteger(options.rateLimitPerMinute) && options.rateLimitPerMinute > 0)) {
      throw new Error('the rate limit must be a positive whole number of requests per minute');
    }
    const key = generateApiKey();
    const [row] = (await this.db.query(
      `INSERT INTO api_keys (id, name, key_prefix, key_hash, scopes, rate_limit_per_minute)
            VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING *`,
      [randomUUID(), name, apiKeyPrefix(key), hashApiKey(key), scopes, options.rateLimitPerMinute ?? null],
    )) as Row[];
    return { key, record: record(row) };
  }

  /** The live (not revoked) key with this value, or null. */
  async findActive(key: string): Promise<ApiKeyRecord | null> {
    const [row] = (await this.db.query(`SELECT * FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hashApiKey(key)])) as Row[];
    return row ? record(row) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return ((await this.db.query(`SELECT * FROM api_keys ORDER BY created_at, id`)) as Row[]).map(record);
  }

  /** Revokes by id or by the key's prefix; returns the revoked key, null when none matched. */
  async revoke(idOrPrefix: string): Promise<ApiKeyRecord | null> {
    const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix);
    const matches = (await this.db.query(`SELECT id FROM api_keys WHERE ${isId ? 'id = $1' : 'key_prefix = $1'} AND revoked_at IS NULL`, [idOrPrefix])) as Array<{
      id: string;
    }>;
    if (matches.length > 1) throw new Error(`${matches.length} live keys start with ${idOrPrefix}: revoke by id`);
    if (matches.length === 0) return null;
    const [rows] = (await this.db.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1 RETURNING *`, [matches[0].id])) as [Row[], number];
    return record(rows[0]);
  }

  /** Records use; callers throttle how often. */
  async touch(id: string): Promise<void> {
    await this.db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [id]);
  }
}
