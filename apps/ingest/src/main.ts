import 'reflect-metadata';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ingestEnvSchema, loadConfig } from '@leadpipe/config';
import { closeOnSignal } from '@leadpipe/kafka';
import { httpTracing, startTracing } from '@leadpipe/observability';
import { IngestModule } from './ingest.module';
import { setupApiDocs } from './openapi/api-docs';

async function bootstrap(): Promise<void> {
  const config = loadConfig(ingestEnvSchema);
  // Off unless an OTLP endpoint is configured; first, so every request gets its span.
  startTracing('ingest', config);
  // rawBody: webhook signatures are checked on the bytes received, not on re-serialised JSON.
  const app = await NestFactory.create<NestExpressApplication>(IngestModule.register(config), { bufferLogs: true, rawBody: true });
  // Larger JSON bodies than Express's 100 KB default (a 1,000-lead batch, a HubSpot contact with
  // its property history); beyond the limit, 413.
  app.useBodyParser('json', { limit: config.INGEST_JSON_BODY_LIMIT_BYTES });
  app.useLogger(app.get(Logger));
  app.use(httpTracing());
  closeOnSignal(app, config.SHUTDOWN_TIMEOUT_MS);
  // OpenAPI from the code: the docs UI at /docs, the document at /docs/openapi.json.
  setupApiDocs(app);
  // A CSV upload arrives only as fast as it is imported; Node would cut it after 300 s.
  (app.getHttpServer() as Server).requestTimeout = config.INGEST_HTTP_REQUEST_TIMEOUT_MS;
  await app.listen(config.INGEST_PORT, '0.0.0.0');
}

void bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
