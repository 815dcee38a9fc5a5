import { Controller, Headers, HttpCode, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ServerResponse } from 'node:http';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { FieldError } from '../create-lead.dto';
import { AcceptedLead } from '../leads.service';
import { HubSpotSkipped, mapHubSpotPayload } from './hubspot.mapper';
import { verifyHubSpotV3 } from './hubspot.signature';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { sha256 } from '../idempotency';
import { WebhookMetrics } from './webhook.metrics';
import { WebhookRejection } from './webhook-rejection';
import { rawBodyOf, requestUrl, WebhookRequest } from './webhook-request';
import { PublicRoute } from '../auth/scopes.decorator';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-docs';

export interface HubSpotWebhookAnswer {
  delivery: 'accepted' | 'replayed';
  /** One per contact that became a lead, with its HubSpot id. */
  leads: Array<AcceptedLead & { hubspot_contact: string }>;
  /** Properties left out of a lead because their value was unusable. */
  dropped: Array<FieldError & { hubspot_contact: string }>;
  /** Contacts (Webhooks API events) that could not become leads. */
  skipped: Array<{ hubspot_contact: string; errors: FieldError[] }>;
  /** Webhooks API events that carry no e-mail or LinkedIn URL (other subscriptions, other properties). */
  ignored_events: number;
}

/**
 * `POST /api/webhooks/hubspot`: contacts from HubSpot, signed with the app's client secret
 * (`X-HubSpot-Signature-v3`). Takes a workflow's "Send a webhook" action (one contact) and
 * Webhooks API property-change events; see `hubspot.mapper.ts` and README.md in this folder.
 */
/** Authenticated by the sender's signature, not by an API key. */
@ApiTags('webhooks')
@Controller('api/webhooks')
@PublicRoute()
export class HubSpotWebhookController {
  private readonly logger = new Logger(HubSpotWebhookController.name);

  constructor(
    private readonly deliveries: WebhookDeliveryService,
    private readonly metrics: WebhookMetrics,
    @Inject(APP_CONFIG) private readonly config: IngestEnv,
  ) {}

  @Post('hubspot')
  @ApiOperation({
    summary: 'Contacts from HubSpot (workflow "Send a webhook", or Webhooks API property changes)',
    description: 'No API key: HubSpot signature v3 (`X-HubSpot-Signature-v3` over method, URL, body and timestamp with the app secret, INGEST_HUBSPOT_CLIENT_SECRET). Contacts map to leads (email, firstname, lastname, website, hs_linkedin_url). 404 while no secret is configured.',
  })
  @ApiHeader({ name: 'X-HubSpot-Signature-v3', required: true })
  @ApiHeader({ name: 'X-HubSpot-Request-Timestamp', required: true, description: 'Unix milliseconds; refused when older than INGEST_WEBHOOK_TOLERANCE_SECONDS' })
  @ApiResponse({ status: 202, description: 'accepted' })
  @ApiResponse({ status: 200, description: 'a repeat of an accepted delivery, or nothing to make a lead of' })
  @ApiErrors(400, 401, 404, 409, 413, 415, 503)
  @HttpCode(202)
  async receive(
    @Req() req: WebhookRequest,
    @Res({ passthrough: true }) res: ServerResponse,
    @Headers('x-correlation-id') correlationId?: string,
  ): Promise<HubSpotWebhookAnswer> {
    const answer = await this.deliveries.track('hubspot', async () => {
      if (this.config.INGEST_HUBSPOT_CLIENT_SECRET.length === 0) {
        throw WebhookRejection.disabled('POST /api/webhooks/hubspot is turned off: INGEST_HUBSPOT_CLIENT_SECRET is not set');
      }
      const rawBody = rawBodyOf(req);
      verifyHubSpotV3({
        headers: req.headers,
        method: req.method ?? 'POST',
        uri: this.config.INGEST_HUBSPOT_WEBHOOK_URL ?? requestUrl(req),
        rawBody,
        clientSecrets: this.config.INGEST_HUBSPOT_CLIENT_SECRET,
        toleranceSeconds: this.config.INGEST_WEBHOOK_TOLERANCE_SECONDS,
        nowMs: Date.now(),
      });
      const mapping = mapHubSpotPayload(req.body);
      if (!mapping.ok) throw WebhookRejection.invalidBody(mapping.errors);

      let outcome: { replayed: boolean; leads: AcceptedLead[] } = { replayed: false, leads: [] };
      if (mapping.leads.length > 0) {
        // HubSpot has no delivery id. A retry re-signs the same content with a new timestamp and,
        // for Webhooks API events, a higher attemptNumber: the content without it is the key.
        const key = mapping.format === 'workflow' ? `workflow:${sha256(rawBody)}` : `events:${sha256(eventsWithoutAttempt(req.body))}`;
        outcome = await this.deliveries.accept({
          source: 'hubspot',
          key,
          fingerprint: key,
          leads: mapping.leads.map((l) => l.lead),
          correlationId: correlationId?.slice(0, 128) || randomUUID(),
        });
      }
      if (!outcome.replayed && mapping.skipped.length > 0) this.reportSkipped(mapping.skipped);
      return { ...outcome, mapping };
    });
    // A replay gets the first answer's leads; events that made no lead leave HubSpot nothing to retry.
    if (answer.replayed || answer.leads.length === 0) res.statusCode = 200;
    const { mapping } = answer;
    return {
      delivery: answer.replayed ? 'replayed' : 'accepted',
      leads: answer.leads.map((lead, i) => ({ ...lead, hubspot_contact: mapping.leads[i].contact })),
      dropped: mapping.leads.flatMap((l) => l.dropped.map((d) => ({ ...d, hubspot_contact: l.contact }))),
      skipped: mapping.skipped.map((s) => ({ hubspot_contact: s.contact, errors: s.errors })),
      ignored_events: mapping.ignoredEvents,
    };
  }

  private reportSkipped(skipped: HubSpotSkipped[]): void {
    this.metrics.contactsSkipped.inc({ source: 'hubspot' }, skipped.length);
    // Contact ids and reasons only: the values (e-mail addresses) stay out of the logs.
    this.logger.warn(
      `hubspot webhook: ${skipped.length} contact(s) skipped, no usable e-mail or LinkedIn URL: ${skipped
        .slice(0, 10)
        .map((s) => `${s.contact} (${s.errors.map((e) => `${e.field}: ${e.reason}`).join('; ')})`)
        .join(', ')}`,
    );
  }
}

/** The events as sent, minus `attemptNumber`, which is all that differs between HubSpot's retries. */
function eventsWithoutAttempt(body: unknown): string {
  return JSON.stringify((body as Array<Record<string, unknown>>).map(({ attemptNumber: _attempt, ...event }) => event));
}
