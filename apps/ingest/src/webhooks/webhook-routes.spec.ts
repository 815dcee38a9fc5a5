import { ServerResponse } from 'node:http';
import { IngestEnv } from '@leadpipe/config';
import { MetricsRegistry } from '@leadpipe/observability';
import { LeadsService } from '../leads.service';
import { GenericWebhookController } from './generic-webhook.controller';
import { HubSpotWebhookController } from './hubspot-webhook.controller';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookMetrics } from './webhook.metrics';
import { WebhookRequest } from './webhook-request';

describe('a webhook route without its secret', () => {
  const registry = new MetricsRegistry({});
  const metrics = new WebhookMetrics(registry);
  const deliveries = new WebhookDeliveryService({} as LeadsService, metrics);
  const config = { INGEST_WEBHOOK_SECRETS: [], INGEST_HUBSPOT_CLIENT_SECRET: [] } as unknown as IngestEnv;
  const req = { headers: { 'content-type': 'application/json' }, body: { email: 'a@acme.com' } } as unknown as WebhookRequest;
  const res = {} as ServerResponse;

  it.each([
    ['POST /api/webhooks/leads', () => new GenericWebhookController(deliveries, config).receive(req, res), /INGEST_WEBHOOK_SECRETS is not set/],
    ['POST /api/webhooks/hubspot', () => new HubSpotWebhookController(deliveries, metrics, config).receive(req, res), /INGEST_HUBSPOT_CLIENT_SECRET is not set/],
  ])('%s answers 404, saying which variable turns it on', async (_route, call, message) => {
    await expect(call()).rejects.toMatchObject({ status: 404, response: { statusCode: 404, message: expect.stringMatching(message) } });
  });

  it('counts those refusals as disabled', async () => {
    const metric = await registry.getSingleMetric('leadpipe_ingest_webhook_deliveries_total')!.get();
    expect(metric.values.map((v) => [v.labels.source, v.labels.result, v.value])).toEqual([
      ['generic', 'disabled', 1],
      ['hubspot', 'disabled', 1],
    ]);
  });
});
