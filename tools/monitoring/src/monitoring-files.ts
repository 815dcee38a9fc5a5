import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** A metric as docs/metrics.md's tables describe it. */
export interface DocumentedMetric {
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  labels: string[];
}

/** One PromQL expression and where it comes from (for failure messages). */
export interface Expression {
  where: string;
  expr: string;
}

/** A series selector found in an expression: the metric name and the label names it matches on. */
export interface Selector {
  name: string;
  labels: string[];
}

/**
 * The metric tables of docs/metrics.md: every row whose first cell is a backticked metric name,
 * with its type and the backticked label names of its labels cell.
 */
export function parseMetricsTable(markdown: string): Map<string, DocumentedMetric> {
  const metrics = new Map<string, DocumentedMetric>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // | `name` | type | labels | meaning |  →  ['', '`name`', type, labels, meaning, '']
    const name = /^`([a-zA-Z_:][a-zA-Z0-9_:]*)`$/.exec(cells[1] ?? '')?.[1];
    const type = cells[2];
    if (!name || !['counter', 'gauge', 'histogram', 'summary'].includes(type)) continue;
    const labels = [...(cells[3] ?? '').matchAll(/`([a-zA-Z_][a-zA-Z0-9_]*)`/g)].map((m) => m[1]);
    metrics.set(name, { type: type as DocumentedMetric['type'], labels });
  }
  return metrics;
}

/** The rules file's groups, as far as these checks need them. */
interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ record?: string; alert?: string; expr: string }> }>;
}

export function readRules(path: string): { expressions: Expression[]; recorded: string[]; alerts: string[] } {
  const file = parse(readFileSync(path, 'utf8')) as RuleFile;
  const rules = file.groups.flatMap((group) => group.rules);
  return {
    expressions: rules.map((rule) => ({ where: `${path}: ${rule.record ?? rule.alert}`, expr: rule.expr })),
    recorded: rules.flatMap((rule) => (rule.record ? [rule.record] : [])),
    alerts: rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])),
  };
}

/** Every `expr` of every panel target (nested rows included) and query variable of a Grafana dashboard. */
export function readDashboard(path: string): Expression[] {
  const dashboard = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const found: Expression[] = [];
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((child) => visit(child, where));
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const here = typeof record.title === 'string' ? `${path}: ${record.title}` : where;
    if (typeof record.expr === 'string') found.push({ where: here, expr: record.expr });
    // Query variables: `label_values(metric{...}, label)` is Grafana's, not PromQL; its metric is what counts.
    if (record.type === 'query' && typeof record.definition === 'string') {
      const expr = record.definition.replace(/^label_values\((.*),\s*\w+\)$/, '$1');
      found.push({ where: `${path}: $${String(record.name)}`, expr });
    }
    for (const child of Object.values(record)) visit(child, here);
  };
  visit(dashboard, path);
  return found;
}

// Names of functions, keywords and modifiers PromQL has; they look like identifiers too.
const NOT_METRICS = /^(by|without|on|ignoring|group_left|group_right|bool|offset|and|or|unless|inf|nan)$/i;

/** Strips string literals and Grafana variables, which may hold anything. */
function code(expr: string): string {
  return expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, '0');
}

/**
 * The metric names an expression reads: identifiers that are not followed by `(` (functions),
 * are not inside `by (...)`-style label lists and are not keywords. Label names inside `{...}`
 * are removed first.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = code(expr)
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?!\s*\(|[\w:])/g)) {
    if (!NOT_METRICS.test(m[1])) names.add(m[1]);
  }
  return [...names];
}

/** The selectors `name{label="...", ...}` of an expression, with the label names they match on. */
export function selectorsIn(expr: string): Selector[] {
  const source = expr.replace(/\$\{[^}]*\}|\$\w+/g, '0');
  const selectors: Selector[] = [];
  for (const m of source.matchAll(/(?<![\w:])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}/g)) {
    const labels = [...m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"/g)].map((l) => l[1]);
    selectors.push({ name: m[1], labels });
  }
  return selectors;
}
