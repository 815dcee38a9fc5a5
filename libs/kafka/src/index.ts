export * from './kafka.factory';
export * from './topic-admin';
export * from './event-publisher';
export * from './outcome';
export * from './batch-consumer';
export * from './kafka-batch.transport';
export * from './kafka.module';
export * from './bootstrap';
