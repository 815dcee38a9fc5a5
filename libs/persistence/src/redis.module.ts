import { Global, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, CommonEnv } from '@leadpipe/config';
import { ReadinessRegistry, redisProbe } from '@leadpipe/observability';

export const REDIS = Symbol('REDIS');

/** A connection with the pipeline's settings: keys under REDIS_KEY_PREFIX, calls failing fast while Redis is away. */
export function redisClientFrom(config: Pick<CommonEnv, 'REDIS_URL' | 'REDIS_KEY_PREFIX'>): Redis {
  return new Redis(config.REDIS_URL, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    // Fail calls fast while Redis is away instead of queueing them without bound.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
  });
}

@Injectable()
class RedisLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register(redisProbe(this.redis));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One ioredis connection per service, keys prefixed with REDIS_KEY_PREFIX. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: CommonEnv) => redisClientFrom(config),
    },
    RedisLifecycle,
  ],
  exports: [REDIS],
})
export class RedisModule {}
