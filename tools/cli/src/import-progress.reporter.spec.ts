import { PassThrough } from 'node:stream';
import { BarProgressReporter, LineProgressReporter } from './import-progress.reporter';

describe('LineProgressReporter', () => {
  it('writes at most one line per period, with the rate and ETA, and always one at the end of a phase', () => {
    const lines: string[] = [];
    let clock = 0;
    const reporter = new LineProgressReporter((line) => lines.push(line), 1_000, () => clock);

    reporter.start('following', 10);
    reporter.update(1, 10, 'enriched 1');
    clock = 999;
    reporter.update(2, 10, 'enriched 2');
    clock = 1_000;
    reporter.update(3, 10, 'enriched 3');
    clock = 2_000;
    reporter.update(10, 10, 'enriched 10');
    reporter.stop();
    reporter.stop();

    expect(lines).toEqual([
      '[following] 3/10 leads, 3.0 leads/s, ETA 2s, enriched 3',
      '[following] 10/10 leads, 5.0 leads/s, ETA 0s, enriched 10',
    ]);
  });

  it('shows the pace of a phase that finished within a second on its last line', () => {
    const lines: string[] = [];
    let clock = 0;
    const reporter = new LineProgressReporter((line) => lines.push(line), 5_000, () => clock);
    reporter.start('submitting', 300);
    clock = 250;
    reporter.update(300, 300, 'accepted 300, rejected 0');
    reporter.stop();
    expect(lines).toEqual(['[submitting] 300/300 rows, 1200.0 rows/s, ETA 0s, accepted 300, rejected 0']);
  });

  it('does not count what was done before the phase as pace', () => {
    const lines: string[] = [];
    let clock = 0;
    const reporter = new LineProgressReporter((line) => lines.push(line), 1_000, () => clock);
    reporter.start('following', 5_760, 4_589);
    clock = 1_000;
    reporter.update(4_590, 5_760, '');
    clock = 11_000;
    reporter.update(4_690, 5_760, '');
    expect(lines).toEqual(['[following] 4590/5760 leads, 1.0 leads/s, ETA 19m30s', '[following] 4690/5760 leads, 9.2 leads/s, ETA 1m57s']);
  });

  it('says so while the total is unknown, and prints log lines as they come', () => {
    const lines: string[] = [];
    let clock = 0;
    const reporter = new LineProgressReporter((line) => lines.push(line), 5_000, () => clock);
    reporter.start('submitting', null);
    clock = 5_000;
    reporter.update(200, null, 'accepted 200, rejected 0');
    reporter.log('row 1 abc enriched: score 72');
    expect(lines).toEqual(['[submitting] 200/? rows, 40.0 rows/s, ETA --, accepted 200, rejected 0', 'row 1 abc enriched: score 72']);
  });
});

describe('BarProgressReporter', () => {
  it('prints log lines above the bar and flushes them when the phase stops', () => {
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    const reporter = new BarProgressReporter(stream);

    reporter.start('following', 2);
    reporter.update(1, 2, 'enriched 1');
    reporter.log('row 1 abc enriched: score 72');
    reporter.stop();

    expect(written).toContain('row 1 abc enriched: score 72\n');
    expect(written).toContain('1/2 leads');
  });
});
