// Validates Kubernetes objects against their OpenAPI schemas, offline, with the generated
// models of kubernetes-models (core kinds) and @kubernetes-models/{keda, prometheus-operator,
// strimzi-kafka-operator} (the CRDs). ES module on purpose: some of those packages are
// import-only. Reads a JSON array of objects on stdin; writes a JSON array of violations,
// one readable line each, on stdout. An object of a group it has no schema for is a violation:
// nothing passes unvalidated.

const PACKAGES = {
  '': 'kubernetes-models',
  'keda.sh': '@kubernetes-models/keda',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'kafka.strimzi.io': '@kubernetes-models/strimzi-kafka-operator',
};

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const known = PACKAGES[group] ?? (group.includes('.') ? undefined : PACKAGES['']);
  if (!known) return { error: `no schema known for the API group ${group}` };
  const path = group ? `${known}/${group}/${version}` : `${known}/${version}`;
  let module;
  try {
    module = await import(path);
  } catch (error) {
    return { error: `no schema for ${apiVersion} (${path}: ${error.code ?? error.message})` };
  }
  const model = module[kind];
  return model ? { model } : { error: `no schema for ${apiVersion} ${kind}` };
}

const input = await new Promise((resolve, reject) => {
  const chunks = [];
  process.stdin.on('data', (chunk) => chunks.push(chunk));
  process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  process.stdin.on('error', reject);
});

const violations = [];
for (const object of JSON.parse(input)) {
  const where = `${object.kind}/${object.metadata?.name}`;
  const { model, error } = await modelFor(String(object.apiVersion), String(object.kind));
  if (error) {
    violations.push(`${where}: ${error}`);
    continue;
  }
  try {
    new model(object).validate();
  } catch (failure) {
    violations.push(`${where}: ${String(failure.message ?? failure).replace(/^Error: /, '')}`);
  }
}
process.stdout.write(JSON.stringify(violations));
