/**
 * Writes the generated files of k8s/components/monitoring: prometheus-rule.yaml from
 * deploy/prometheus/rules.yml, and grafana-dashboard.yaml from deploy/grafana/dashboards/leadpipe.json.
 * Run from the repository root: `npm run build && npm run monitoring:sync`. Unit tests fail
 * while a generated file and its source differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { grafanaDashboardYaml } from './src/grafana-dashboard';
import { prometheusRuleYaml } from './src/prometheus-rule';

const outputs: Array<[target: string, source: string, generate: (text: string) => string]> = [
  ['k8s/components/monitoring/prometheus-rule.yaml', 'deploy/prometheus/rules.yml', prometheusRuleYaml],
  ['k8s/components/monitoring/grafana-dashboard.yaml', 'deploy/grafana/dashboards/leadpipe.json', grafanaDashboardYaml],
];

for (const [target, source, generate] of outputs) {
  writeFileSync(target, generate(readFileSync(source, 'utf8')));
  console.log(`wrote ${target}`);
}
