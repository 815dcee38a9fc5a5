import { DynamicModule, Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { METRICS_OPTIONS, MetricsOptions, MetricsRegistry } from './metrics.registry';

/** The registry and `GET /metrics`. Services get it through {@link HealthModule.forRoot}. */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsOptions = {}): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: METRICS_OPTIONS, useValue: options }, MetricsRegistry],
      exports: [MetricsRegistry],
    };
  }
}
