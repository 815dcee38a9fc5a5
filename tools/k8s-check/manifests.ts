/**
 * Offline checks of the rendered Kubernetes manifests (k8s/): render with `kubectl kustomize`,
 * then policy and structural checks that need no cluster. Every check returns the violations it
 * found, one readable line each, so a failing test says what to fix and where.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A rendered object, loosely typed: the checks below test every field they read. */
export interface K8sObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

type Loose = Record<string, unknown>;

export class KubectlMissingError extends Error {}

/**
 * Validates objects against the Kubernetes OpenAPI schemas and the KEDA, prometheus-operator and
 * Strimzi CRD schemas, offline (see validate-schemas.mjs, run as a separate ES-module process).
 */
export function checkSchemas(objects: K8sObject[]): string[] {
  const output = execFileSync(process.execPath, [join(__dirname, 'validate-schemas.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 32 * 1024 * 1024,
  });
  return JSON.parse(output) as string[];
}

/** Renders a kustomization directory. Throws (never skips) when kubectl cannot be run. */
export function render(directory: string): K8sObject[] {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', directory], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KubectlMissingError('kubectl is not installed or not on PATH: the manifest checks render k8s/ with `kubectl kustomize` (kubectl 1.27 or later). Install it; these checks do not skip.');
    }
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`kubectl kustomize ${directory} failed: ${stderr.trim() || String(error)}`);
  }
  return parseAllDocuments(output).map((document) => {
    if (document.errors.length > 0) throw new Error(`${directory}: rendered YAML does not parse: ${document.errors[0].message}`);
    return document.toJS() as K8sObject;
  });
}

/**
 * Renders the base with one component, as an overlay would include it. Kustomize refuses
 * absolute paths, so the throw-away kustomization refers to both relatively.
 */
