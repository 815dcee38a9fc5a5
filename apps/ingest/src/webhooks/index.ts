import { GenericWebhookController } from './generic-webhook.controller';
import { HubSpotWebhookController } from './hubspot-webhook.controller';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookIdempotencyStore } from './webhook-idempotency.store';
import { WebhookMetrics } from './webhook.metrics';

/** The webhook routes (`POST /api/webhooks/leads`, `POST /api/webhooks/hubspot`); they need LeadsService and Redis. */
export const WEBHOOK_CONTROLLERS = [GenericWebhookController, HubSpotWebhookController];
export const WEBHOOK_PROVIDERS = [WebhookDeliveryService, WebhookIdempotencyStore, WebhookMetrics];
