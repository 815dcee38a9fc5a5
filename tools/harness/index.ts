/**
 * What tests and benchmarks share to run the pipeline for real: an isolated slice of Kafka,
 * PostgreSQL and Redis, services as processes from the compiled build, polling with deadlines.
 * Compiled with the build (benchmarks run from `dist/`); tests import it from the sources.
 */
export * from './wait-for';
export * from './free-port';
export * from './service-process';
export * from './isolated-env';
export * from './post-stream';
export * from './webhook-receiver';
export * from './private-broker';
export * from './private-postgres';
export * from './private-redis';
