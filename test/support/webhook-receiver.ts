export { HOLD, WebhookReceiver, type ReceivedWebhook, type RejectedWebhook } from '../../tools/harness';
