import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, ReadinessRegistry } from './health.controller';
import { MetricsModule } from './metrics.module';
import { MetricsOptions } from './metrics.registry';

/**
 * Health probes and, through {@link MetricsModule}, the metrics registry and `GET /metrics`:
 * every service imports this once and gets all three.
 */
@Global()
@Module({})
export class HealthModule {
  static forRoot(options: MetricsOptions = {}): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), MetricsModule.forRoot(options)],
      controllers: [HealthController],
      providers: [ReadinessRegistry],
      exports: [ReadinessRegistry],
    };
  }
}
