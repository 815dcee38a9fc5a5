import { Controller, Headers, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ServerResponse } from 'node:http';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { AcceptedLead } from '../leads.service';
import { verifyStandardWebhook } from './standard-webhooks.signature';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { sha256 } from '../idempotency';
import { parseWebhookLeadsBody } from './webhook-leads.body';
import { WebhookRejection } from './webhook-rejection';
import { rawBodyOf, WebhookRequest } from './webhook-request';
import { PublicRoute } from '../auth/scopes.decorator';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-docs';

/** The answer to an accepted delivery (202), or to a retry or replay of one (200, the same leads). */
export interface GenericWebhookAnswer {
  delivery: 'accepted' | 'replayed';
  webhook_id: string;
  leads: AcceptedLead[];
}

/**
 * `POST /api/webhooks/leads`: leads pushed by any system that signs its requests the
 * Standard Webhooks way (see README.md in this folder). The body is one lead or an array of
 * leads in the shape of `POST /api/leads`.
 */
/** Authenticated by the sender's signature, not by an API key. */
@ApiTags('webhooks')
@Controller('api/webhooks')
@PublicRoute()
export class GenericWebhookController {
  constructor(
    private readonly deliveries: WebhookDeliveryService,
    @Inject(APP_CONFIG) private readonly config: IngestEnv,
  ) {}

  @Post('leads')
  @ApiOperation({
    summary: 'Leads from a signed webhook (Standard Webhooks)',
    description: 'No API key: the HMAC-SHA256 signature over `webhook-id.webhook-timestamp.body` with a secret of INGEST_WEBHOOK_SECRETS authenticates it. The body is one lead or an array, as for POST /api/leads. A repeat of an accepted delivery gets 200 with the same lead ids. 404 while no secret is configured.',
  })
  @ApiHeader({ name: 'webhook-id', required: true, description: 'the delivery id (its idempotency key)' })
  @ApiHeader({ name: 'webhook-timestamp', required: true, description: 'Unix seconds; refused outside INGEST_WEBHOOK_TOLERANCE_SECONDS' })
  @ApiHeader({ name: 'webhook-signature', required: true, description: '`v1,<base64 HMAC-SHA256>`, space-separated when several' })
  @ApiResponse({ status: 202, description: 'accepted: `{ leads: [{ id, status }] }`' })
  @ApiResponse({ status: 200, description: 'a repeat of an accepted delivery: the same lead ids, nothing new stored' })
  @ApiErrors(400, 401, 404, 409, 413, 415, 503)
  @HttpCode(202)
  async receive(
    @Req() req: WebhookRequest,
    @Res({ passthrough: true }) res: ServerResponse,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<GenericWebhookAnswer> {
    const answer = await this.deliveries.track('generic', async () => {
      if (this.config.INGEST_WEBHOOK_SECRETS.length === 0) {
        throw WebhookRejection.disabled('POST /api/webhooks/leads is turned off: INGEST_WEBHOOK_SECRETS is not set');
      }
      const rawBody = rawBodyOf(req);
      const verified = verifyStandardWebhook({
        headers: req.headers,
        rawBody,
        keys: this.config.INGEST_WEBHOOK_SECRETS,
        toleranceSeconds: this.config.INGEST_WEBHOOK_TOLERANCE_SECONDS,
        nowMs: Date.now(),
      });
      const parsed = parseWebhookLeadsBody(req.body);
      if (!parsed.ok) throw WebhookRejection.invalidBody(parsed.errors);
      const outcome = await this.deliveries.accept({
        source: 'generic',
        key: verified.id,
        fingerprint: sha256(rawBody),
        leads: parsed.value,
        correlationId: (correlationId || `webhook:${verified.id}`).slice(0, 128),
      });
      return { ...outcome, webhookId: verified.id };
    });
    if (answer.replayed) res.statusCode = 200;
    return { delivery: answer.replayed ? 'replayed' : 'accepted', webhook_id: answer.webhookId, leads: answer.leads };
  }
}
