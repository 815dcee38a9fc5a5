/**
 * Runs the Netrows simulator: `node dist/tools/netrows-simulator/main.js`.
 * Configured by NETROWS_SIM_* variables (see README.md); logs one JSON line per lifecycle event.
 */
import { createNetrowsSimulator, SimulatorConfigError, simulatorOptionsFromEnv, type NetrowsSimulator } from './src';

function log(level: 'info' | 'error' | 'fatal', msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, time: new Date().toISOString(), name: 'netrows-simulator', msg, ...fields });
  if (level === 'info') process.stdout.write(`${line}\n`);
  else process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  let simulator: NetrowsSimulator;
  try {
    const options = simulatorOptionsFromEnv(process.env);
    simulator = await createNetrowsSimulator(options);
    log('info', 'netrows simulator listening', {
      url: simulator.url,
      admin: `${simulator.origin}/_sim/stats`,
      rateLimitPerMinute: options.rateLimitPerMinute,
      notFoundShare: options.notFoundShare,
      // The number of keys only: key values stay out of logs.
      apiKeys: options.apiKeys?.length ?? 0,
      faults: options.faults,
    });
  } catch (error) {
    if (error instanceof SimulatorConfigError) log('fatal', error.message, { issues: error.issues });
    else log('fatal', 'netrows simulator failed to start', { error: (error as Error).message });
    process.exitCode = 1;
    return;
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    simulator.close().then(
      () => log('info', 'netrows simulator stopped', { signal }),
      (error: unknown) => {
        log('error', 'netrows simulator failed to stop cleanly', { signal, error: (error as Error).message });
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
