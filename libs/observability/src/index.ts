export * from './logging';
export * from './health.controller';
export * from './health.module';
