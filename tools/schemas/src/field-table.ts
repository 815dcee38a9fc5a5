import { asSchema, JsonSchema, NOT_BLANK, propertyPaths } from './event-schemas';

/**
 * A Markdown table of an event's fields, read from its JSON Schema: what other teams look at
 * instead of the schema file. Only keywords the contracts produce are rendered; the long
 * patterns zod adds next to a `format` say the same as the format.
 */
export function fieldTable(schema: JsonSchema): string {
  const rows = propertyPaths(schema).map(([path, property]) => {
    const parentPath = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    const parent = parentPath ? propertyPaths(schema).find(([p]) => p === parentPath)![1] : schema;
    const name = path.slice(parentPath ? parentPath.length + 1 : 0);
    return [`\`${path}\``, typeOf(property), requiredness(parent, name, property), property.description ?? ''];
  });
  return [
    '| field | type | required | meaning |',
    '|---|---|---|---|',
    ...rows.map((cells) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ].join('\n');
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' or ');
  if (schema.anyOf && schema.type === undefined) return schema.anyOf.map(typeOf).join(' or ');
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'any'];
  const rules: string[] = [];
  if (schema.format) rules.push(schema.format === 'date-time' ? 'RFC 3339 date-time' : schema.format);
  if (schema.pattern === NOT_BLANK) rules.push('not blank');
  if (schema.minLength === 1 && schema.pattern !== NOT_BLANK) rules.push('not empty');
  if (schema.minLength !== undefined && schema.minLength > 1) rules.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) rules.push(`at most ${schema.maxLength} characters`);
  if (schema.type === 'integer' && schema.minimum !== undefined && schema.minimum > Number.MIN_SAFE_INTEGER) rules.push(`≥ ${schema.minimum}`);
  if (schema.type === 'integer' && schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER) rules.push(`≤ ${schema.maximum}`);
  return `${types.join(' or ')}${rules.length > 0 ? ` (${rules.join(', ')})` : ''}`;
}

function requiredness(parent: JsonSchema, name: string, property: JsonSchema): string {
  if (parent.required?.includes(name)) return 'yes';
  if (property.default !== undefined) return `no, default \`${JSON.stringify(property.default)}\``;
  const alternatives = (parent.anyOf ?? []).flatMap((branch) => asSchema(branch)?.required ?? []);
  if (alternatives.includes(name)) return `at least one of ${alternatives.map((a) => `\`${a}\``).join(', ')}`;
  return 'no';
}

const BEGIN = (id: string): string => `<!-- BEGIN generated ${id} (npm run schemas) -->`;
const END = (id: string): string => `<!-- END generated ${id} -->`;

/** Replaces what is between the `id` markers of a hand-written document. */
export function replaceGenerated(document: string, id: string, content: string): string {
  const start = document.indexOf(BEGIN(id));
  const end = document.indexOf(END(id));
  if (start === -1 || end < start) throw new Error(`the document has no "${BEGIN(id)}" … "${END(id)}" markers`);
  return `${document.slice(0, start + BEGIN(id).length)}\n${content}\n${document.slice(end)}`;
}
