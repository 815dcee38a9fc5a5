import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Query, Res, UnprocessableEntityException, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { LEAD_STATUSES } from '@leadpipe/contracts';
import { RequireScope } from './auth/scopes.decorator';
import { CreateLeadBody, createLeadBodySchema, FieldError, parseCreateLeadBatch, parseCreateLeadBody } from './create-lead.dto';
import { IdempotencyKeyReusedError, idempotencyKeyFrom, requestHash } from './idempotency';
import { IngestMetrics, rejectionReason } from './ingest.metrics';
import { LeadEventsService, writeEventStream } from './lead-events.service';
import { parseLeadListQuery } from './lead-list.query';
import { AcceptedLead, LeadPage, LeadsService, LeadView } from './leads.service';
import { ApiCorrelationId, ApiErrors, ApiIdempotencyKey, ApiJsonBody } from './openapi/api-docs';

const ACCEPTED_LEAD = { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, status: { type: 'string', enum: ['received'] } } };
const LEAD_ID_PARAM = ApiParam({ name: 'id', format: 'uuid', description: 'the lead id ingest answered with' });

/** 415 unless the body was sent as JSON (`application/json`, or `application/*+json`). */
function requireJson(req: Request): void {
  if (!req.is(['application/json', 'application/*+json'])) {
    throw new UnsupportedMediaTypeException({
      statusCode: 415,
      message: `Content-Type must be application/json (got ${req.headers['content-type'] ?? 'none'})`,
    });
  }
}

export interface AcceptedBatch {
  accepted: number;
  leads: AcceptedLead[];
}

@ApiTags('leads')
@Controller('api/leads')
@RequireScope('read')
export class LeadsController {
  constructor(
    private readonly leads: LeadsService,
    private readonly metrics: IngestMetrics,
    private readonly leadEvents: LeadEventsService,
    @Inject(APP_CONFIG) private readonly config: IngestEnv,
  ) {}

  /** Accepts one lead; 202 once it is durable. */
  @Post()
  @RequireScope('ingest')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send one lead', description: 'Scope `ingest`. 202 once the lead and its event are durable (PostgreSQL outbox): it is processed even if Kafka is down now.' })
  @ApiJsonBody(createLeadBodySchema, 'one lead; at least one of `email` or `linkedin_url`; unknown fields are refused')
  @ApiIdempotencyKey()
  @ApiCorrelationId()
  @ApiResponse({ status: 202, description: 'accepted', schema: ACCEPTED_LEAD })
  @ApiErrors(400, 409, 413, 415, 422)
  async create(
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-correlation-id') correlationId?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<AcceptedLead> {
    requireJson(res.req);
    const key = idempotencyKeyFrom(idempotencyKey);
    const parsed = parseCreateLeadBody(body);
    if (!parsed.ok) this.reject(parsed.errors);
    return this.accept([parsed.value], 'POST /api/leads', body, key, correlationId, res, ([lead]) => lead);
  }

  /** Accepts up to `INGEST_BATCH_MAX_LEADS` leads at once, all or none; 202 once they are durable. */
  @Post('batch')
  @RequireScope('ingest')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send up to INGEST_BATCH_MAX_LEADS leads at once', description: 'Scope `ingest`. Stored whole or not at all: one invalid lead refuses the batch, and the 400 names each by index (`leads[3].email`).' })
  @ApiJsonBody(z.object({ leads: z.array(createLeadBodySchema).min(1).max(1_000) }), 'the leads, each as for one')
  @ApiIdempotencyKey()
  @ApiCorrelationId()
  @ApiResponse({ status: 202, description: 'accepted', schema: { type: 'object', properties: { accepted: { type: 'integer' }, leads: { type: 'array', items: ACCEPTED_LEAD } } } })
  @ApiErrors(400, 409, 413, 415, 422)
  async createBatch(
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-correlation-id') correlationId?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<AcceptedBatch> {
    requireJson(res.req);
    const key = idempotencyKeyFrom(idempotencyKey);
    const parsed = parseCreateLeadBatch(body, this.config.INGEST_BATCH_MAX_LEADS);
    if (!parsed.ok) this.reject(parsed.errors);
    return this.accept(parsed.value, 'POST /api/leads/batch', body, key, correlationId, res, (leads) => ({ accepted: leads.length, leads }));
  }

