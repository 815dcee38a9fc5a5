import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TOPIC_PARTITIONS, TOPICS, TopicKey } from '@leadpipe/contracts';
import {
  checkAutoscalers,
  checkSchemas,
  checkCustomResources,
  checkDeploymentPolicy,
  checkDisruptionBudgets,
  checkIdentity,
  checkPartitionsCoverReplicas,
  K8sObject,
  nameOf,
  ofKind,
  render,
  renderComponent,
  scalingTargets,
  topicPartitions,
} from './manifests';

const K8S = join(__dirname, '..', '..', 'k8s');
const overlays = readdirSync(join(K8S, 'overlays'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
const components = readdirSync(join(K8S, 'components'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

/**
 * The topics that carry each autoscaled consumer's load (docs/topics.md). ops.alerts.v1 is left
 * out on purpose: it keeps one partition so that alerts stay in order, and the notifiers beyond
 * the first idle on it at no cost.
 */
const CONSUMES: Record<string, readonly string[]> = {
  'leadpipe-enricher': [TOPICS.leadReceived, TOPICS.leadReceivedPriority, TOPICS.enrichRetry1, TOPICS.enrichRetry2, TOPICS.enrichRetry3],
  'leadpipe-validator': [TOPICS.leadEnriched, TOPICS.deadLetter],
  'leadpipe-notifier': [TOPICS.leadValidated],
};

/** Consumer group ids without KAFKA_NAMESPACE (libs/kafka consumerGroupId; the enricher runs three lanes). */
const GROUPS: Record<string, readonly string[]> = {
  'leadpipe-enricher': ['leadpipe.enricher', 'leadpipe.enricher-priority', 'leadpipe.enricher-retry'],
  'leadpipe-validator': ['leadpipe.validator'],
  'leadpipe-notifier': ['leadpipe.notifier'],
};

// Rendered once, in a describe body, so that a missing kubectl fails every test that needs it
// with the same message instead of skipping.
const rendered = new Map<string, K8sObject[] | Error>();
function build(name: string): K8sObject[] {
  if (!rendered.has(name)) {
    try {
      const [kind, directory] = name.split(':');
      rendered.set(name, kind === 'overlay' ? render(join(K8S, 'overlays', directory)) : renderComponent(join(K8S, 'base'), join(K8S, 'components', directory)));
    } catch (error) {
      rendered.set(name, error as Error);
    }
  }
  const result = rendered.get(name);
  if (result instanceof Error) throw result;
  return result as K8sObject[];
}

const builds = [...overlays.map((overlay) => `overlay:${overlay}`), ...components.map((component) => `component:${component}`)];
const strimziTopics = (): Map<string, number> => topicPartitions(build('component:strimzi-topics'));

describe('k8s manifests', () => {
  it('finds the overlays and components to check', () => {
    expect(overlays).toEqual(expect.arrayContaining(['dev', 'prod', 'prod-hpa']));
    expect(components).toEqual(expect.arrayContaining(['hpa', 'keda', 'monitoring', 'strimzi-topics']));
  });

  describe.each(builds)('%s', (name) => {
    it('renders, and every object has apiVersion, kind and metadata.name', () => {
      const objects = build(name);
      expect(objects.length).toBeGreaterThan(0);
      expect(checkIdentity(objects)).toEqual([]);
    });

    it('validates against the Kubernetes, KEDA, prometheus-operator and Strimzi schemas', () => {
      expect(checkSchemas(build(name))).toEqual([]);
    });

    it('gives every Deployment probes, resources, non-root, no privilege escalation and a drain', () => {
      expect(checkDeploymentPolicy(build(name))).toEqual([]);
    });

    it('covers every Deployment with a PodDisruptionBudget', () => {
      expect(checkDisruptionBudgets(build(name))).toEqual([]);
    });

    it('scales each Deployment with at most one autoscaler, whose target exists', () => {
      expect(checkAutoscalers(build(name))).toEqual([]);
    });

    it('gives the KEDA, prometheus-operator and Strimzi objects the fields their CRDs require', () => {
      expect(checkCustomResources(build(name))).toEqual([]);
    });

    it('never scales a consumer past the partitions of the topics it reads', () => {
      expect(checkPartitionsCoverReplicas(build(name), strimziTopics(), CONSUMES)).toEqual([]);
    });

    it('scales each consumer on the lag of exactly its own groups', () => {
      const objects = build(name);
      for (const scaledObject of ofKind(objects, 'ScaledObject')) {
        const target = String((scaledObject.spec?.scaleTargetRef as { name?: string }).name);
        const groups = (scaledObject.spec?.triggers as { metadata: { consumerGroup: string } }[]).map((trigger) => trigger.metadata.consumerGroup);
        expect({ target, groups: [...groups].sort() }).toEqual({ target, groups: [...(GROUPS[target] ?? [])].sort() });
      }
      for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
        const target = String((hpa.spec?.scaleTargetRef as { name?: string }).name);
        const metrics = hpa.spec?.metrics as { external: { metric: { name: string; selector: { matchLabels: { group: string } } } } }[];
        expect(metrics.every((metric) => metric.external.metric.name === 'leadpipe_consumer_lag')).toBe(true);
        const groups = metrics.map((metric) => metric.external.metric.selector.matchLabels.group);
        expect({ target, groups: [...groups].sort() }).toEqual({ target, groups: [...(GROUPS[target] ?? [])].sort() });
      }
    });
  });

  it('declares every topic of libs/contracts as a KafkaTopic with its partition count', () => {
    const declared = Object.fromEntries(strimziTopics());
    const expected = Object.fromEntries((Object.keys(TOPICS) as TopicKey[]).map((key) => [TOPICS[key], TOPIC_PARTITIONS[key]]));
    expect(declared).toEqual(expected);
  });

  it('renders prod and prod-hpa alike but for the autoscaler, with the same replica bounds', () => {
    const withoutAutoscalers = (objects: K8sObject[]): K8sObject[] => objects.filter((object) => object.kind !== 'ScaledObject' && object.kind !== 'HorizontalPodAutoscaler');
    const bounds = (objects: K8sObject[]) => scalingTargets(objects).map(({ deployment, min, max }) => ({ deployment, min, max })).sort((a, b) => a.deployment.localeCompare(b.deployment));
    const keda = build('overlay:prod');
    const hpa = build('overlay:prod-hpa');
    expect(withoutAutoscalers(hpa)).toEqual(withoutAutoscalers(keda));
    expect(ofKind(keda, 'ScaledObject').map(nameOf)).toHaveLength(3);
    expect(ofKind(hpa, 'HorizontalPodAutoscaler').map(nameOf)).toHaveLength(3);
    expect(bounds(hpa)).toEqual(bounds(keda));
  });
});

describe('the manifest checks themselves', () => {
  const deployment = (): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'leadpipe-enricher' },
    spec: {
      template: {
        metadata: { labels: { app: 'enricher' } },
        spec: {
          terminationGracePeriodSeconds: 40,
          securityContext: { runAsNonRoot: true },
          containers: [
            {
              name: 'enricher',
              readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
              livenessProbe: { httpGet: { path: '/health/live', port: 'http' } },
              resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false },
            },
          ],
        },
      },
    },
  });
  const container = (object: K8sObject): Record<string, unknown> => (((object.spec?.template as { spec: { containers: Record<string, unknown>[] } }).spec).containers)[0];

  it('accept a compliant Deployment', () => {
    expect(checkDeploymentPolicy([deployment()])).toEqual([]);
  });

  it('report objects that break their schema, and objects with no schema to check them by', () => {
    const valid = deployment();
    (valid.spec as Record<string, unknown>).selector = { matchLabels: { app: 'enricher' } };
    (container(valid).readinessProbe as Record<string, unknown>).httpGet = { path: '/health/ready', port: 3001 };
    const wrongType: K8sObject = { ...valid, spec: { ...valid.spec, replicas: 'two' } };
    const keda: K8sObject = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'a' },
      spec: { scaleTargetRef: {}, triggers: [{ type: 'kafka', metadata: { lagThreshold: 50 } }] },
    };
    const topic: K8sObject = { apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'KafkaTopic', metadata: { name: 't' }, spec: { partitions: '12' } };
    const rule: K8sObject = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r' }, spec: { groups: [{ rules: [] }] } };
    const unknown: K8sObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(checkSchemas([valid])).toEqual([]);
    expect(checkSchemas([wrongType, keda, topic, rule, unknown])).toEqual([
      'Deployment/leadpipe-enricher: data/spec/replicas must be integer',
      'ScaledObject/a: data/spec/scaleTargetRef must have required property name, data/spec/triggers/0/metadata/lagThreshold must be string',
      'KafkaTopic/t: data/spec/partitions must be integer',
      'PrometheusRule/r: data/spec/groups/0 must have required property name',
      'Widget/w: no schema known for the API group example.com',
    ]);
  });

  it('report a missing probe, limit, non-root, escalation and drain', () => {
    const broken = deployment();
    delete container(broken).livenessProbe;
    delete (container(broken).resources as { limits?: unknown }).limits;
    container(broken).securityContext = { runAsNonRoot: false };
    (broken.spec?.template as { spec: Record<string, unknown> }).spec.terminationGracePeriodSeconds = 5;
    expect(checkDeploymentPolicy([broken])).toEqual([
      'Deployment/leadpipe-enricher container enricher: no livenessProbe',
      'Deployment/leadpipe-enricher container enricher: no resources.limits.cpu',
      'Deployment/leadpipe-enricher container enricher: no resources.limits.memory',
      'Deployment/leadpipe-enricher container enricher: runAsNonRoot is not true (pod or container securityContext)',
      'Deployment/leadpipe-enricher container enricher: allowPrivilegeEscalation is not false',
      'Deployment/leadpipe-enricher container enricher: neither a preStop hook nor terminationGracePeriodSeconds >= 30',
    ]);
  });

  it('report a Deployment scaled by both an HPA and a ScaledObject, and a target that does not exist', () => {
    const keda: K8sObject = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'a' }, spec: { scaleTargetRef: { name: 'leadpipe-enricher' }, minReplicaCount: 1, maxReplicaCount: 3 } };
    const hpa: K8sObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'b' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'leadpipe-enricher' }, minReplicas: 1, maxReplicas: 3 } };
    const stray: K8sObject = { ...hpa, metadata: { name: 'c' }, spec: { ...hpa.spec, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'leadpipe-gone' } } };
    expect(checkAutoscalers([deployment(), keda, hpa, stray])).toEqual([
      'HorizontalPodAutoscaler/c: target Deployment leadpipe-gone is not in the output',
      'Deployment/leadpipe-enricher is scaled by more than one autoscaler: ScaledObject/a, HorizontalPodAutoscaler/b',
    ]);
  });

  it('report a maximum above a consumed topic partition count', () => {
    const keda: K8sObject = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'a' }, spec: { scaleTargetRef: { name: 'leadpipe-enricher' }, minReplicaCount: 1, maxReplicaCount: 4 } };
    expect(checkPartitionsCoverReplicas([keda], new Map([['t6', 6], ['t3', 3]]), { 'leadpipe-enricher': ['t6', 't3'] })).toEqual([
      "ScaledObject/a: maximum 4 replicas exceeds t3's 3 partitions",
    ]);
  });

  it('report a KEDA trigger whose metadata is not all strings', () => {
    const keda: K8sObject = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'a' },
      spec: { scaleTargetRef: { name: 'x' }, triggers: [{ type: 'kafka', metadata: { bootstrapServers: 'k:9092', consumerGroup: 'g', lagThreshold: 100 } }] },
    };
    expect(checkCustomResources([keda])).toEqual(['ScaledObject/a: trigger metadata must be a map of strings']);
  });
});
