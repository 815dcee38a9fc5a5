import { cpuBetween, CpuSnapshot, cpuSnapshot, postgresFaultHint } from './cpu-usage';

const snapshot = (at: number): CpuSnapshot => ({
  named: new Map([['validator', new Map([[7, { seconds: 10 * at, faults: 1_000 * at }]])]]),
  shared: new Map([['postgres', new Map([[42, { seconds: 20 * at, faults: 30_000 * at }]])]]),
  self: { seconds: at, faults: 100 * at },
  machine: { busy: 40 * at, total: 50 * at, faults: 35_000 * at },
});

describe('cpuBetween', () => {
  it('splits CPU seconds and page faults by process, with the rest of the machine as other', () => {
    const figures = cpuBetween(snapshot(1), snapshot(2), 'bench');
    expect(figures.seconds).toEqual([
      { what: 'postgres', seconds: 20, faults: 30_000 },
      { what: 'validator', seconds: 10, faults: 1_000 },
      { what: 'bench', seconds: 1, faults: 100 },
      { what: 'other (exited, kernel, rest)', seconds: 9, faults: 3_900 },
    ]);
    expect(figures.machineBusy).toBeCloseTo(0.8);
  });

  it('sums the processes of a named group; a replica restarted in between counts from zero, the one it replaced not at all', () => {
    const before = snapshot(1);
    before.named.get('validator')!.set(8, { seconds: 4, faults: 40 });
    const after = snapshot(2);
    // Pid 8 was stopped and pid 9 started in its place.
    after.named.get('validator')!.set(9, { seconds: 3, faults: 30 });
    expect(cpuBetween(before, after, 'bench').seconds.find((c) => c.what === 'validator')).toEqual({ what: 'validator', seconds: 13, faults: 1_030 });
  });

  it('counts a process first seen in the second snapshot from zero', () => {
    const after = snapshot(2);
    after.shared.get('postgres')!.set(43, { seconds: 3, faults: 500 });
    expect(cpuBetween(snapshot(1), after, 'bench').seconds.find((c) => c.what === 'postgres')).toEqual({ what: 'postgres', seconds: 23, faults: 30_500 });
  });
});

describe('cpuSnapshot', () => {
  it('reads each process of a named group (the replicas of a service), skipping a stopped one (no pid)', () => {
    // Burn some CPU so this process has whole ticks to count.
    for (const until = Date.now() + 50; Date.now() < until; );
    const snap = cpuSnapshot(new Map([['group', [process.pid, undefined]], ['none', [undefined]]]));
    expect([...snap.named.get('group')!.keys()]).toEqual([process.pid]);
    expect(snap.named.get('group')!.get(process.pid)!.seconds).toBeGreaterThan(0);
    expect(snap.named.get('group')!.get(process.pid)!.faults).toBeGreaterThan(0);
    expect(snap.named.get('none')!.size).toBe(0);
  });
});

describe('postgresFaultHint', () => {
  const figures = (faults: number) => ({ seconds: [{ what: 'postgres', seconds: 10, faults }], machineBusy: 0.9 });

  it('points at the malloc settings when PostgreSQL faults often on a machine where faults are slow', () => {
    expect(postgresFaultHint(figures(240_000), 20_000, 15)).toBe(
      "PostgreSQL took 12.0 page faults per lead at 15 µs each (about 0.18 CPU-s per 1 000 leads): its server's MALLOC_* settings remove most of them (README, \"PostgreSQL's memory allocator\")",
    );
  });

  it('says nothing when the faults are few or cheap', () => {
    expect(postgresFaultHint(figures(70_000), 20_000, 15)).toBeNull();
    expect(postgresFaultHint(figures(240_000), 20_000, 0.3)).toBeNull();
    expect(postgresFaultHint({ seconds: [], machineBusy: 0 }, 20_000, 15)).toBeNull();
  });
});
