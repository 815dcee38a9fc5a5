import { formatMachineReference, measureMachineReference } from './machine-reference';

describe('machine reference', () => {
  it('times the fixed workload and says which machine ran it', () => {
    const ref = measureMachineReference();
    expect(ref.ms).toBeGreaterThan(0);
    expect(ref.pageFaultMicros).toBeGreaterThan(0);
    expect(ref.cores).toBeGreaterThanOrEqual(1);
    expect(ref.node).toBe(process.version);
    expect(formatMachineReference(ref)).toBe(
      `machine: ${ref.cores} × ${ref.cpu}, Node ${ref.node}; reference workload ${ref.ms} ms (10000 events of 5 kB serialised, parsed and hashed on one core; lower is faster); ` +
        `page fault ${ref.pageFaultMicros} µs (fresh memory touched a page at a time; well under 1 µs on bare metal)`,
    );
  });
});
