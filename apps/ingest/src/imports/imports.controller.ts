import {
  BadRequestException,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import isUUID from 'validator/lib/isUUID';
import { CsvImportError, ImportFailureCode } from './csv-import.error';
import { CsvImportService, ImportFailedError } from './csv-import.service';
import { ImportSummary, ImportView } from './import.view';
import { RequireScope } from '../auth/scopes.decorator';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-docs';

const STATUS_OF: Record<ImportFailureCode, HttpStatus> = {
  unsupported_media_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  no_file: HttpStatus.BAD_REQUEST,
  malformed_multipart: HttpStatus.BAD_REQUEST,
  empty_file: HttpStatus.BAD_REQUEST,
  no_identity_column: HttpStatus.BAD_REQUEST,
  unreadable_csv: HttpStatus.BAD_REQUEST,
  client_disconnected: HttpStatus.BAD_REQUEST,
  byte_limit: HttpStatus.PAYLOAD_TOO_LARGE,
  row_limit: HttpStatus.PAYLOAD_TOO_LARGE,
  superseded: HttpStatus.CONFLICT,
  stopped: HttpStatus.SERVICE_UNAVAILABLE,
  storage_failed: HttpStatus.SERVICE_UNAVAILABLE,
};

@ApiTags('imports')
@Controller('api')
@RequireScope('read')
export class ImportsController {
  constructor(private readonly imports: CsvImportService) {}

  /**
   * Imports a CSV of leads, streamed: `text/csv`, or `multipart/form-data` with one file. 202
   * with the summary once every row is handled. A failure midway answers with the failure's
   * status and the summary of what was committed (`import`): those rows stay accepted.
   */
  @Post('leads/import')
  @RequireScope('ingest')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Import a CSV of leads, streamed',
    description: 'Scope `ingest`. The body is the file (`text/csv`) or a multipart form with one file. Headers are matched case-insensitively; valid rows are accepted in chunks while invalid ones are listed with their row number. A failure midway answers with its status and `import`, the committed part (those rows stay accepted); resume with the same X-Import-Id.',
  })
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiBody({ description: 'the CSV (header row first)', schema: { type: 'string', format: 'binary' } })
  @ApiHeader({ name: 'X-Import-Id', required: false, description: 'a UUID chosen by the client: follow the import and resume it after a broken upload' })
  @ApiResponse({ status: 202, description: '`{ import_id, status, rows, accepted, rejected, blank, errors: [{ row, line, field, reason }], errors_truncated }`' })
  @ApiErrors(400, 413, 415, 503)
  async import(
    @Req() req: IncomingMessage,
    @Res({ passthrough: true }) res: ServerResponse,
    @Headers('x-import-id') importId?: string,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<ImportSummary> {
    try {
      if (importId !== undefined && !isUUID(importId)) {
        throw new BadRequestException({ statusCode: 400, message: 'X-Import-Id must be a UUID' });
      }
      const summary = await this.imports.importCsv(req, { importId: importId?.toLowerCase(), correlationId: correlationId?.slice(0, 128) });
      res.setHeader('Location', `/api/imports/${summary.import_id}`);
      return summary;
    } catch (error) {
      // A client still sending would not see the answer: read the rest first, or close if that is too much.
      if (!(await this.imports.discardRest(req, error))) res.setHeader('Connection', 'close');
      const answer = asHttpException(error);
      // Resuming with the same X-Import-Id continues where this stopped.
      if (answer instanceof HttpException && answer.getStatus() === 503) res.setHeader('Retry-After', '10');
      throw answer;
    }
  }

  /** An import's record and where its leads stand, to follow it. */
  @Get('imports/:id')
  @ApiOperation({ summary: "An import's record and where its leads stand", description: 'Scope `read`.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiErrors(400, 404)
  async get(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string): Promise<ImportView> {
    const view = await this.imports.find(id);
    if (!view) throw new NotFoundException({ statusCode: 404, message: `import ${id} not found` });
    return view;
  }
}

function asHttpException(error: unknown): unknown {
  if (error instanceof ImportFailedError) {
    const status = STATUS_OF[error.failure.code];
    return new HttpException({ statusCode: status, code: error.failure.code, message: error.message, import: error.summary }, status);
  }
  if (error instanceof CsvImportError) {
    const status = STATUS_OF[error.code];
    return new HttpException({ statusCode: status, code: error.code, message: error.message }, status);
  }
  return error;
}
