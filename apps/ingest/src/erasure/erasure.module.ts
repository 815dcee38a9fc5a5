import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ErasureController } from './erasure.controller';
import { ErasureMetrics } from './erasure.metrics';
import { ErasureService } from './erasure.service';
import { IdentitySuppressedFilter } from './identity-suppressed.filter';
import { SuppressionMirror } from './suppression-mirror.service';
import { SuppressionService } from './suppression.service';

/**
 * `DELETE /api/leads/:id` and the suppression list as ingest uses it: refusing leads of
 * erased people (export SuppressionService to whatever stores leads) and keeping the Redis
 * mirror the enricher reads complete. Needs the database and Redis (the global REDIS of ingest's RedisModule); Redis is not a
 * readiness dependency of ingest, so accepting leads never waits for it.
 */
@Module({
  controllers: [ErasureController],
  providers: [
    ErasureMetrics,
    ErasureService,
    SuppressionService,
    SuppressionMirror,
    { provide: APP_FILTER, useClass: IdentitySuppressedFilter },
  ],
  exports: [SuppressionService],
})
export class ErasureModule {}
