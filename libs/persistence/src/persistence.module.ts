import { DynamicModule, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, CommonEnv } from '@leadpipe/config';
import { databaseProbe, ReadinessRegistry } from '@leadpipe/observability';
import { dataSourceOptions } from './data-source';

/** A service that uses the database is not ready without it. */
@Injectable()
class DatabaseReadiness implements OnApplicationBootstrap {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register(databaseProbe(this.db));
  }
}

/** TypeORM on the pipeline's PostgreSQL database, configured from the typed config. */
@Module({})
export class PersistenceModule {
  static forRoot(): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: CommonEnv) => ({
            ...dataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
            retryAttempts: 5,
            retryDelay: 1_000,
          }),
        }),
      ],
      providers: [DatabaseReadiness],
      exports: [TypeOrmModule],
    };
  }
}
