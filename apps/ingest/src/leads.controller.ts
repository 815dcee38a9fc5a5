import { BadRequestException, Body, Controller, Get, Headers, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { parseCreateLeadBody } from './create-lead.dto';
import { AcceptedLead, LeadsService, LeadView } from './leads.service';
import { IngestMetrics, rejectionReason } from './ingest.metrics';

@Controller('api/leads')
export class LeadsController {
  constructor(
    private readonly leads: LeadsService,
    private readonly metrics: IngestMetrics,
  ) {}

  /** Accepts one lead; 202 once it is durable. */
  @Post()
  @HttpCode(202)
  async create(@Body() body: unknown, @Headers('x-correlation-id') correlationId?: string): Promise<AcceptedLead> {
    const parsed = parseCreateLeadBody(body);
    if (!parsed.ok) {
      this.metrics.requestsRejected.inc({ reason: rejectionReason(parsed.errors) });
      throw new BadRequestException({ statusCode: 400, message: 'Validation failed', errors: parsed.errors });
    }
    return this.leads.accept(parsed.value, correlationId?.slice(0, 128) || randomUUID());
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string): Promise<LeadView> {
    const lead = await this.leads.find(id);
    if (!lead) throw new NotFoundException({ statusCode: 404, message: `lead ${id} not found` });
    return lead;
  }
}
