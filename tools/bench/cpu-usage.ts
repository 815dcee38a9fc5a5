import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (user + system) and minor page faults of processes, read from /proc, for splitting a
 * benchmark's cost between the pipeline's services and the infrastructure they share the machine
 * with. Linux only; elsewhere every figure is 0. Page faults are counted because on some virtual
 * machines each costs microseconds of system time (see `machine-reference.ts`).
 */

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports.

/** Which shared component a process belongs to, by its command name; null for the rest. */
function componentOf(comm: string): string | null {
  if (comm === 'postgres') return 'postgres';
  if (comm === 'java') return 'kafka';
  if (comm === 'redis-server') return 'redis';
  return null;
}

/** What a process has used so far: CPU seconds (user + system) and minor page faults. */
export interface Usage {
  seconds: number;
  faults: number;
}

/** The usage of one process, and its command name; null once it has exited. */
function processCpu(pid: number): (Usage & { comm: string }) | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // Fields after the command: state is [0], minflt [7], utime [11], stime [12].
    return { comm, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND, faults: Number(fields[7]) };
  } catch {
    return null;
  }
}

/** Busy and total time of the whole machine (all CPUs), from /proc/stat, and its page faults (/proc/vmstat). */
function machineCpu(): { busy: number; total: number; faults: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    const pgfault = /^pgfault (\d+)$/m.exec(readFileSync('/proc/vmstat', 'utf8'));
    return { busy: busy / TICKS_PER_SECOND, total: (busy + idle + iowait) / TICKS_PER_SECOND, faults: pgfault ? Number(pgfault[1]) : 0 };
  } catch {
    return { busy: 0, total: 0, faults: 0 };
  }
}

export interface CpuSnapshot {
  /** Usage per named group of processes (a service's replicas), per pid. */
  named: Map<string, Map<number, Usage>>;
  /** Usage per shared component, per pid (a pid is counted from the first snapshot that sees it). */
  shared: Map<string, Map<number, Usage>>;
  self: Usage;
  machine: { busy: number; total: number; faults: number };
}

const NONE: Usage = { seconds: 0, faults: 0 };
const plus = (a: Usage, b: Usage): Usage => ({ seconds: a.seconds + b.seconds, faults: a.faults + b.faults });
const minus = (end: Usage, start: Usage = NONE): Usage => ({ seconds: end.seconds - start.seconds, faults: end.faults - start.faults });

/** `named`: the pids of each group (a stopped process's undefined is skipped). */
export function cpuSnapshot(named: ReadonlyMap<string, ReadonlyArray<number | undefined>>): CpuSnapshot {
  const namedUsage = new Map<string, Map<number, Usage>>();
  for (const [name, pids] of named) {
    const usage = new Map<number, Usage>();
    for (const pid of pids) {
      const cpu = pid !== undefined && processCpu(pid);
      if (cpu) usage.set(pid!, { seconds: cpu.seconds, faults: cpu.faults });
    }
    namedUsage.set(name, usage);
  }
  const shared = new Map<string, Map<number, Usage>>();
  let pids: number[] = [];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number);
  } catch {
    // Not Linux: no shared components.
  }
  for (const pid of pids) {
    const cpu = processCpu(pid);
    const component = cpu && componentOf(cpu.comm);
    if (!cpu || !component) continue;
    if (!shared.has(component)) shared.set(component, new Map());
    shared.get(component)!.set(pid, cpu);
  }
  const self = process.resourceUsage();
  return {
    named: namedUsage,
    shared,
    self: { seconds: (self.userCPUTime + self.systemCPUTime) / 1e6, faults: self.minorPageFault },
    machine: machineCpu(),
  };
}

export interface CpuFigures {
  /** CPU seconds spent and minor page faults taken between the snapshots, by process or component, highest CPU first. */
  seconds: Array<{ what: string } & Usage>;
  /** Busy share of the whole machine over the interval (0..1), all processes included. */
  machineBusy: number;
}

/**
 * What each group of processes and each component used between two snapshots, summed over its
 * processes. A process that exited in between is not counted (its last figures are gone: they
 * fall into `other`); one started in between is counted from zero. The machine's busy time not
 * accounted for comes last, as `other`.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, benchmarkLabel: string): CpuFigures {
  const seconds: CpuFigures['seconds'] = [];
  const sum = (end: Map<number, Usage>, start: Map<number, Usage> | undefined): Usage =>
    [...end].map(([pid, usage]) => minus(usage, start?.get(pid))).reduce(plus, NONE);
  for (const [name, pids] of after.named) seconds.push({ what: name, ...sum(pids, before.named.get(name)) });
  for (const [component, pids] of after.shared) seconds.push({ what: component, ...sum(pids, before.shared.get(component)) });
  seconds.push({ what: benchmarkLabel, ...minus(after.self, before.self) });
  seconds.sort((a, b) => b.seconds - a.seconds);
  // What the machine did besides: processes that exited in between (PostgreSQL's autovacuum
  // workers come and go), everything else running, and the kernel's own threads.
  const busy = after.machine.busy - before.machine.busy;
  const faults = after.machine.faults - before.machine.faults;
  const counted = seconds.reduce<Usage>(plus, NONE);
  seconds.push({ what: 'other (exited, kernel, rest)', seconds: Math.max(0, busy - counted.seconds), faults: Math.max(0, faults - counted.faults) });
  const total = after.machine.total - before.machine.total;
  return { seconds, machineBusy: total > 0 ? busy / total : 0 };
}

/** Below these, PostgreSQL's faults are not worth a line: fewer a lead than the setting leaves by half, or too cheap to see. */
const HINT_MIN_FAULTS_PER_LEAD = 8;
const HINT_MIN_CPU_SECONDS_PER_THOUSAND = 0.02;

/**
 * A line for the operator when PostgreSQL's page faults are a visible cost: many faults per lead
 * on a machine where a fault is slow (its glibc `malloc` gives back what each statement frees;
 * the README's "PostgreSQL's memory allocator"). Null otherwise.
 */
export function postgresFaultHint(cpu: CpuFigures, leads: number, pageFaultMicros: number): string | null {
  const postgres = cpu.seconds.find((c) => c.what === 'postgres');
  if (!postgres || leads <= 0) return null;
  const perLead = postgres.faults / leads;
  const cpuSecondsPerThousand = (perLead * pageFaultMicros) / 1000;
  if (perLead < HINT_MIN_FAULTS_PER_LEAD || cpuSecondsPerThousand < HINT_MIN_CPU_SECONDS_PER_THOUSAND) return null;
  return (
    `PostgreSQL took ${perLead.toFixed(1)} page faults per lead at ${pageFaultMicros} µs each (about ${cpuSecondsPerThousand.toFixed(2)} CPU-s per 1 000 leads): ` +
    `its server's MALLOC_* settings remove most of them (README, "PostgreSQL's memory allocator")`
  );
}
