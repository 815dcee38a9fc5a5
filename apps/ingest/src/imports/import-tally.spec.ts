import { ImportTally, NO_ROWS } from './import-tally';

describe('ImportTally', () => {
  it('counts rows by outcome and keeps errors with their row and line', () => {
    const tally = new ImportTally(10);
    tally.accept(1);
    tally.reject(2, 3, [
      { field: 'email', reason: 'must be a valid e-mail address' },
      { field: 'company_domain', reason: 'must be a domain name such as example.com' },
    ]);
    tally.skipBlank(3);
    tally.accept(4);
    expect(tally.snapshot()).toEqual({
      rows: 4,
      accepted: 2,
      rejected: 1,
      blank: 1,
      errors: [
        { row: 2, line: 3, field: 'email', reason: 'must be a valid e-mail address' },
        { row: 2, line: 3, field: 'company_domain', reason: 'must be a domain name such as example.com' },
      ],
      errorsTruncated: 0,
    });
  });

  it('keeps the first errors and only counts the others', () => {
    const tally = new ImportTally(2);
    for (let row = 1; row <= 5; row++) tally.reject(row, row + 1, [{ field: 'email', reason: 'bad' }]);
    const counts = tally.snapshot();
    expect(counts.errors.map((e) => e.row)).toEqual([1, 2]);
    expect(counts.errorsTruncated).toBe(3);
    expect(counts.rejected).toBe(5);
  });

  it('continues from the counts of an import being resumed', () => {
    const tally = new ImportTally(1, { ...NO_ROWS, rows: 500, accepted: 499, rejected: 1, errors: [{ row: 7, line: 8, field: 'email', reason: 'bad' }] });
    tally.reject(501, 502, [{ field: 'email', reason: 'bad' }]);
    tally.accept(502);
    expect(tally.snapshot()).toMatchObject({ rows: 502, accepted: 500, rejected: 2, errorsTruncated: 1 });
    expect(tally.snapshot().errors).toEqual([{ row: 7, line: 8, field: 'email', reason: 'bad' }]);
  });

  it('gives snapshots that later rows do not change', () => {
    const tally = new ImportTally(5);
    tally.reject(1, 2, [{ field: 'email', reason: 'bad' }]);
    const before = tally.snapshot();
    tally.reject(2, 3, [{ field: 'email', reason: 'bad' }]);
    expect(before.errors).toHaveLength(1);
  });

  it('refuses rows out of order, which would make the committed mark a lie', () => {
    const tally = new ImportTally(5);
    tally.accept(1);
    expect(() => tally.accept(3)).toThrow('rows must be handled in order: got 3 after 1');
  });
});
