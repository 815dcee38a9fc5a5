import { GenericWebhookController } from './generic-webhook.controller';
import { HubSpotWebhookController } from './hubspot-webhook.controller';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookMetrics } from './webhook.metrics';

/** The webhook routes (`POST /api/webhooks/leads`, `POST /api/webhooks/hubspot`); they need LeadsService. */
export const WEBHOOK_CONTROLLERS = [GenericWebhookController, HubSpotWebhookController];
export const WEBHOOK_PROVIDERS = [WebhookDeliveryService, WebhookMetrics];
