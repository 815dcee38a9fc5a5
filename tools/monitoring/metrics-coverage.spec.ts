import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { MetricsRegistry } from '@leadpipe/observability';
import { Expression, metricNamesIn, parseMetricsTable, readDashboard, readRules, selectorsIn } from './src/monitoring-files';

// Alerts and dashboards must read only what the services export: a metric renamed in the code
// (and so in docs/metrics.md's table) without them fails here, not silently at 3 a.m.
const ROOT = resolve(__dirname, '../..');
const RULES = join(ROOT, 'deploy/prometheus/rules.yml');
const RULE_TESTS = join(ROOT, 'deploy/prometheus/rules.test.yml');
const DASHBOARDS = join(ROOT, 'deploy/grafana/dashboards');

const documented = parseMetricsTable(readFileSync(join(ROOT, 'docs/metrics.md'), 'utf8'));
const rules = readRules(RULES);
const dashboards = readdirSync(DASHBOARDS)
  .filter((file) => file.endsWith('.json'))
  .flatMap((file) => readDashboard(join(DASHBOARDS, file)));

// prom-client's default metrics, as the services' own registry exports them.
const registry = new MetricsRegistry({ service: 'coverage' });
const defaults = new Map(registry.getMetricsAsArray().map((metric) => [metric.name, String(metric.type)]));
// Labels Prometheus attaches on scrape, and the one every series of ours carries.
const TARGET_LABELS = ['service', 'job', 'instance', 'pod', 'namespace', 'container'];

/** The exported metric a series name belongs to (`x_bucket` → `x` for a histogram), if any. */
function exportedMetric(series: string): { name: string; labels: string[] } | undefined {
  const doc = documented.get(series);
  if (doc) return { name: series, labels: doc.labels };
  if (defaults.has(series)) return { name: series, labels: [] };
  const m = /^(.*)_(bucket|sum|count)$/.exec(series);
  if (!m) return undefined;
  const type = documented.get(m[1])?.type ?? defaults.get(m[1]);
  if (type !== 'histogram' && type !== 'summary') return undefined;
  const labels = documented.get(m[1])?.labels ?? [];
  return { name: m[1], labels: m[2] === 'bucket' ? [...labels, 'le'] : labels };
}

/** What an expression reads that no service exports (nor a recording rule records). */
function unknownMetrics({ expr }: Expression): string[] {
  return metricNamesIn(expr).filter((name) => name !== 'up' && !rules.recorded.includes(name) && !exportedMetric(name));
}

/** Labels an expression's selectors match on that the metric does not have. */
function unknownLabels({ expr }: Expression): string[] {
  return selectorsIn(expr).flatMap(({ name, labels }) => {
    const metric = exportedMetric(name);
    if (!metric) return [];
    const known = [...metric.labels, ...TARGET_LABELS];
    return labels.filter((label) => !known.includes(label)).map((label) => `${name}{${label}}`);
  });
}

describe('the metrics table of docs/metrics.md', () => {
  it('is parsed (names, types and labels)', () => {
    expect(documented.size).toBeGreaterThan(20);
    expect(documented.get('leadpipe_consumer_lag')).toEqual({ type: 'gauge', labels: ['group', 'topic', 'partition'] });
    expect(documented.get('leadpipe_outbox_pending')).toEqual({ type: 'gauge', labels: [] });
    expect(documented.get('leadpipe_http_request_duration_seconds')?.type).toBe('histogram');
  });
});

describe.each([
  ['deploy/prometheus/rules.yml', rules.expressions],
  ['deploy/grafana/dashboards/*.json', dashboards],
])('%s', (_, expressions) => {
  it('has expressions to check', () => {
    expect(expressions.length).toBeGreaterThan(10);
  });

  it('reads only metrics the services export (docs/metrics.md) or the rules record', () => {
    const unknown = expressions.flatMap((e) => unknownMetrics(e).map((name) => `${e.where}: ${name}`));
    expect(unknown).toEqual([]);
  });

  it('selects only on labels those metrics have', () => {
    const unknown = expressions.flatMap((e) => unknownLabels(e).map((label) => `${e.where}: ${label}`));
    expect(unknown).toEqual([]);
  });
});

describe('deploy/prometheus/rules.test.yml', () => {
  interface RuleTests {
    tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
  }
  const cases = (parse(readFileSync(RULE_TESTS, 'utf8')) as RuleTests).tests.flatMap((test) => test.alert_rule_test ?? []);

  it('tests every alert firing and not firing', () => {
    const untested = rules.alerts.flatMap((alert) => {
      const mine = cases.filter((c) => c.alertname === alert);
      return [
        ...(mine.some((c) => (c.exp_alerts ?? []).length > 0) ? [] : [`${alert} firing`]),
        ...(mine.some((c) => (c.exp_alerts ?? []).length === 0) ? [] : [`${alert} not firing`]),
      ];
    });
    expect(untested).toEqual([]);
  });
});

describe('the expression scanner', () => {
  it('finds metric names, but not functions, label names, keywords, strings or variables', () => {
    const expr =
      'sum by (group) (rate(leadpipe_consumer_messages_total{outcome=~"dead_letter|x_total"}[$__rate_interval])) / ' +
      'on (group) group_left sum by (group) (group:leadpipe_consumer_lag:sum offset 1h) and vector($quota) > bool 0.5';
    expect(metricNamesIn(expr).sort()).toEqual(['group:leadpipe_consumer_lag:sum', 'leadpipe_consumer_messages_total']);
  });

  it('reports a metric that is not exported, and a label it does not have', () => {
    const where = 'spec';
    expect(unknownMetrics({ where, expr: 'sum(rate(leadpipe_consumer_messages_totl[5m]))' })).toEqual(['leadpipe_consumer_messages_totl']);
    expect(unknownMetrics({ where, expr: 'rate(leadpipe_outbox_pending_bucket[5m])' })).toEqual(['leadpipe_outbox_pending_bucket']);
    expect(unknownMetrics({ where, expr: 'rate(leadpipe_ratelimit_wait_seconds_bucket[5m])' })).toEqual([]);
    expect(unknownLabels({ where, expr: 'leadpipe_breaker_state{provider="netrows", stage="x"}' })).toEqual(['leadpipe_breaker_state{stage}']);
  });
});