export function renderComponent(baseDirectory: string, componentDirectory: string): K8sObject[] {
  const directory = mkdtempSync(join(tmpdir(), 'leadpipe-k8s-'));
  try {
    writeFileSync(
      join(directory, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        `resources: [${JSON.stringify(relative(directory, baseDirectory))}]`,
        `components: [${JSON.stringify(relative(directory, componentDirectory))}]`,
        '',
      ].join('\n'),
    );
    return render(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const isPositiveInt = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1;
const asArray = (value: unknown): Loose[] => (Array.isArray(value) ? value.filter(isObject) : []);
const at = (value: unknown, ...path: string[]): unknown => path.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value);
const QUANTITY = /^\d+(\.\d+)?(m|k|Ki|Mi|Gi|M|G)?$/;
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

export const nameOf = (object: K8sObject): string => `${String(object.kind)}/${String(object.metadata?.name)}`;
export const ofKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((object) => object.kind === kind);

/** (a) Every object names its apiVersion, kind and metadata.name. */
export function checkIdentity(objects: K8sObject[]): string[] {
  return objects.flatMap((object, index) =>
    typeof object.apiVersion === 'string' && typeof object.kind === 'string' && typeof object.metadata?.name === 'string' && object.metadata.name !== ''
      ? []
      : [`object #${index} (${nameOf(object)}) lacks apiVersion, kind or metadata.name`],
  );
}

/** (b) Probes, resources, non-root, no privilege escalation, and a way to drain on SIGTERM. */
export function checkDeploymentPolicy(objects: K8sObject[]): string[] {
  return ofKind(objects, 'Deployment').flatMap((deployment) => {
    const pod = at(deployment, 'spec', 'template', 'spec');
    // Unset means Kubernetes' default of 30 s.
    const grace = at(pod, 'terminationGracePeriodSeconds') ?? 30;
    const podNonRoot = at(pod, 'securityContext', 'runAsNonRoot') === true;
    const containers = asArray(at(pod, 'containers'));
    if (containers.length === 0) return [`${nameOf(deployment)}: no containers`];
    return containers.flatMap((container) => {
      const where = `${nameOf(deployment)} container ${String(container.name)}`;
      const problems: string[] = [];
      if (!isObject(container.readinessProbe)) problems.push(`${where}: no readinessProbe`);
      if (!isObject(container.livenessProbe)) problems.push(`${where}: no livenessProbe`);
      for (const bound of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (at(container, 'resources', bound, resource) === undefined) problems.push(`${where}: no resources.${bound}.${resource}`);
        }
      }
      const nonRoot = at(container, 'securityContext', 'runAsNonRoot');
      if (!(nonRoot === true || (podNonRoot && nonRoot !== false))) problems.push(`${where}: runAsNonRoot is not true (pod or container securityContext)`);
      if (at(container, 'securityContext', 'allowPrivilegeEscalation') !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      // The services drain in SHUTDOWN_TIMEOUT_MS (25 s): the pod must be given longer than that.
      if (!isObject(at(container, 'lifecycle', 'preStop')) && !(typeof grace === 'number' && grace >= 30)) {
        problems.push(`${where}: neither a preStop hook nor terminationGracePeriodSeconds >= 30`);
      }
      return problems;
    });
  });
}

function selects(selector: unknown, labels: Record<string, string> | undefined): boolean {
  if (!isObject(selector) || !labels) return false;
  const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : {};
  const byLabel = Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
  const byExpression = asArray(selector.matchExpressions).every((expression) => {
    const value = labels[String(expression.key)];
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    switch (expression.operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
  const hasTerms = Object.keys(matchLabels).length > 0 || asArray(selector.matchExpressions).length > 0;
  return hasTerms && byLabel && byExpression;
}

const podLabels = (deployment: K8sObject): Record<string, string> | undefined => at(deployment, 'spec', 'template', 'metadata', 'labels') as Record<string, string> | undefined;

/** Every Deployment has a PodDisruptionBudget selecting its pods. */
export function checkDisruptionBudgets(objects: K8sObject[]): string[] {
  const budgets = ofKind(objects, 'PodDisruptionBudget');
  return ofKind(objects, 'Deployment').flatMap((deployment) =>
    budgets.some((budget) => selects(at(budget, 'spec', 'selector'), podLabels(deployment))) ? [] : [`${nameOf(deployment)}: no PodDisruptionBudget selects its pods`],
  );
}

/** The Deployment each autoscaler drives, with its replica bounds. */
export interface ScalingTarget {
  autoscaler: string;
  deployment: string;
  min: unknown;
  max: unknown;
}

export function scalingTargets(objects: K8sObject[]): ScalingTarget[] {
  const keda = ofKind(objects, 'ScaledObject').map((object) => ({
    autoscaler: nameOf(object),
    kind: at(object, 'spec', 'scaleTargetRef', 'kind') ?? 'Deployment',
    deployment: String(at(object, 'spec', 'scaleTargetRef', 'name')),
    min: at(object, 'spec', 'minReplicaCount'),
    max: at(object, 'spec', 'maxReplicaCount'),
  }));
  const hpa = ofKind(objects, 'HorizontalPodAutoscaler').map((object) => ({
    autoscaler: nameOf(object),
    kind: at(object, 'spec', 'scaleTargetRef', 'kind'),
    deployment: String(at(object, 'spec', 'scaleTargetRef', 'name')),
    min: at(object, 'spec', 'minReplicas'),
    max: at(object, 'spec', 'maxReplicas'),
  }));
  return [...keda, ...hpa].filter((target) => target.kind === 'Deployment').map(({ kind: _kind, ...target }) => target);
}

/** (c) one autoscaler per Deployment, (d) whose target exists and which has sane bounds. */
export function checkAutoscalers(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const deployments = new Set(ofKind(objects, 'Deployment').map((deployment) => String(deployment.metadata?.name)));
  const all = [...ofKind(objects, 'ScaledObject'), ...ofKind(objects, 'HorizontalPodAutoscaler')];
  const targets = scalingTargets(objects);
  if (targets.length !== all.length) problems.push('an autoscaler targets something other than a Deployment');
  const owners = new Map<string, string[]>();
  for (const target of targets) {
    if (!deployments.has(target.deployment)) problems.push(`${target.autoscaler}: target Deployment ${target.deployment} is not in the output`);
    if (!isPositiveInt(target.min) || !isPositiveInt(target.max) || target.min > target.max) {
      problems.push(`${target.autoscaler}: replica bounds ${String(target.min)}..${String(target.max)} are not 1 <= min <= max`);
    }
    owners.set(target.deployment, [...(owners.get(target.deployment) ?? []), target.autoscaler]);
    const deployment = ofKind(objects, 'Deployment').find((candidate) => candidate.metadata?.name === target.deployment);
    if (at(deployment, 'spec', 'replicas') !== undefined) problems.push(`Deployment/${target.deployment}: sets spec.replicas although ${target.autoscaler} owns its scale`);
  }
  for (const [deployment, autoscalers] of owners) {
    if (autoscalers.length > 1) problems.push(`Deployment/${deployment} is scaled by more than one autoscaler: ${autoscalers.join(', ')}`);
  }
  return problems;
}

/** Structural checks of the custom resources and HPAs, after the fields their CRDs require. */
export function checkCustomResources(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of ofKind(objects, 'ScaledObject')) {
    const where = nameOf(object);
    if (object.apiVersion !== 'keda.sh/v1alpha1') problems.push(`${where}: apiVersion is not keda.sh/v1alpha1`);
    if (typeof at(object, 'spec', 'scaleTargetRef', 'name') !== 'string') problems.push(`${where}: no spec.scaleTargetRef.name`);
    const triggers = asArray(at(object, 'spec', 'triggers'));
    if (triggers.length === 0) problems.push(`${where}: no triggers`);
    for (const trigger of triggers) {
      const metadata = trigger.metadata;
      if (typeof trigger.type !== 'string') problems.push(`${where}: a trigger without type`);
      // KEDA's trigger metadata is map[string]string: an unquoted number or boolean is refused.
      if (!isObject(metadata) || Object.values(metadata).some((value) => typeof value !== 'string')) {
        problems.push(`${where}: trigger metadata must be a map of strings`);
        continue;
      }
      if (trigger.type === 'kafka') {
        for (const field of ['bootstrapServers', 'consumerGroup']) if (!metadata[field]) problems.push(`${where}: kafka trigger without ${field}`);
        if (!/^\d+$/.test(String(metadata.lagThreshold))) problems.push(`${where}: kafka trigger lagThreshold is not a whole number`);
      }
    }
  }
  for (const object of ofKind(objects, 'HorizontalPodAutoscaler')) {
    const where = nameOf(object);
    if (object.apiVersion !== 'autoscaling/v2') problems.push(`${where}: apiVersion is not autoscaling/v2`);
    if (at(object, 'spec', 'scaleTargetRef', 'apiVersion') !== 'apps/v1') problems.push(`${where}: scaleTargetRef.apiVersion is not apps/v1`);
    const metrics = asArray(at(object, 'spec', 'metrics'));
    if (metrics.length === 0) problems.push(`${where}: no metrics`);
    for (const metric of metrics) {
      if (metric.type !== 'External') continue;
      const type = at(metric, 'external', 'target', 'type');
      const field = type === 'Value' ? 'value' : type === 'AverageValue' ? 'averageValue' : undefined;
      if (typeof at(metric, 'external', 'metric', 'name') !== 'string') problems.push(`${where}: External metric without metric.name`);
      if (!field || !QUANTITY.test(String(at(metric, 'external', 'target', field)))) problems.push(`${where}: External target needs type Value or AverageValue and a quantity in value/averageValue`);
    }
  }
  for (const object of ofKind(objects, 'PodMonitor')) {
    const where = nameOf(object);
    if (object.apiVersion !== 'monitoring.coreos.com/v1') problems.push(`${where}: apiVersion is not monitoring.coreos.com/v1`);
    const endpoints = asArray(at(object, 'spec', 'podMetricsEndpoints'));
    if (endpoints.length === 0) problems.push(`${where}: no podMetricsEndpoints`);
    const scraped = ofKind(objects, 'Deployment').filter((deployment) => selects(at(object, 'spec', 'selector'), podLabels(deployment)));
    if (scraped.length === 0) problems.push(`${where}: its selector matches no Deployment's pods`);
    for (const endpoint of endpoints) {
      for (const deployment of scraped) {
        const ports = asArray(at(deployment, 'spec', 'template', 'spec', 'containers')).flatMap((container) => asArray(container.ports).map((port) => port.name));
        if (!ports.includes(endpoint.port)) problems.push(`${where}: ${nameOf(deployment)} has no container port named ${String(endpoint.port)}`);
      }
    }
  }
  for (const object of ofKind(objects, 'ServiceMonitor')) {
    if (asArray(at(object, 'spec', 'endpoints')).length === 0) problems.push(`${nameOf(object)}: no endpoints`);
  }
  for (const object of ofKind(objects, 'PrometheusRule')) {
    const where = nameOf(object);
    if (object.apiVersion !== 'monitoring.coreos.com/v1') problems.push(`${where}: apiVersion is not monitoring.coreos.com/v1`);
    const groups = asArray(at(object, 'spec', 'groups'));
    if (groups.length === 0) problems.push(`${where}: no groups`);
    for (const group of groups) {
      if (typeof group.name !== 'string') problems.push(`${where}: a group without name`);
      const rules = asArray(group.rules);
      if (rules.length === 0) problems.push(`${where}: group ${String(group.name)} has no rules`);
      for (const rule of rules) {
        const label = String(rule.alert ?? rule.record);
        if ((typeof rule.alert === 'string') === (typeof rule.record === 'string')) problems.push(`${where}: rule ${label} needs exactly one of alert and record`);
        if (typeof rule.expr !== 'string' || rule.expr.trim() === '') problems.push(`${where}: rule ${label} has no expr`);
        if (rule.for !== undefined && !DURATION.test(String(rule.for))) problems.push(`${where}: rule ${label} has an invalid for: ${String(rule.for)}`);
      }
    }
  }
  for (const object of ofKind(objects, 'KafkaTopic')) {
    const where = nameOf(object);
    if (object.apiVersion !== 'kafka.strimzi.io/v1beta2') problems.push(`${where}: apiVersion is not kafka.strimzi.io/v1beta2`);
    if (!object.metadata?.labels?.['strimzi.io/cluster']) problems.push(`${where}: no strimzi.io/cluster label (the Topic Operator ignores it)`);
    if (!isPositiveInt(at(object, 'spec', 'partitions')) || !isPositiveInt(at(object, 'spec', 'replicas'))) problems.push(`${where}: spec.partitions and spec.replicas must be positive integers`);
    const config = at(object, 'spec', 'config');
    if (config !== undefined && (!isObject(config) || Object.values(config).some((value) => !['string', 'number', 'boolean'].includes(typeof value)))) {
      problems.push(`${where}: spec.config must map topic settings to scalars`);
    }
  }
  return problems;
}

/** The topic each KafkaTopic declares, with its partition count. */
export function topicPartitions(objects: K8sObject[]): Map<string, number> {
  return new Map(ofKind(objects, 'KafkaTopic').map((topic) => [String(at(topic, 'spec', 'topicName') ?? topic.metadata?.name), Number(at(topic, 'spec', 'partitions'))]));
}

/**
 * (e) An autoscaler's maximum never exceeds the partitions of a topic its Deployment consumes:
 * a consumer beyond the partition count gets no partition and only idles.
 */
export function checkPartitionsCoverReplicas(objects: K8sObject[], partitions: Map<string, number>, consumes: Record<string, readonly string[]>): string[] {
  return scalingTargets(objects).flatMap((target) => {
    const topics = consumes[target.deployment];
    if (!topics) return [`${target.autoscaler}: scales ${target.deployment}, whose topics this check does not know`];
    return topics.flatMap((topic) => {
      const count = partitions.get(topic);
      if (count === undefined) return [`${target.autoscaler}: topic ${topic} has no KafkaTopic`];
      return Number(target.max) > count ? [`${target.autoscaler}: maximum ${String(target.max)} replicas exceeds ${topic}'s ${count} partitions`] : [];
    });
  });
}
