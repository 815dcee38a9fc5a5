import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);
const SCRIPT = resolve(__dirname, '../../scripts/kafka.sh');

/**
 * A Kafka broker of the suite's own (same script as the shared one, another port and run
 * dir), for tests that stop and restart the broker without disturbing anyone else.
 */
export class PrivateBroker {
  brokers = '';
  private runDir = '';

  async start(): Promise<void> {
    if (!this.brokers) {
      const port = await freePort();
      this.brokers = `127.0.0.1:${port}`;
      this.runDir = resolve(__dirname, '../../.run', `broker-${port}`);
    }
    await this.script('start');
  }

  async stop(): Promise<void> {
    await this.script('stop');
  }

  async destroy(): Promise<void> {
    if (!this.brokers) return;
    await this.script('stop');
    rmSync(this.runDir, { recursive: true, force: true });
  }

  private async script(command: string): Promise<void> {
    await run('bash', [SCRIPT, command], {
      env: { ...process.env, KAFKA_BROKERS: this.brokers, LEADPIPE_RUN_DIR: this.runDir },
      timeout: 180_000,
    });
  }
}
