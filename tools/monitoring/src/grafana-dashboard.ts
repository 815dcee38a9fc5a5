import { stringify } from 'yaml';

/** The label kube-prometheus-stack's Grafana sidecar looks for (its `sidecar.dashboards.label`). */
export const DASHBOARD_LABEL = 'grafana_dashboard';

/**
 * The ConfigMap that ships deploy/grafana/dashboards/leadpipe.json (the one place the dashboard
 * is written) to Kubernetes: the Grafana sidecar loads every ConfigMap labelled
 * `grafana_dashboard: "1"`. Compose provisions the JSON file itself. The JSON is parsed first, so
 * a broken dashboard fails here rather than silently in Grafana, and is kept byte for byte.
 */
export function grafanaDashboardYaml(dashboardJson: string): string {
  JSON.parse(dashboardJson);
  const object = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'leadpipe-grafana-dashboard', labels: { [DASHBOARD_LABEL]: '1' } },
    data: { 'leadpipe.json': dashboardJson },
  };
  return `# Generated from deploy/grafana/dashboards/leadpipe.json by \`npm run monitoring:sync\`: edit that file, not this one.\n${stringify(object, { lineWidth: 0 })}`;
}
