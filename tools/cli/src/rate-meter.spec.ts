import { formatDuration, RateMeter } from './rate-meter';

describe('RateMeter', () => {
  it('has no pace until the samples span a second, then gives items per second and the time left', () => {
    let clock = 0;
    const meter = new RateMeter(20_000, () => clock);
    meter.reset();
    clock = 500;
    meter.record(100);
    expect(meter.perSecond()).toBeNull();
    expect(meter.etaSeconds(1_000)).toBeNull();
    clock = 2_000;
    meter.record(400);
    expect(meter.perSecond()).toBe(200);
    expect(meter.etaSeconds(1_000)).toBe(3);
    expect(meter.etaSeconds(null)).toBeNull();
    expect(meter.etaSeconds(400)).toBe(0);
  });

  it('starts the pace at the first item done, not while the pipeline fills', () => {
    let clock = 0;
    const meter = new RateMeter(20_000, () => clock);
    meter.reset();
    for (clock = 1_000; clock <= 30_000; clock += 1_000) meter.record(0);
    for (clock = 31_000; clock <= 35_000; clock += 1_000) meter.record((clock - 30_000) / 100);
    expect(meter.perSecond()).toBe(10);
  });

  it('keeps an exact pace under an update per lookup', () => {
    let clock = 0;
    const meter = new RateMeter(10_000, () => clock);
    meter.reset();
    for (let done = 1; done <= 50_000; done += 1) {
      clock = done * 2;
      meter.record(done);
    }
    expect(meter.perSecond()).toBeCloseTo(500, 6);
    expect(meter.etaSeconds(60_000)).toBeCloseTo(20, 6);
  });

  it('paces by the recent window, so a stall shows as no ETA rather than an old average', () => {
    let clock = 0;
    const meter = new RateMeter(10_000, () => clock);
    meter.reset();
    for (clock = 1_000; clock <= 30_000; clock += 1_000) meter.record(clock / 10);
    expect(meter.perSecond()).toBe(100);
    const stalledAt = 3_000;
    for (clock = 31_000; clock <= 45_000; clock += 1_000) meter.record(stalledAt);
    expect(meter.perSecond()).toBe(0);
    expect(meter.etaSeconds(10_000)).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [42.4, '42s'],
    [185, '3m05s'],
    [7_380, '2h03m'],
  ])('formats %d seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
