import { NestFactory } from '@nestjs/core';
import { INestApplication } from '@nestjs/common';
import { OpenAPIObject } from '@nestjs/swagger';
import { ingestEnvSchema, loadConfig } from '@leadpipe/config';
import { IngestModule } from '../ingest.module';
import { buildOpenApiDocument } from './api-docs';

/** The OpenAPI document, built from the code without any infrastructure (Nest's preview mode). */
describe('ingest OpenAPI document', () => {
  let app: INestApplication;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    app = await NestFactory.create(IngestModule.register(loadConfig(ingestEnvSchema, {})), { preview: true, logger: false, abortOnError: false });
    doc = buildOpenApiDocument(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      (['get', 'post', 'put', 'patch', 'delete'] as const).flatMap((method) => (item[method] ? [{ path, method, op: item[method] }] : [])),
    );

  it('documents every route ingest serves, each with a summary', () => {
    expect(operations().map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort()).toEqual(
      [
        'DELETE /api/leads/{id}',
        'GET /api/dead-letters',
        'GET /api/dead-letters/{id}',
        'GET /api/imports/{id}',
        'GET /api/leads',
        'GET /api/leads/{id}',
        'GET /api/leads/{id}/events',
        'POST /api/dead-letters/replay',
        'POST /api/dead-letters/{id}/replay',
        'POST /api/leads',
        'POST /api/leads/batch',
        'POST /api/leads/import',
        'POST /api/leads/{id}/refresh',
        'POST /api/webhooks/hubspot',
        'POST /api/webhooks/leads',
      ].sort(),
    );
    for (const { op } of operations()) expect(op.summary).toEqual(expect.any(String));
  });

  it('takes the request bodies from the zod schemas that validate them', () => {
    const body = doc.paths['/api/leads'].post?.requestBody as { content: Record<string, { schema: { properties: Record<string, unknown>; additionalProperties: unknown } }> };
    const schema = body.content['application/json'].schema;
    expect(Object.keys(schema.properties).sort()).toEqual(['company_domain', 'email', 'first_name', 'last_name', 'linkedin_url', 'priority']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('names the scope and the key schemes of every route but the signed webhooks', () => {
    for (const { path, op } of operations()) {
      const scope = (op as unknown as Record<string, unknown>)['x-required-scope'];
      if (path.startsWith('/api/webhooks/')) {
        expect(scope).toBeUndefined();
        expect(op.security ?? []).toEqual([]);
      } else {
        expect(['ingest', 'read', 'admin']).toContain(scope);
        expect(op.security).toEqual(expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]));
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
      }
    }
    expect((doc.paths['/api/leads/{id}'].delete as unknown as Record<string, unknown>)['x-required-scope']).toBe('admin');
  });
});
