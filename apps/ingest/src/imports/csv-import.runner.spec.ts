import type { CreateLeadBody } from '../create-lead.dto';
import { CsvImportError } from './csv-import.error';
import { CsvImportPlan, ImportStoppedError, runCsvImport } from './csv-import.runner';
import type { CsvRecord } from './csv-records';
import { ImportCounts, NO_ROWS } from './import-tally';

const HEADER = ['Email', 'First Name'];
const good = (i: number): string[] => [`lead${i}@acme-corp.com`, `Lead ${i}`];

/** Records from cell arrays, header first; `after` runs when the consumer pulls past the last one. */
async function* recordsOf(rows: string[][], opts: { pulled?: { count: number }; after?: () => never; closed?: { value: boolean } } = {}): AsyncGenerator<CsvRecord> {
  try {
    for (const [i, cells] of rows.entries()) {
      if (opts.pulled) opts.pulled.count += 1;
      yield { cells, line: i + 1 };
    }
    opts.after?.();
  } finally {
    if (opts.closed) opts.closed.value = true;
  }
}

interface Commit {
  emails: (string | undefined)[];
  counts: ImportCounts;
  done: boolean;
}

function plan(overrides: Partial<CsvImportPlan> = {}, commits: Commit[] = []): CsvImportPlan {
  return {
    chunkSize: 2,
    maxRows: 1_000,
    maxErrors: 10,
    begin: async () => ({ importId: 'import-1', counts: NO_ROWS }),
    commit: async (bodies: readonly CreateLeadBody[], counts: ImportCounts, done: boolean) => {
      commits.push({ emails: bodies.map((b) => b.email), counts, done });
    },
    ...overrides,
  };
}

async function stopped(promise: Promise<unknown>): Promise<ImportStoppedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImportStoppedError) return error;
    throw error;
  }
  throw new Error('expected the import to stop');
}

