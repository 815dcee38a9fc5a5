import { DynamicModule, Global, Module } from '@nestjs/common';

/** Injection token of the service's typed configuration object. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Makes the configuration parsed at boot (see `loadConfig`) injectable as `@Inject(APP_CONFIG)`. */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot<C extends object>(config: C): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
