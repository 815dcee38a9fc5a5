import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { prometheusRuleYaml } from './src/prometheus-rule';

const ROOT = resolve(__dirname, '../..');

describe('the PrometheusRule for Kubernetes', () => {
  const rules = readFileSync(join(ROOT, 'deploy/prometheus/rules.yml'), 'utf8');
  const committed = readFileSync(join(ROOT, 'k8s/components/monitoring/prometheus-rule.yaml'), 'utf8');

  it('is generated from deploy/prometheus/rules.yml (run `npm run build && npm run monitoring:sync` after changing the rules)', () => {
    expect(committed).toBe(prometheusRuleYaml(rules));
  });

  it('holds exactly the groups of rules.yml', () => {
    const object = parse(committed) as { kind: string; spec: { groups: unknown } };
    expect(object.kind).toBe('PrometheusRule');
    expect(object.spec.groups).toEqual((parse(rules) as { groups: unknown }).groups);
  });
});
