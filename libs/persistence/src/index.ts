export * from './entities/lead.entity';
export * from './entities/enrichment.entity';
export * from './entities/outbox.entity';
export * from './entities/notification.entity';
export * from './entities/import.entity';
export * from './data-source';
export * from './persistence.module';
export * from './redis.module';
