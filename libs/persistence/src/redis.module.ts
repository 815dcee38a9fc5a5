import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, CommonEnv } from '@leadpipe/config';
import { ReadinessRegistry, redisProbe } from '@leadpipe/observability';

export const REDIS = Symbol('REDIS');

/** A connection with the pipeline's settings: keys under REDIS_KEY_PREFIX, calls failing fast while Redis is away, auto-pipelined. */
export function redisClientFrom(config: Pick<CommonEnv, 'REDIS_URL' | 'REDIS_KEY_PREFIX'>): Redis {
  return new Redis(config.REDIS_URL, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    // Fail calls fast while Redis is away instead of queueing them without bound.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    // Commands issued in the same tick go out in one write: the enricher's concurrent lookups
    // (suppression, person, company for 16 leads at a time) cost a few syscalls, not one each.
    enableAutoPipelining: true,
  });
}

const REDIS_IN_READINESS = Symbol('REDIS_IN_READINESS');

@Injectable()
class RedisLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_IN_READINESS) private readonly inReadiness: boolean,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.inReadiness) this.readiness.register(redisProbe(this.redis));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * One ioredis connection per service (`REDIS`), keys prefixed with REDIS_KEY_PREFIX. By default
 * Redis is part of the service's readiness (the enricher cannot work without it); a service
 * that only degrades without Redis (ingest's throttle) passes `readiness: false`.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(options: { readiness?: boolean } = {}): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: REDIS, inject: [APP_CONFIG], useFactory: (config: CommonEnv) => redisClientFrom(config) },
        { provide: REDIS_IN_READINESS, useValue: options.readiness ?? true },
        RedisLifecycle,
      ],
      exports: [REDIS],
    };
  }
}
