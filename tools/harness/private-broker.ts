import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { ROOT } from './service-process';
import { waitFor } from './wait-for';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'scripts', 'kafka.sh');

/**
 * A Kafka broker of the suite's own (same script as the shared one, another port and run
 * dir), for tests and benchmarks that stop, kill and restart the broker without disturbing
 * anyone else.
 */
export class PrivateBroker {
  brokers = '';
  private runDir = '';

  /** Starts (or restarts) the broker; `env` reaches `scripts/kafka.sh` (for its test-only settings). */
  async start(env: Record<string, string> = {}): Promise<void> {
    if (!this.brokers) {
      const port = await freePort();
      this.brokers = `127.0.0.1:${port}`;
      this.runDir = join(ROOT, '.run', `broker-${port}`);
    }
    await this.script('start', env);
  }

  /** Graceful stop (SIGTERM, the broker's controlled shutdown). */
  async stop(): Promise<void> {
    await this.script('stop');
  }

  /** kill -9 of the broker JVM: no controlled shutdown, the log is recovered on the next start. */
  async kill(): Promise<void> {
    const pidFile = join(this.runDir, 'kafka', 'kafka.pid');
    let pid: number;
    try {
      pid = Number(readFileSync(pidFile, 'utf8').trim());
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 0) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    await waitFor(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `broker pid ${pid} gone` },
    );
    rmSync(pidFile, { force: true });
  }

  async destroy(): Promise<void> {
    if (!this.brokers) return;
    await this.script('stop');
    rmSync(this.runDir, { recursive: true, force: true });
  }

  private async script(command: string, env: Record<string, string> = {}): Promise<void> {
    await run('bash', [SCRIPT, command], {
      env: { ...process.env, ...env, KAFKA_BROKERS: this.brokers, LEADPIPE_RUN_DIR: this.runDir },
      timeout: 180_000,
    });
  }
}
