/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, as `npm run bench:pipeline -- --profile`
 * writes them): per profile, the functions with the most self time, and self time grouped by
 * where the code lives (a package in node_modules, a file of ours, Node's internals, GC).
 *
 *   npm run bench:cpu-profile -- <dir or .cpuprofile files> [--top 25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../harness';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

/** Where a frame's code lives: `pkg:<name>` for node_modules, the repo-relative file, `node:internal`, or a V8 pseudo-frame. */
export function locationOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return `pkg:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (path.startsWith('node:')) return 'node:internal';
  return relative(ROOT, path).replace(/^dist\//, '');
}

/** Self time per function and per location, from the profile's samples and time deltas. */
export function summarise(profile: CpuProfile): { totalMs: number; functions: SelfTime[]; locations: SelfTime[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const loc = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = locationOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${url ? `${where}:${lineNumber + 1}` : ''}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    loc.set(where, (loc.get(where) ?? 0) + us);
  }
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m.entries()].map(([name, us]) => ({ name, ms: us / 1000, share: us / totalUs })).sort((a, b) => b.ms - a.ms);
  return { totalMs: totalUs / 1000, functions: rank(fn), locations: rank(loc) };
}

function files(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => join(p, f))
      : [p],
  );
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  const top = Number(values.top);
  const list = files(positionals);
  if (list.length === 0) throw new Error('give a directory of .cpuprofile files or the files');
  for (const file of list) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const { totalMs, functions, locations } = summarise(profile);
    const busy = functions.filter((f) => f.name !== '(idle)').reduce((a, f) => a + f.ms, 0);
    console.log(`\n${basename(file)}: ${(totalMs / 1000).toFixed(1)} s profiled, ${(busy / 1000).toFixed(1)} s not idle`);
    const ofBusy = (s: SelfTime) => (s.name === '(idle)' ? '' : `${((100 * s.ms) / busy).toFixed(1)} %`);
    const line = (s: SelfTime) => `    ${`${s.ms.toFixed(0)} ms`.padStart(10)} ${`${(100 * s.share).toFixed(1)} %`.padStart(7)} ${ofBusy(s).padStart(7)}  ${s.name}`;
    console.log('  self time by location           (of all / of busy)');
    for (const l of locations.slice(0, 15)) console.log(line(l));
    console.log(`  top ${top} functions by self time`);
    for (const f of functions.slice(0, top)) console.log(line(f));
  }
}

if (require.main === module) main();