  /** Leads newest first, filtered by `status` (comma-separated), `min_score`, `max_score`, `received_since`; `limit` and `cursor` page. */
  @Get()
  @ApiOperation({ summary: 'List leads, newest first', description: 'Scope `read`. Keyset pagination: pass `next_cursor` back as `cursor`.' })
  @ApiQuery({ name: 'status', required: false, description: `comma-separated: ${LEAD_STATUSES.join(', ')}` })
  @ApiQuery({ name: 'min_score', required: false, type: Number })
  @ApiQuery({ name: 'max_score', required: false, type: Number })
  @ApiQuery({ name: 'received_since', required: false, description: 'ISO 8601 date-time' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-500, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiResponse({ status: 200, description: '`data` (leads without their enrichment) and `next_cursor` (null on the last page)' })
  @ApiErrors(400)
  async list(@Query() query: Record<string, unknown>): Promise<LeadPage> {
    const parsed = parseLeadListQuery(query);
    if (!parsed.ok) throw new BadRequestException({ statusCode: 400, message: 'Validation failed', errors: parsed.errors });
    return this.leads.list(parsed.value);
  }

  /** Enriches the lead again with fresh provider data (its cached answers are replaced); 202. */
  @Post(':id/refresh')
  @RequireScope('admin')
  @HttpCode(202)
  @ApiOperation({ summary: 'Enrich a lead again with fresh provider data', description: 'Scope `admin` (it costs credits). Its cached answers are bought again and replaced; the lead is `received` until the new result is stored.' })
  @LEAD_ID_PARAM
  @ApiResponse({ status: 202, description: 'the refresh is durable', schema: ACCEPTED_LEAD })
  @ApiErrors(400, 404)
  async refresh(
    @Param('id', new ParseUUIDPipe({ version: undefined })) id: string,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<AcceptedLead> {
    const lead = await this.leads.refresh(id, correlationId?.slice(0, 128) || randomUUID());
    if (!lead) throw new NotFoundException({ statusCode: 404, message: `lead ${id} not found` });
    return lead;
  }

  /**
   * Server-Sent Events: the lead now (`status`), again on every change, then `done` once it is
   * terminal and the stream ends. 404 for an unknown lead (checked before the stream starts).
   */
  @Get(':id/events')
  @ApiOperation({
    summary: 'Live status (Server-Sent Events)',
    description: 'Scope `read`. `status` events with the lead now and on every change, then `done` once it is terminal and the stream ends; `ping` every 15 s.',
  })
  @ApiProduces('text/event-stream')
  @LEAD_ID_PARAM
  @ApiErrors(400, 404)
  async events(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string, @Res() res: Response): Promise<void> {
    if (!(await this.leads.find(id))) throw new NotFoundException({ statusCode: 404, message: `lead ${id} not found` });
    writeEventStream(res, this.leadEvents.watch(id));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One lead: status, reasons, score, input, and the enrichment with its provider and fetch time', description: 'Scope `read`.' })
  @LEAD_ID_PARAM
  @ApiErrors(400, 404)
  async get(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string): Promise<LeadView> {
    const lead = await this.leads.find(id);
    if (!lead) throw new NotFoundException({ statusCode: 404, message: `lead ${id} not found` });
    return lead;
  }

  private reject(errors: FieldError[]): never {
    this.metrics.requestsRejected.inc({ reason: rejectionReason(errors) });
    throw new BadRequestException({ statusCode: 400, message: 'Validation failed', errors });
  }

  private async accept<T>(
    bodies: CreateLeadBody[],
    scope: string,
    rawBody: unknown,
    key: string | undefined,
    correlationId: string | undefined,
    res: Response,
    answer: (leads: AcceptedLead[]) => T,
  ): Promise<T> {
    const correlation = correlationId?.slice(0, 128) || randomUUID();
    if (key === undefined) return answer(await this.leads.acceptMany(bodies, correlation, 'api'));
    const result = await this.leads
      .acceptIdempotently(bodies, correlation, 'api', { scope, key, requestHash: requestHash(rawBody) }, (leads) => ({ statusCode: 202, body: answer(leads) }))
      .catch((error: unknown) => {
        if (!(error instanceof IdempotencyKeyReusedError)) throw error;
        throw new UnprocessableEntityException({
          statusCode: 422,
          message: 'Idempotency-Key was already used with a different request body',
          errors: [{ field: 'Idempotency-Key', reason: 'already used with a different request body' }],
        });
      });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.statusCode);
    return result.body;
  }
}
