import { cpuBetween, CpuSnapshot, cpuSnapshot, postgresFaultHint } from './cpu-usage';

const snapshot = (at: number): CpuSnapshot => ({
  named: new Map([['validator', { seconds: 10 * at, faults: 1_000 * at }]]),
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

  it('counts a process first seen in the second snapshot from zero', () => {
    const after = snapshot(2);
    after.shared.get('postgres')!.set(43, { seconds: 3, faults: 500 });
    expect(cpuBetween(snapshot(1), after, 'bench').seconds.find((c) => c.what === 'postgres')).toEqual({ what: 'postgres', seconds: 23, faults: 30_500 });
  });
});

describe('cpuSnapshot', () => {
  it('sums the processes of a named group (the replicas of a service), a stopped one (no pid) as nothing', () => {
    // Burn some CPU so this process has whole ticks to count.
    for (const until = Date.now() + 50; Date.now() < until; );
    const snap = cpuSnapshot(new Map([['one', [process.pid]], ['two', [process.pid, undefined, process.pid]], ['none', [undefined]]]));
    const one = snap.named.get('one')!;
    expect(one.seconds).toBeGreaterThan(0);
    expect(one.faults).toBeGreaterThan(0);
    // Read a moment apart: the second reading may be a tick later.
    expect(snap.named.get('two')!.seconds).toBeGreaterThanOrEqual(2 * one.seconds);
    expect(snap.named.get('two')!.seconds).toBeLessThanOrEqual(2 * one.seconds + 0.05);
    expect(snap.named.get('two')!.faults).toBeGreaterThanOrEqual(2 * one.faults);
    expect(snap.named.get('none')).toEqual({ seconds: 0, faults: 0 });
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
