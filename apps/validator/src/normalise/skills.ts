import { caseKey, cleanText } from './text';

/**
 * Skills as Netrows sends them (`[{ name }]`, or plain strings): trimmed, empties dropped,
 * duplicates removed case-insensitively keeping the first spelling ("TypeScript" over
 * "typescript"), in the order given.
 */
export function normaliseSkills(input: unknown): string[] {
  if (!Array.isArray(input)) return [];
  const seen = new Map<string, string>();
  for (const item of input as unknown[]) {
    const name = cleanText(typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : item);
    if (name === null) continue;
    const key = caseKey(name);
    if (!seen.has(key)) seen.set(key, name);
  }
  return [...seen.values()];
}
