import { randomBytes } from 'node:crypto';
import Redis, { RedisOptions } from 'ioredis';

/**
 * A unique Redis key prefix for one suite, the clients opened under it, and the cleanup:
 * `dispose()` closes every client and deletes every key under the prefix.
 */
export class RedisScope {
  readonly url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  readonly prefix = `leadpipe:t${Date.now().toString(36)}${randomBytes(3).toString('hex')}:`;
  private readonly clients: Redis[] = [];

  /** A new connection whose keys live under the prefix. */
  client(options: RedisOptions = {}): Redis {
    const redis = new Redis(this.url, { keyPrefix: this.prefix, ...options });
    this.clients.push(redis);
    return redis;
  }

  async dispose(): Promise<void> {
    for (const client of this.clients) client.disconnect();
    // keyPrefix does not apply to SCAN patterns: clean up with a plain connection.
    const plain = new Redis(this.url);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await plain.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
        if (keys.length > 0) await plain.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      plain.disconnect();
    }
  }
}
