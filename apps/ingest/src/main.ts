import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ingestEnvSchema, loadConfig } from '@leadpipe/config';
import { exitAfterGracePeriod } from '@leadpipe/kafka';
import { IngestModule } from './ingest.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(ingestEnvSchema);
  const app = await NestFactory.create(IngestModule.register(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  exitAfterGracePeriod(config.SHUTDOWN_TIMEOUT_MS);
  await app.listen(config.INGEST_PORT, '0.0.0.0');
}

void bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
