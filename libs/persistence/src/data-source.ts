import { DataSource, DataSourceOptions } from 'typeorm';
import { LeadEntity } from './entities/lead.entity';
import { EnrichmentEntity } from './entities/enrichment.entity';
import { OutboxEntity } from './entities/outbox.entity';
import { NotificationEntity } from './entities/notification.entity';
import { ImportEntity } from './entities/import.entity';
import { SuppressionEntity } from './entities/suppression.entity';
import { EnrichmentHistoryEntity } from './entities/enrichment-history.entity';
import { InitialSchema1764489600000 } from './migrations/1764489600000-initial-schema';
import { Suppressions1767830400000 } from './migrations/1767830400000-suppressions';
import { CsvImports1796038800000 } from './migrations/1796038800000-csv-imports';
import { IdempotencyKeys1796040000000 } from './migrations/1796040000000-idempotency-keys';
import { LeadListIndex1796040100000 } from './migrations/1796040100000-lead-list-index';
import { LeadChangeNotify1796040200000 } from './migrations/1796040200000-lead-change-notify';
import { DeadLetters1796040300000 } from './migrations/1796040300000-dead-letters';
import { ApiKeys1796040400000 } from './migrations/1796040400000-api-keys';
import { ScoreBreakdownProvenanceHistory1796040500000 } from './migrations/1796040500000-score-breakdown-provenance-history';
import { LeadScoreIndex1796040600000 } from './migrations/1796040600000-lead-score-index';
import { LeadChangeNotifyBeforeUpdate1796040700000 } from './migrations/1796040700000-lead-change-notify-before-update';
import { JsonColumnsLz41796040800000 } from './migrations/1796040800000-json-columns-lz4';
import { ProvenanceLz41796040900000 } from './migrations/1796040900000-provenance-lz4';

export const ENTITIES = [LeadEntity, EnrichmentEntity, OutboxEntity, NotificationEntity, ImportEntity, SuppressionEntity, EnrichmentHistoryEntity];
export const MIGRATIONS = [
  InitialSchema1764489600000,
  Suppressions1767830400000,
  CsvImports1796038800000,
  IdempotencyKeys1796040000000,
  LeadListIndex1796040100000,
  LeadChangeNotify1796040200000,
  DeadLetters1796040300000,
  ApiKeys1796040400000,
  ScoreBreakdownProvenanceHistory1796040500000,
  LeadScoreIndex1796040600000,
  LeadChangeNotifyBeforeUpdate1796040700000,
  JsonColumnsLz41796040800000,
  ProvenanceLz41796040900000,
];

export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    // The schema changes through migrations only.
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolSize },
  };
}

/** Creates the database when it does not exist (connecting to the server's `postgres` database). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[a-zA-Z0-9_]+$/.test(name)) throw new Error(`refusing to create database with unusual name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const ds = new DataSource({ type: 'postgres', url: admin.toString() });
  await ds.initialize();
  try {
    const rows: unknown[] = await ds.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length > 0) return false;
    await ds.query(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await ds.destroy();
  }
}

/** Creates the database if needed and applies pending migrations. Returns their names. */
export async function migrate(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const ds = new DataSource(dataSourceOptions(url, 2));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
