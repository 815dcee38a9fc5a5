/**
 * Writes k8s/components/monitoring/prometheus-rule.yaml from deploy/prometheus/rules.yml.
 * Run from the repository root: `npm run build && npm run monitoring:sync`. A unit test fails
 * while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { prometheusRuleYaml } from './src/prometheus-rule';

const target = 'k8s/components/monitoring/prometheus-rule.yaml';
writeFileSync(target, prometheusRuleYaml(readFileSync('deploy/prometheus/rules.yml', 'utf8')));
console.log(`wrote ${target}`);
