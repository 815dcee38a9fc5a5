import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The newest server installed the Debian way (`/usr/lib/postgresql/<major>/bin`). */
function defaultBinDir(): string {
  const majors = existsSync(DEBIAN_ROOT) ? readdirSync(DEBIAN_ROOT).filter((d) => /^\d+$/.test(d)) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server under ${DEBIAN_ROOT}; set POSTGRES_BIN_DIR to the directory holding initdb and pg_ctl`);
  return join(DEBIAN_ROOT, newest, 'bin');
}

/**
 * A PostgreSQL cluster of the run's own (initdb into a temporary directory, pg_ctl on a free
 * port), for runs that crash and restart the database without touching the shared one. initdb
 * refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
export class PrivatePostgres {
  port = 0;
  private dir = '';
  private readonly binDir: string;

  constructor(options: { binDir?: string } = {}) {
    this.binDir = options.binDir ?? process.env.POSTGRES_BIN_DIR ?? defaultBinDir();
  }

  /** A URL to the server's `postgres` database (IsolatedEnv creates its own next to it). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  async start(): Promise<void> {
    if (!this.dir) {
      this.port = await freePort();
      this.dir = mkdtempSync(join(tmpdir(), 'leadpipe-pg-'));
      if (asRoot()) {
        const { stdout } = await run('id', ['-u', 'postgres']);
        const { stdout: gid } = await run('id', ['-g', 'postgres']);
        chownSync(this.dir, Number(stdout.trim()), Number(gid.trim()));
      }
      await this.pg('initdb', ['-D', this.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    }
    // fsync off: the faults here crash processes, not the machine, so the page cache survives
    // them; it spares a shared machine's disk.
    const settings = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=200',
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c shared_buffers=64MB',
    ].join(' ');
    await this.pg('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', '-o', settings, 'start']);
  }

  /** `pg_ctl stop -m immediate`: every server process quits without a checkpoint, as in a crash; the next start recovers from the WAL. */
  async crash(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    if (!this.dir) return;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = '';
  }

  private async pg(binary: string, args: string[]): Promise<void> {
    const path = join(this.binDir, binary);
    const [command, argv] = asRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    await run(command, argv, { timeout: 120_000, cwd: tmpdir() });
  }
}

function asRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