describe('runCsvImport', () => {
  it('counts the rows its screen refuses (erased people) as rejected with the reason, and stores the rest', async () => {
    const commits: Commit[] = [];
    const screen = async (bodies: readonly CreateLeadBody[]) =>
      bodies.flatMap((b, index) => (b.email === 'lead2@acme-corp.com' ? [{ index, field: 'email', reason: 'suppressed: this person asked to be erased' }] : []));
    const run = await runCsvImport(recordsOf([HEADER, good(1), good(2), good(3)]), plan({ screen }, commits));
    expect(commits.map((c) => c.emails)).toEqual([['lead1@acme-corp.com'], ['lead3@acme-corp.com']]);
    expect(run.counts).toMatchObject({ rows: 3, accepted: 2, rejected: 1, errors: [{ row: 2, line: 3, field: 'email', reason: 'suppressed: this person asked to be erased' }] });
  });

  it('refuses a file without an identity column before the import begins', async () => {
    const begin = jest.fn();
    await expect(runCsvImport(recordsOf([['First Name', 'Company'], ['Ada', 'Acme']]), plan({ begin }))).rejects.toEqual(
      new CsvImportError('no_identity_column', 'the header has neither an e-mail nor a LinkedIn column (found: First Name, Company)'),
    );
    expect(begin).not.toHaveBeenCalled();
  });

  it('refuses an empty file', async () => {
    await expect(runCsvImport(recordsOf([]), plan())).rejects.toMatchObject({ code: 'empty_file' });
  });

  it('commits valid rows a chunk at a time, each with the counts through its last row', async () => {
    const commits: Commit[] = [];
    const run = await runCsvImport(
      recordsOf([HEADER, good(1), ['nope', 'Bad'], good(3), ['', ''], good(5), good(6), ['', 'Only a name']]),
      plan({}, commits),
    );
    expect(commits.map((c) => [c.emails, c.counts.rows, c.counts.accepted, c.counts.rejected, c.counts.blank, c.done])).toEqual([
      [['lead1@acme-corp.com', 'lead3@acme-corp.com'], 3, 2, 1, 0, false],
      [['lead5@acme-corp.com', 'lead6@acme-corp.com'], 6, 4, 1, 1, false],
      [[], 7, 4, 2, 1, true],
    ]);
    expect(run).toEqual({ importId: 'import-1', counts: commits[2].counts, resumedAfterRow: 0 });
    expect(run.counts.errors).toEqual([
      { row: 2, line: 3, field: 'email', reason: 'must be a valid e-mail address' },
      { row: 7, line: 8, field: 'email', reason: 'at least one of email or linkedin_url is required' },
    ]);
  });

  it('reads no further record while a chunk is being committed (backpressure)', async () => {
    const pulled = { count: 0 };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let firstCommit!: () => void;
    const committing = new Promise<void>((resolve) => (firstCommit = resolve));
    const rows = [HEADER, ...Array.from({ length: 10 }, (_, i) => good(i + 1))];
    const done = runCsvImport(
      recordsOf(rows, { pulled }),
      plan({
        chunkSize: 3,
        commit: async () => {
          firstCommit();
          await gate;
        },
      }),
    );
    await committing;
    expect(pulled.count).toBe(4); // the header and the chunk's three rows, nothing more
    release();
    await expect(done).resolves.toMatchObject({ counts: { rows: 10, accepted: 10 } });
    expect(pulled.count).toBe(11);
  });

  it('skips the rows an earlier upload of the import committed, unread', async () => {
    const commits: Commit[] = [];
    const earlier: ImportCounts = { ...NO_ROWS, rows: 2, accepted: 1, rejected: 1, errors: [{ row: 2, line: 3, field: 'email', reason: 'bad' }] };
    const run = await runCsvImport(
      recordsOf([HEADER, good(1), ['nope', ''], good(3), good(4)]),
      plan({ begin: async () => ({ importId: 'import-1', counts: earlier }) }, commits),
    );
    expect(commits.map((c) => [c.emails, c.done])).toEqual([
      [['lead3@acme-corp.com', 'lead4@acme-corp.com'], false],
      [[], true],
    ]);
    expect(run.resumedAfterRow).toBe(2);
    expect(run.counts).toMatchObject({ rows: 4, accepted: 3, rejected: 1, errors: earlier.errors });
  });

  it('handles the rows up to the row limit, commits them, then stops', async () => {
    const commits: Commit[] = [];
    const closed = { value: false };
    const error = await stopped(runCsvImport(recordsOf([HEADER, good(1), good(2), good(3), good(4), good(5)], { closed }), plan({ maxRows: 3 }, commits)));
    expect(error.failure.code).toBe('row_limit');
    expect(error.run.counts).toMatchObject({ rows: 3, accepted: 3 });
    expect(commits.flatMap((c) => c.emails)).toEqual(['lead1@acme-corp.com', 'lead2@acme-corp.com', 'lead3@acme-corp.com']);
    expect(commits.some((c) => c.done)).toBe(false);
    expect(closed.value).toBe(true);
  });

  it('commits the rows read in full when the upload breaks off, and reports the break', async () => {
    const commits: Commit[] = [];
    const error = await stopped(
      runCsvImport(
        recordsOf([HEADER, good(1), good(2), good(3)], {
          after: () => {
            throw new CsvImportError('client_disconnected', 'gone');
          },
        }),
        plan({}, commits),
      ),
    );
    expect(error.failure).toEqual(new CsvImportError('client_disconnected', 'gone'));
    expect(error.run.counts).toMatchObject({ rows: 3, accepted: 3 });
    expect(commits.map((c) => [c.counts.rows, c.done])).toEqual([
      [2, false],
      [3, false],
    ]);
  });

  it('writes nothing more once a commit failed, and reports what was committed before', async () => {
    const commits: Commit[] = [];
    let calls = 0;
    const error = await stopped(
      runCsvImport(
        recordsOf([HEADER, good(1), good(2), good(3), good(4), good(5)]),
        plan({
          commit: async (bodies, counts, done) => {
            calls += 1;
            if (calls === 2) throw new Error('connection terminated');
            commits.push({ emails: bodies.map((b) => b.email), counts, done });
          },
        }),
      ),
    );
    expect(error.failure.code).toBe('storage_failed');
    expect(error.failure.message).toBe('storing a chunk failed: connection terminated');
    expect(error.run.counts).toMatchObject({ rows: 2, accepted: 2 });
    expect(calls).toBe(2);
  });

  it('stops when a newer upload of the import took over', async () => {
    const error = await stopped(
      runCsvImport(
        recordsOf([HEADER, good(1), good(2)]),
        plan({
          commit: async () => {
            throw new CsvImportError('superseded', 'a newer upload of this import took over');
          },
        }),
      ),
    );
    expect(error.failure.code).toBe('superseded');
    expect(error.run.counts).toEqual(NO_ROWS);
  });

  it('stops before the next row once aborted (shutdown), keeping what it read', async () => {
    const shutdown = new AbortController();
    const commits: Commit[] = [];
    const error = await stopped(
      runCsvImport(
        recordsOf([HEADER, good(1), good(2), good(3), good(4)]),
        plan(
          {
            signal: shutdown.signal,
            commit: async (bodies, counts, done) => {
              commits.push({ emails: bodies.map((b) => b.email), counts, done });
              shutdown.abort();
            },
          },
          commits,
        ),
      ),
    );
    expect(error.failure).toEqual(new CsvImportError('stopped', 'ingest is shutting down; rows 1-2 were handled'));
    expect(commits.map((c) => c.counts.rows)).toEqual([2]);
  });
});
