import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asyncApiDocument } from './asyncapi-document';
import { EVENT_DOCS, eventJsonSchema, schemaFileName } from './event-schemas';
import { fieldTable, replaceGenerated } from './field-table';

export const SCHEMAS_DIR = 'docs/schemas';
export const ASYNCAPI_FILE = 'docs/asyncapi.json';
export const PRODUCERS_FILE = 'docs/producers.md';

/**
 * Every generated file, by path from the repository root: the JSON Schemas, the AsyncAPI
 * document, and docs/producers.md with its field table refreshed (the rest of it is prose).
 */
export function generateSchemaDocs(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const event of EVENT_DOCS) {
    const schema = eventJsonSchema(event);
    files.set(`${SCHEMAS_DIR}/${schemaFileName(event, schema)}`, json(schema));
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  files.set(ASYNCAPI_FILE, json(asyncApiDocument(EVENT_DOCS, version)));
  const leadReceived = EVENT_DOCS.find((e) => e.name === 'lead-received')!;
  const producers = readFileSync(join(root, PRODUCERS_FILE), 'utf8');
  files.set(PRODUCERS_FILE, replaceGenerated(producers, 'lead-received-fields', fieldTable(eventJsonSchema(leadReceived))));
  return files;
}

export interface SchemaDocsDrift {
  /** Generated files missing on disk or different from it. */
  changed: string[];
  /** Schema files on disk that the contracts no longer produce. */
  stale: string[];
}

export function findDrift(root: string, files: Map<string, string>): SchemaDocsDrift {
  const changed = [...files].filter(([path, content]) => !existsSync(join(root, path)) || readFileSync(join(root, path), 'utf8') !== content);
  return { changed: changed.map(([path]) => path), stale: staleSchemaFiles(root, files) };
}

export function writeSchemaDocs(root: string, files: Map<string, string>): SchemaDocsDrift {
  const drift = findDrift(root, files);
  for (const path of drift.changed) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), files.get(path)!);
  }
  for (const path of drift.stale) rmSync(join(root, path));
  return drift;
}

function staleSchemaFiles(root: string, files: Map<string, string>): string[] {
  const dir = join(root, SCHEMAS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.schema.json'))
    .map((name) => `${SCHEMAS_DIR}/${name}`)
    .filter((path) => !files.has(path));
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
