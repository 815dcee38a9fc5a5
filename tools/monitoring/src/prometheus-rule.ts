import { parse, stringify } from 'yaml';

/**
 * The Prometheus Operator's `PrometheusRule` for Kubernetes, made from deploy/prometheus/rules.yml
 * (the one place the rules are written): the same groups, wrapped in the object. Compose and
 * plain Prometheus load rules.yml; the operator reads this.
 */
export function prometheusRuleYaml(rulesYaml: string): string {
  const { groups } = parse(rulesYaml) as { groups: unknown[] };
  const object = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'leadpipe' },
    spec: { groups },
  };
  return `# Generated from deploy/prometheus/rules.yml by \`npm run monitoring:sync\`: edit that file, not this one.\n${stringify(object, { lineWidth: 0 })}`;
}
