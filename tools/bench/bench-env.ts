import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, IsolatedEnv, ROOT, ServiceName, ServiceProcess, waitFor } from '../harness';

/** `--env NAME=VALUE` arguments as an environment for the services. */
export function parseEnvPairs(pairs: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`--env takes NAME=VALUE, got ${pair}`);
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

/** Polls with a deadline (see tools/harness waitFor), in the benchmark's argument order. */
export function poll<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
  intervalMs = 250,
  signal?: AbortSignal,
): Promise<T> {
  return waitFor(probe, { timeoutMs, intervalMs, what, signal });
}

/**
 * An isolated slice of the local Kafka, PostgreSQL and Redis for one benchmark run, with any
 * number of processes per service (replicas), logging to `.run/bench-logs/<id>/`.
 */
export class BenchEnv extends IsolatedEnv {
  readonly logDir = join(ROOT, '.run', 'bench-logs', this.id);
  readonly processes: ServiceProcess[] = [];

  constructor(brokers: string, databaseUrl: string, redisUrl: string) {
    super({ brokers, databaseUrl, redisUrl, idPrefix: 'bench' });
  }

  override async setUp(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    await super.setUp();
  }

  /** Starts one more process of `name` (with `nodeArgs` for node itself); resolves when it reports ready. */
  async start(name: ServiceName, env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<ServiceProcess> {
    const n = this.processes.filter((p) => p.name === name).length + 1;
    const service = new ServiceProcess(name, await freePort(), this.serviceEnv({ NODE_ENV: 'production', ...env }), this.logDir, `${name}-${n}`, nodeArgs);
    this.processes.push(service);
    await service.start();
    return service;
  }

  /** Stops every process (in parallel), then removes the topics, groups, keys and database. */
  override async dispose(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    await super.dispose();
  }
}
