import { parse } from 'csv-parse/sync';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, type ImportOptions } from './cli-options';
import { EXIT_CODES } from './import-summary';
import { SILENT_PROGRESS } from './import-progress.reporter';
import { runImport, type ImportDependencies } from './import.command';
import { CsvInputError } from './lead-csv.reader';
import { startFakeIngest, type FakeIngest, type FakeIngestOptions } from './testing/fake-ingest.server';

const LEADS_CSV = [
  'E-mail,First Name,Last Name,Website,LinkedIn URL',
  'ada.lovelace@acme-corp.com, Ada ,Lovelace,acme-corp.com,',
  ',,,,https://www.linkedin.com/in/grace-hopper/?trk=public ',
  'john@,John,Smith,,',
  'unknown.person3@acme-corp.com,,,acme-corp.com,',
  ',,,,',
  ',Łukasz,Wójcik,,',
  ',,,,https://www.linkedin.com/company/acme/',
  'ZOE.BRENNAN@BLUEPEAK.IO,Zoë,Brennan,bluepeak.io,',
].join('\n');

describe('runImport', () => {
  let dir: string;
  let ingest: FakeIngest | null = null;
  const logs: string[] = [];
  const warnings: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'leadpipe-import-'));
    logs.length = 0;
    warnings.length = 0;
  });
  afterEach(async () => {
    await ingest?.close();
    ingest = null;
    await rm(dir, { recursive: true, force: true });
  });

  async function run(csv: string, fake: FakeIngestOptions, overrides: Partial<ImportOptions> = {}, deps: Partial<ImportDependencies> = {}) {
    ingest = await startFakeIngest(fake);
    const file = join(dir, 'leads.csv');
    await writeFile(file, csv);
    const options: ImportOptions = { file, ingestUrl: ingest.url, out: join(dir, 'out', 'enriched.csv'), concurrency: 3, timeoutSeconds: 30, ...overrides };
    const report = await runImport(options, {
      progress: SILENT_PROGRESS,
      log: (line) => logs.push(line),
      warn: (line) => warnings.push(line),
      client: { retryBaseDelayMs: 1, retryMaxDelayMs: 2, maxAttempts: 3 },
      pollInterval: { minMs: 1, maxMs: 5, factor: 2 },
      ...deps,
    });
    return { report, options };
  }

  it('imports, follows every lead to its end, writes the CSV and exits 0', async () => {
    const { report, options } = await run(LEADS_CSV, { unavailablePosts: 1, invisibleGets: 1, getsUntilTerminal: 2 });

    expect(report.exitCode).toBe(EXIT_CODES.ok);
    expect(report.summary).toMatchObject({
      rowsRead: 8,
      blankRows: 1,
      accepted: 5,
      byStatus: { enriched: 3, not_found: 1, invalid: 1, dead_lettered: 0 },
      pending: 0,
      providerCalls: 2 * 3 + 1,
      failed: [],
    });
    expect(report.summary.rejected).toEqual([
      { row: 3, line: 4, reason: 'email: must be a valid e-mail address' },
      { row: 6, line: 7, reason: 'email: email or linkedin_url is required' },
    ]);
    expect(logs.join('\n')).toContain('row 3: email: must be a valid e-mail address');
    expect(logs.at(-1)).toBe(`Wrote 5 leads to ${options.out}`);

    const [header, ...rows] = parse(await readFile(options.out, 'utf8')) as string[][];
    const records = rows.map((row) => Object.fromEntries(header.map((column, i) => [column, row[i]])));
    expect(records.map((r) => [r.row, r.status, r.input_email || r.input_linkedin_url])).toEqual([
      ['1', 'enriched', 'ada.lovelace@acme-corp.com'],
      ['2', 'enriched', 'https://www.linkedin.com/in/grace-hopper/?trk=public'],
      ['4', 'not_found', 'unknown.person3@acme-corp.com'],
      ['7', 'invalid', 'https://www.linkedin.com/company/acme/'],
      ['8', 'enriched', 'ZOE.BRENNAN@BLUEPEAK.IO'],
    ]);
    expect(records[4]).toMatchObject({ input_first_name: 'Zoë', person_full_name: 'Zoë Brennan', person_skills: 'SQL;Growth, B2B' });
    expect(records[0].lead_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exits 2 and writes pending leads when the timeout passes first', async () => {
    const { report, options } = await run(LEADS_CSV, { outcomeFor: (input) => (input.email?.startsWith('ada') ? 'enriched' : 'never') }, { timeoutSeconds: 0.05 });

    expect(report.exitCode).toBe(EXIT_CODES.pending);
    expect(report.summary).toMatchObject({ accepted: 5, pending: 4, byStatus: { enriched: 1 } });
    const rows = parse(await readFile(options.out, 'utf8')) as string[][];
    expect(rows.slice(1).map((r) => r[2])).toEqual(['enriched', 'received', 'received', 'received', 'received']);
  });

  it('exits 1 naming the URL when ingest is not reachable', async () => {
    const closed = await startFakeIngest();
    await closed.close();
    const { report } = await run(LEADS_CSV, {}, { ingestUrl: closed.url });

    expect(report.exitCode).toBe(EXIT_CODES.failure);
    expect(report.summary.fatal).toContain(`cannot reach ingest at ${closed.url}`);
    expect(logs.join('\n')).toContain(`Stopped early: cannot reach ingest at ${closed.url}`);
    expect(logs.at(-1)).toBe(`Nothing written to ${join(dir, 'out', 'enriched.csv')}`);
  });

  it('exits 1 when rows could not be submitted at all', async () => {
    const { report } = await run('email\nada@acme-corp.com\n', { unavailablePosts: 100 });
    expect(report.exitCode).toBe(EXIT_CODES.failure);
    expect(report.summary.failed).toEqual([{ row: 1, reason: 'POST failed: HTTP 503 after 3 attempts: Service Unavailable' }]);
  });

  it('stops and still writes what it knows when interrupted', async () => {
    const controller = new AbortController();
    const { report, options } = await run(
      LEADS_CSV,
      { outcomeFor: () => 'never' },
      {},
      { signal: controller.signal, progress: { start: () => undefined, stop: () => undefined, update: (_d, _t, detail) => detail.includes('pending') && controller.abort() } },
    );
    expect(report.exitCode).toBe(EXIT_CODES.interrupted);
    expect(report.summary.pending).toBe(5);
    expect((parse(await readFile(options.out, 'utf8')) as string[][]).length).toBe(6);
  });

  it('warns about ignored columns', async () => {
    await run('email,Company,Phone\nada@acme-corp.com,Acme,123\n', {});
    expect(warnings).toEqual(['ignoring columns: Company, Phone']);
  });

  it('refuses a missing file and a file without identity columns', async () => {
    ingest = await startFakeIngest();
    const deps: ImportDependencies = { progress: SILENT_PROGRESS, log: () => undefined, warn: () => undefined };
    const base = { ingestUrl: ingest.url, out: join(dir, 'o.csv'), concurrency: 1, timeoutSeconds: 1 };
    await expect(runImport({ ...base, file: join(dir, 'missing.csv') }, deps)).rejects.toThrow(UsageError);
    const noIdentity = join(dir, 'names.csv');
    await writeFile(noIdentity, 'first name,last name\nAda,Lovelace\n');
    await expect(runImport({ ...base, file: noIdentity }, deps)).rejects.toThrow(CsvInputError);
    expect(ingest.stats.posts).toBe(0);
  });
});
