import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { Request } from 'express';
import type { FieldError } from '../create-lead.dto';
import { parseDeadLetterId, parseDeadLetterListQuery, parseReplayAllBody, parseReplayQuery } from './dead-letter-list.query';
import { DeadLetterPage, DeadLettersService, DeadLetterView, ReplayAllReport, ReplayedAnswer } from './dead-letters.service';
import { RequireScope } from '../auth/scopes.decorator';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-docs';

/** Operators' view of the dead letters the validator recorded, and the way back into the pipeline. */
@ApiTags('dead letters')
@Controller('api/dead-letters')
@RequireScope('admin')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  /** Newest first, filtered by `stage`, `code` (comma-separated), `lead_id`, `replayed`; `limit` and `cursor` page. */
  @Get()
  @ApiOperation({ summary: 'List dead letters, newest first, with their reasons', description: 'Scope `admin`.' })
  @ApiQuery({ name: 'stage', required: false })
  @ApiQuery({ name: 'code', required: false, description: 'error codes, comma-separated' })
  @ApiQuery({ name: 'lead_id', required: false })
  @ApiQuery({ name: 'replayed', required: false, type: Boolean })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiErrors(400)
  async list(@Query() query: Record<string, unknown>): Promise<DeadLetterPage> {
    return this.deadLetters.list(valid(parseDeadLetterListQuery(query)));
  }

  /**
   * Replays every dead letter not replayed yet that matches the optional JSON body
   * (`stage`, `code`, `lead_id`); 202 with how many went back and which could not.
   */
  @Post('replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay every dead letter not replayed yet that matches the optional filters', description: 'Scope `admin`. Body (optional): `{ stage?, code?, lead_id? }`. 202 with `{ replayed, unreplayable: [{ id, reason }] }`.' })
  @ApiErrors(400, 415)
  async replayAll(@Body() body: unknown, @Req() req: Request): Promise<ReplayAllReport> {
    // No body at all means "everything"; a body must be JSON.
    if (hasBody(req) && !req.is(['application/json', 'application/*+json'])) {
      throw new UnsupportedMediaTypeException({ statusCode: 415, message: `Content-Type must be application/json (got ${req.headers['content-type'] ?? 'none'})` });
    }
    return this.deadLetters.replayAll(valid(parseReplayAllBody(hasBody(req) ? body : undefined)));
  }

  /** One dead letter with its original message. */
  @Get(':id')
  @ApiOperation({ summary: 'One dead letter, with its original message', description: 'Scope `admin`.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiErrors(400, 404)
  async get(@Param('id') rawId: string): Promise<DeadLetterView> {
    const id = valid(parseDeadLetterId(rawId));
    const letter = await this.deadLetters.find(id);
    if (!letter) throw notFound(id);
    return letter;
  }

  /**
   * Puts one dead letter's event back into the pipeline: 202 once it is durable (in the outbox);
   * 409 when it cannot be replayed or was replayed before (`?force=true` replays it again).
   */
  @Post(':id/replay')
  @ApiOperation({ summary: "Put one dead letter's event back into the pipeline", description: 'Scope `admin`. 202 once durable (outbox); 409 when it cannot go back or was replayed before (`?force=true` replays it again).' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiQuery({ name: 'force', required: false, type: Boolean })
  @ApiErrors(400, 404, 409)
  @HttpCode(202)
  async replay(@Param('id') rawId: string, @Query() query: Record<string, unknown>): Promise<ReplayedAnswer> {
    const errors: FieldError[] = [];
    const id = parseDeadLetterId(rawId);
    if (!id.ok) errors.push(...id.errors);
    const options = parseReplayQuery(query);
    if (!options.ok) errors.push(...options.errors);
    if (!id.ok || !options.ok) throw validationFailed(errors);
    const outcome = await this.deadLetters.replay(id.value, options.value.force);
    switch (outcome.status) {
      case 'replayed':
        return outcome.answer;
      case 'not_found':
        throw notFound(id.value);
      case 'already_replayed':
        throw new ConflictException({
          statusCode: 409,
          message: `dead letter ${id.value} was already replayed at ${outcome.replayedAt}; add ?force=true to replay it again`,
          reason: 'already replayed',
          replayed_at: outcome.replayedAt,
        });
      case 'unreplayable':
        throw new ConflictException({ statusCode: 409, message: `dead letter ${id.value} cannot be replayed: ${outcome.reason}`, reason: outcome.reason });
    }
  }
}

function valid<T>(parsed: { ok: true; value: T } | { ok: false; errors: FieldError[] }): T {
  if (!parsed.ok) throw validationFailed(parsed.errors);
  return parsed.value;
}

function validationFailed(errors: FieldError[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, message: 'Validation failed', errors });
}

function notFound(id: string): NotFoundException {
  return new NotFoundException({ statusCode: 404, message: `dead letter ${id} not found` });
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
