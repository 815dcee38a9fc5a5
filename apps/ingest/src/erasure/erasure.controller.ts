import { Controller, Delete, HttpCode, HttpException, Logger, NotFoundException, Param, ParseUUIDPipe, ServiceUnavailableException } from '@nestjs/common';
import { ErasureReport, ErasureService } from './erasure.service';
import { RequireScope } from '../auth/scopes.decorator';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-docs';

@ApiTags('leads')
@Controller('api/leads')
@RequireScope('admin')
export class ErasureController {
  private readonly logger = new Logger(ErasureController.name);

  constructor(private readonly erasure: ErasureService) {}

  /**
   * Erases the person the lead names (GDPR Art. 17) and suppresses their identities: 200 with
   * what was removed; 404 when there is no such lead (an erased one included); 400 for an id
   * that is not a UUID; 503 when PostgreSQL or Redis failed, in which case nothing was erased
   * and the request can be repeated.
   */
  @Delete(':id')
  @ApiOperation({
    summary: 'Erase the person a lead names (GDPR) and suppress them',
    description: 'Scope `admin`. Every lead of the person, their enrichments, notifications, dead letters, pending events and cached provider answers are removed; their identities are suppressed (their leads get 409 `suppressed` from then on).',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'what was removed: `{ id, erased: { leads, enrichments, notifications, outbox, dead_letters, idempotency_keys, cache_keys }, suppressed: true }`' })
  @ApiErrors(400, 404, 503)
  @HttpCode(200)
  async erase(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string): Promise<ErasureReport> {
    let report: ErasureReport | null;
    try {
      report = await this.erasure.erase(id);
    } catch (error) {
      if (error instanceof HttpException) throw error;
      this.logger.error({ msg: 'erasure failed and was rolled back', leadId: id, error: error instanceof Error ? error.message : String(error) });
      throw new ServiceUnavailableException({ statusCode: 503, message: 'erasure did not complete and was rolled back; repeat the request' });
    }
    if (!report) throw new NotFoundException({ statusCode: 404, message: `lead ${id} not found` });
    return report;
  }
}
