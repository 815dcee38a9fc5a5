import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { DASHBOARD_LABEL, grafanaDashboardYaml } from './src/grafana-dashboard';

const ROOT = resolve(__dirname, '../..');

describe('the Grafana dashboard ConfigMap for Kubernetes', () => {
  const dashboard = readFileSync(join(ROOT, 'deploy/grafana/dashboards/leadpipe.json'), 'utf8');
  const committed = readFileSync(join(ROOT, 'k8s/components/monitoring/grafana-dashboard.yaml'), 'utf8');

  it('is generated from deploy/grafana/dashboards/leadpipe.json (run `npm run build && npm run monitoring:sync` after changing the dashboard)', () => {
    expect(committed).toBe(grafanaDashboardYaml(dashboard));
  });

  it('is a ConfigMap the Grafana sidecar picks up, holding exactly the dashboard', () => {
    const object = parse(committed) as { kind: string; metadata: { labels: Record<string, unknown> }; data: Record<string, string> };
    expect(object.kind).toBe('ConfigMap');
    // The sidecar compares label values as strings: an unquoted 1 would be a number and not match.
    expect(object.metadata.labels[DASHBOARD_LABEL]).toBe('1');
    expect(Object.keys(object.data)).toEqual(['leadpipe.json']);
    expect(JSON.parse(object.data['leadpipe.json'])).toEqual(JSON.parse(dashboard));
  });

  it('refuses a dashboard that is not JSON', () => {
    expect(() => grafanaDashboardYaml('{ "title": ')).toThrow(SyntaxError);
  });
});
