import { Controller, Get, Injectable } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';

/** A dependency a service needs before it can do its work (Kafka, Redis, consumers...). */
export interface ReadinessProbe {
  name: string;
  isReady(): boolean | Promise<boolean>;
}

/** Holds the probes a service registers at boot (some, like consumers, exist only after it). */
@Injectable()
export class ReadinessRegistry {
  private readonly probes: ReadinessProbe[] = [];

  register(probe: ReadinessProbe): void {
    this.probes.push(probe);
  }

  list(): readonly ReadinessProbe[] {
    return this.probes;
  }
}

/** Liveness checks only the process; readiness checks every dependency. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    const checks = this.registry.list().map((probe) => async () => {
      const session = this.indicator.check(probe.name);
      try {
        return (await probe.isReady()) ? session.up() : session.down({ message: 'not ready' });
      } catch (error) {
        return session.down({ message: error instanceof Error ? error.message : String(error) });
      }
    });
    return this.health.check(checks);
  }
}

/** Readiness of a PostgreSQL connection (anything with `query`). */
export function databaseProbe(db: { query(sql: string): Promise<unknown> }): ReadinessProbe {
  return {
    name: 'database',
    isReady: async () => {
      await db.query('SELECT 1');
      return true;
    },
  };
}

/** Readiness of a Redis connection. */
export function redisProbe(redis: { ping(): Promise<string> }): ReadinessProbe {
  return { name: 'redis', isReady: async () => (await redis.ping()) === 'PONG' };
}
