import { LineProgressReporter } from './import-progress.reporter';

describe('LineProgressReporter', () => {
  it('writes at most one line per period and always one at the end of a phase', () => {
    const lines: string[] = [];
    let clock = 0;
    const reporter = new LineProgressReporter((line) => lines.push(line), 1_000, () => clock);

    reporter.start('following', 10);
    reporter.update(1, 10, 'enriched 1');
    clock = 999;
    reporter.update(2, 10, 'enriched 2');
    clock = 1_000;
    reporter.update(3, 10, 'enriched 3');
    clock = 1_500;
    reporter.update(10, 10, 'enriched 10');
    reporter.stop();
    reporter.stop();

    expect(lines).toEqual(['[following] 3/10 enriched 3', '[following] 10/10 enriched 10']);
  });
});
