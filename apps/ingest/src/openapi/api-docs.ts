import { applyDecorators, INestApplication } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiResponse, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * OpenAPI for ingest, generated from the code: Nest's routes and these decorators, with the
 * request bodies taken from the same zod schemas that validate them. Served by ingest as a
 * docs UI at `/docs` and as JSON at `/docs/openapi.json`.
 */
export const DOCS_PATH = 'docs';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('leadpipe ingest API')
    .setDescription(
      [
        'The front door of the lead-enrichment pipeline: send leads (one, a batch, a CSV, a signed CRM webhook), follow them, and operate the pipeline (refresh, erasure, dead letters).',
        '',
        'Every `/api` route except the webhooks needs an API key with the scope named in its description (`ingest`, `read` or `admin`; `admin` keys pass every scope), sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`.',
        'Errors are JSON: `{ statusCode, message, errors?: [{ field, reason }] }`; a 400 names every invalid field.',
      ].join('\n'),
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key (`npm run api-keys -- create ...`)' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'the same API key, in its own header' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  // The API only: probes and the metrics scrape are for the platform (see README, Operations).
  document.paths = Object.fromEntries(Object.entries(document.paths).filter(([path]) => path.startsWith('/api/')));
  return document;
}

/** Serves the docs UI and the JSON document (no API key needed: it holds no data). */
export function setupApiDocs(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), { jsonDocumentUrl: `${DOCS_PATH}/openapi.json`, yamlDocumentUrl: `${DOCS_PATH}/openapi.yaml` });
}

/** A zod schema as the JSON Schema of what a client sends (before defaults and transforms). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The error answer every route shares. */
export const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    message: { type: 'string' },
    errors: {
      type: 'array',
      description: 'every invalid field, with the reason',
      items: { type: 'object', properties: { field: { type: 'string', example: 'email' }, reason: { type: 'string', example: 'must be a valid e-mail address' } } },
    },
  },
  required: ['statusCode', 'message'],
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'invalid request: `errors` names every invalid field',
  401: 'no API key, or one that is unknown, malformed or revoked',
  403: 'the API key lacks the scope this route needs',
  404: 'no such resource',
  409: 'conflict with the current state (see `message`)',
  413: 'the body is over the size limit',
  415: 'wrong Content-Type',
  422: 'the Idempotency-Key was used before with another body',
  429: 'throttled: too many requests for this API key (see Retry-After)',
  503: 'a dependency is unavailable; nothing was stored, retry',
};

/** Documents error answers with the shared schema. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'error', schema: ERROR_SCHEMA })));
}

/** A JSON request body documented from its zod schema. */
export function ApiJsonBody(schema: z.ZodType, description: string): MethodDecorator {
  return ApiBody({ description, schema: jsonSchemaOf(schema) });
}

export const ApiIdempotencyKey = (): MethodDecorator =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: '1-255 visible ASCII characters. Repeating the request with the same key and body returns the first answer (with `Idempotent-Replayed: true`) and stores nothing new; the same key with another body gets 422. Kept INGEST_IDEMPOTENCY_TTL_HOURS.',
  });

export const ApiCorrelationId = (): MethodDecorator =>
  ApiHeader({ name: 'X-Correlation-Id', required: false, description: 'follows the lead through every service\'s logs; one is made up when absent' });
