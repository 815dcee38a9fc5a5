import 'reflect-metadata';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ingestEnvSchema, loadConfig } from '@leadpipe/config';
import { closeOnSignal } from '@leadpipe/kafka';
import { IngestModule } from './ingest.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(ingestEnvSchema);
  const app = await NestFactory.create(IngestModule.register(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  closeOnSignal(app, config.SHUTDOWN_TIMEOUT_MS);
  // A CSV upload arrives only as fast as it is imported; Node would cut it after 300 s.
  (app.getHttpServer() as Server).requestTimeout = config.INGEST_HTTP_REQUEST_TIMEOUT_MS;
  await app.listen(config.INGEST_PORT, '0.0.0.0');
}

void bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
