import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { waitFor } from './wait-for';

export type ServiceName = 'ingest' | 'enricher' | 'validator' | 'notifier';

/** The repository root, whether this runs from the sources or from `dist/`. */
export const ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'apps'))) return dir;
  }
  throw new Error(`no repository root above ${from}`);
}
const PORT_VARIABLE: Record<ServiceName, string> = {
  ingest: 'INGEST_PORT',
  enricher: 'ENRICHER_PORT',
  validator: 'VALIDATOR_PORT',
  notifier: 'NOTIFIER_PORT',
};

/**
 * One service of the pipeline running as its own process from the compiled build, as in
 * production, so tests can kill -9 it and start it again.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  private exited?: Promise<number | null>;
  readonly url: string;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    /** Log file name without `.log`; replicas of one service need their own. */
    private readonly logName: string = name,
    /** Flags for node itself (`--cpu-prof`, which NODE_OPTIONS does not take). */
    private readonly nodeArgs: readonly string[] = [],
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** The process id while it runs (to read its memory from /proc, for instance). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
  }

  async start(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    this.log = createWriteStream(join(this.logDir, `${this.logName}.log`), { flags: 'a' });
    const entry = join(ROOT, 'dist', 'apps', this.name, 'src', 'main.js');
    const child = spawn(process.execPath, [...this.nodeArgs, entry], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env, [PORT_VARIABLE[this.name]]: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    // A process that exits before it is ready ends the wait at once, with its exit status.
    const exitedEarly = new AbortController();
    this.exited = new Promise((resolveExit) =>
      child.once('exit', (code, signal) => {
        exitedEarly.abort(new Error(`${this.name} exited with ${signal ?? `code ${code}`} before it was ready (see ${this.logDir}/${this.logName}.log)`));
        resolveExit(code);
      }),
    );
    await waitFor(async () => (await fetch(`${this.url}/health/ready`)).ok, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `${this.name} ready`,
      signal: exitedEarly.signal,
    });
  }

  /** SIGKILL: no drain, no commit: the crash case. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait for a clean exit. Resolves with the exit code. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited!;
    } finally {
      clearTimeout(timer);
      this.log?.end();
    }
  }
}
