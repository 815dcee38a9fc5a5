import { parse } from 'csv-parse/sync';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, type ImportOptions } from './cli-options';
import { EXIT_CODES } from './import-summary';
import { SILENT_PROGRESS, type ProgressReporter } from './import-progress.reporter';
import type { CommandDependencies } from './command-steps';
import { runImport } from './import.command';
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

const CLEAN_CSV = ['email,first_name', 'ada@acme-corp.com,Ada', 'unknown.person@acme-corp.com,', 'zoe@bluepeak.io,Zoë'].join('\n');

/** Keeps what a command shows: phases with their totals, and the lines printed above the progress. */
function recordingProgress(): ProgressReporter & { phases: [string, number | null][]; lines: string[] } {
  const phases: [string, number | null][] = [];
  const lines: string[] = [];
  return { phases, lines, start: (phase, total) => phases.push([phase, total]), update: () => undefined, log: (line) => lines.push(line), stop: () => undefined };
}

function records(csv: string): Record<string, string>[] {
  const [header, ...rows] = parse(csv) as string[][];
  return rows.map((row) => Object.fromEntries(header.map((column, i) => [column, row[i]])));
}

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

  async function run(csv: string, fake: FakeIngestOptions, overrides: Partial<ImportOptions> = {}, deps: Partial<CommandDependencies> = {}) {
    ingest = await startFakeIngest(fake);
    const file = join(dir, 'leads.csv');
    await writeFile(file, csv);
    const options: ImportOptions = {
      file,
      ingestUrl: ingest.url,
      out: join(dir, 'out', 'enriched.csv'),
      concurrency: 3,
      batchSize: 3,
      mode: 'wait',
      timeoutSeconds: 30,
      ...overrides,
    };
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
    const { report, options } = await run(CLEAN_CSV, {});

    expect(report.exitCode).toBe(EXIT_CODES.ok);
    expect(report.summary).toMatchObject({ accepted: 3, rejected: [], byStatus: { enriched: 2, not_found: 1 }, pending: 0, requests: 1 });
    expect(logs.at(-1)).toBe(`Wrote 3 leads to ${options.out}`);
  });

  it('maps rejected leads back to their rows, still writes the rest, and exits 3', async () => {
    const { report, options } = await run(LEADS_CSV, { unavailablePosts: 1, invisibleLooks: 1, looksUntilTerminal: 2 });

    expect(report.exitCode).toBe(EXIT_CODES.leadsFailed);
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
      { row: 3, line: 4, reason: 'email: must be a valid e-mail address', cause: 'invalid' },
      { row: 6, line: 7, reason: 'email: email or linkedin_url is required', cause: 'invalid' },
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
    expect(report.summary.failed).toEqual([{ row: 1, reason: 'POST /api/leads/batch failed: HTTP 503 after 3 attempts: Service Unavailable' }]);
  });

  it('stops and still writes what it knows when interrupted', async () => {
    const controller = new AbortController();
    const { report, options } = await run(
      LEADS_CSV,
      { outcomeFor: () => 'never' },
      {},
      { signal: controller.signal, progress: { ...SILENT_PROGRESS, update: (_d, _t, detail) => detail.includes('pending') && controller.abort() } },
    );
    expect(report.exitCode).toBe(EXIT_CODES.interrupted);
    expect(report.summary.pending).toBe(5);
    expect((parse(await readFile(options.out, 'utf8')) as string[][]).length).toBe(6);
  });

  it('exits 3 when every lead ended but some were dead-lettered', async () => {
    const { report } = await run(`${CLEAN_CSV}\npoison.pill@acme-corp.com,Pat`, {});
    expect(report.summary).toMatchObject({ rejected: [], pending: 0, byStatus: { enriched: 2, not_found: 1, dead_lettered: 1 } });
    expect(report.exitCode).toBe(EXIT_CODES.leadsFailed);
  });

  it('retries a batch whose answer was lost without creating its leads twice', async () => {
    const { report } = await run(CLEAN_CSV, { droppedAnswers: 1 });

    expect(report.exitCode).toBe(EXIT_CODES.ok);
    expect(report.summary.accepted).toBe(3);
    expect(ingest!.stats).toMatchObject({ batchPosts: 2, replays: 1, leadsCreated: 3 });
    expect(new Set(report.leads.map((lead) => lead.id)).size).toBe(3);
  });

  it('lists suppressed rows apart and does not fail the run for them', async () => {
    const { report } = await run(`${CLEAN_CSV}\nerased@acme-corp.com,Eve`, { suppressed: (lead) => lead.email === 'erased@acme-corp.com' });

    expect(report.exitCode).toBe(EXIT_CODES.ok);
    expect(report.summary).toMatchObject({ accepted: 3, rejected: [], suppressed: [{ row: 4, cause: 'suppressed' }] });
    expect(logs.join('\n')).toMatch(/suppressed \(erased\)\s+1\n {6}row 4: suppressed: this person asked to be erased/);
  });

  it('stops with exit 1 and ingest\'s reason when the API key is refused', async () => {
    const { report } = await run(CLEAN_CSV, { apiKey: 'lp_right' }, { apiKey: 'lp_wrong' });

    expect(report.exitCode).toBe(EXIT_CODES.failure);
    expect(report.summary.fatal).toBe('ingest refused access (HTTP 403): this API key lacks the ingest scope');
    expect(ingest!.stats.refused).toBe(1);
  });

  it('with --no-wait, writes the accepted lead ids as received and exits 0 without following', async () => {
    const { report, options } = await run(CLEAN_CSV, {}, { mode: 'no-wait', timeoutSeconds: null });

    expect(report.exitCode).toBe(EXIT_CODES.ok);
    expect(ingest!.stats.gets).toBe(0);
    const written = records(await readFile(options.out, 'utf8'));
    expect(written.map((r) => [r.row, r.status])).toEqual([
      ['1', 'received'],
      ['2', 'received'],
      ['3', 'received'],
    ]);
    expect(written.map((r) => r.lead_id).sort()).toEqual(report.leads.map((lead) => lead.id).sort());
    expect(logs.join('\n')).toMatch(/not followed\s+3/);
    expect(logs.at(-1)).toBe(`Follow them later with: leadpipe follow ${options.out}`);
  });

  it('with --no-wait, still exits 3 for rejected rows', async () => {
    const { report } = await run(`${CLEAN_CSV}\njohn@,John`, {}, { mode: 'no-wait', timeoutSeconds: null });
    expect(report.exitCode).toBe(EXIT_CODES.leadsFailed);
  });

  it('with --follow, follows without a timeout and prints each lead as it ends', async () => {
    const progress = recordingProgress();
    const csv = ['email,linkedin_url', 'ada@acme-corp.com,', 'unknown.person@acme-corp.com,', 'zoe@bluepeak.io,', ',https://www.linkedin.com/company/acme/'].join('\n');
    const { report } = await run(csv, { looksUntilTerminal: 3 }, { mode: 'follow', timeoutSeconds: null }, { progress });

    expect(report.exitCode).toBe(EXIT_CODES.ok);
    expect(progress.phases.map(([phase]) => phase)).toEqual(['submitting', 'following']);
    expect(progress.phases[1]).toEqual(['following', 4]);
    const byRow = new Map(report.leads.map((lead) => [lead.row, lead.id]));
    expect([...progress.lines].sort()).toEqual(
      [
        `row 1 ${byRow.get(1)} enriched: score 72`,
        `row 2 ${byRow.get(2)} not_found: person not found`,
        `row 3 ${byRow.get(3)} enriched: score 72`,
        `row 4 ${byRow.get(4)} invalid: linkedin_url is not a profile URL`,
      ].sort(),
    );
  });

  it('warns about ignored columns', async () => {
    await run('email,Company,Phone\nada@acme-corp.com,Acme,123\n', {});
    expect(warnings).toEqual(['ignoring columns: Company, Phone']);
  });

  it('refuses a missing file and a file without identity columns', async () => {
    ingest = await startFakeIngest();
    const deps: CommandDependencies = { progress: SILENT_PROGRESS, log: () => undefined, warn: () => undefined };
    const base = { ingestUrl: ingest.url, out: join(dir, 'o.csv'), concurrency: 1, batchSize: 10, mode: 'wait' as const, timeoutSeconds: 1 };
    await expect(runImport({ ...base, file: join(dir, 'missing.csv') }, deps)).rejects.toThrow(UsageError);
    const noIdentity = join(dir, 'names.csv');
    await writeFile(noIdentity, 'first name,last name\nAda,Lovelace\n');
    await expect(runImport({ ...base, file: noIdentity }, deps)).rejects.toThrow(CsvInputError);
    expect(ingest.stats.batchPosts).toBe(0);
  });
});
