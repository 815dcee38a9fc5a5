import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (user + system) of processes, read from /proc, for splitting a benchmark's cost
 * between the pipeline's services and the infrastructure they share the machine with. Linux only;
 * elsewhere every figure is 0.
 */

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports.

/** Which shared component a process belongs to, by its command name; null for the rest. */
function componentOf(comm: string): string | null {
  if (comm === 'postgres') return 'postgres';
  if (comm === 'java') return 'kafka';
  if (comm === 'redis-server') return 'redis';
  return null;
}

/** utime + stime of one process in seconds, and its command name; null once it has exited. */
function processCpu(pid: number): { comm: string; seconds: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // Fields after the command: state is [0], utime [11], stime [12].
    return { comm, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** Busy and total time of the whole machine (all CPUs), from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy: busy / TICKS_PER_SECOND, total: (busy + idle + iowait) / TICKS_PER_SECOND };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export interface CpuSnapshot {
  /** Seconds per named process (the services, by pid). */
  named: Map<string, number>;
  /** Seconds per shared component, per pid (a pid is counted from the first snapshot that sees it). */
  shared: Map<string, Map<number, number>>;
  self: NodeJS.CpuUsage;
  machine: { busy: number; total: number };
}

export function cpuSnapshot(named: ReadonlyMap<string, number | undefined>): CpuSnapshot {
  const namedSeconds = new Map<string, number>();
  for (const [name, pid] of named) namedSeconds.set(name, pid === undefined ? 0 : (processCpu(pid)?.seconds ?? 0));
  const shared = new Map<string, Map<number, number>>();
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
    shared.get(component)!.set(pid, cpu.seconds);
  }
  return { named: namedSeconds, shared, self: process.cpuUsage(), machine: machineCpu() };
}

export interface CpuFigures {
  /** CPU seconds spent between the snapshots, by process or component, highest first. */
  seconds: Array<{ what: string; seconds: number }>;
  /** Busy share of the whole machine over the interval (0..1), all processes included. */
  machineBusy: number;
}

/**
 * What each process and component used between two snapshots. Processes of a shared component
 * that exited in between are not counted (their last figures are gone); ones started in between
 * are counted from zero. The machine's busy time not accounted for comes last, as `other`.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, benchmarkLabel: string): CpuFigures {
  const seconds: CpuFigures['seconds'] = [];
  for (const [name, end] of after.named) seconds.push({ what: name, seconds: end - (before.named.get(name) ?? 0) });
  for (const [component, pids] of after.shared) {
    let total = 0;
    for (const [pid, end] of pids) total += end - (before.shared.get(component)?.get(pid) ?? 0);
    seconds.push({ what: component, seconds: total });
  }
  seconds.push({ what: benchmarkLabel, seconds: (after.self.user + after.self.system - before.self.user - before.self.system) / 1e6 });
  seconds.sort((a, b) => b.seconds - a.seconds);
  // What the machine did besides: processes that exited in between (PostgreSQL's autovacuum
  // workers come and go), everything else running, and the kernel's own threads.
  const busy = after.machine.busy - before.machine.busy;
  const counted = seconds.reduce((sum, c) => sum + c.seconds, 0);
  seconds.push({ what: 'other (exited, kernel, rest)', seconds: Math.max(0, busy - counted) });
  const total = after.machine.total - before.machine.total;
  return { seconds, machineBusy: total > 0 ? busy / total : 0 };
}
