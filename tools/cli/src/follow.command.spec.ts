import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FollowCommandOptions, ImportOptions } from './cli-options';
import type { CommandDependencies } from './command-steps';
import { runFollow } from './follow.command';
import { EXIT_CODES } from './import-summary';
import { SILENT_PROGRESS } from './import-progress.reporter';
import { runImport } from './import.command';
import { CsvInputError } from './lead-csv.reader';
import { startFakeIngest, type FakeIngest } from './testing/fake-ingest.server';

describe('runFollow', () => {
  let dir: string;
  let ingest: FakeIngest;
  const logs: string[] = [];
  const lines: string[] = [];
  const deps: CommandDependencies = {
    progress: { ...SILENT_PROGRESS, log: (line) => lines.push(line) },
    log: (line) => logs.push(line),
    warn: () => undefined,
    client: { retryBaseDelayMs: 1, retryMaxDelayMs: 2, maxAttempts: 3 },
    pollInterval: { minMs: 1, maxMs: 5, factor: 2 },
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'leadpipe-follow-'));
    ingest = await startFakeIngest({ looksUntilTerminal: 2 });
    logs.length = 0;
    lines.length = 0;
  });
  afterEach(async () => {
    await ingest.close();
    await rm(dir, { recursive: true, force: true });
  });

  function followOptions(file: string, overrides: Partial<FollowCommandOptions> = {}): FollowCommandOptions {
    return { file, out: file, ingestUrl: ingest.url, concurrency: 2, timeoutSeconds: null, ...overrides };
  }

  it('picks up the leads of an import --no-wait, prints each as it ends and rewrites the file', async () => {
    const file = join(dir, 'leads.csv');
    await writeFile(file, 'email\nada@acme-corp.com\nunknown.person@acme-corp.com\npoison@acme-corp.com\n');
    const out = join(dir, 'out.csv');
    const imported: ImportOptions = { file, out, ingestUrl: ingest.url, concurrency: 2, batchSize: 10, mode: 'no-wait', timeoutSeconds: null };
    const submitted = await runImport(imported, deps);
    expect(ingest.stats.gets).toBe(0);

    const report = await runFollow(followOptions(out), deps);

    expect(report.exitCode).toBe(EXIT_CODES.leadsFailed);
    expect(report.summary).toMatchObject({ command: 'follow', accepted: 3, pending: 0, byStatus: { enriched: 1, not_found: 1, dead_lettered: 1 } });
    const ids = submitted.leads.map((lead) => lead.id);
    expect(lines.sort()).toEqual([`row 1 ${ids[0]} enriched: score 72`, `row 2 ${ids[1]} not_found: person not found`, `row 3 ${ids[2]} dead_lettered`].sort());
    const rows = parse(await readFile(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.row, r.lead_id, r.status, r.input_email])).toEqual([
      ['1', ids[0], 'enriched', 'ada@acme-corp.com'],
      ['2', ids[1], 'not_found', 'unknown.person@acme-corp.com'],
      ['3', ids[2], 'dead_lettered', 'poison@acme-corp.com'],
    ]);
    expect(logs.join('\n')).toMatch(/Follow summary\n {2}leads in file\s+3\n/);
  });

  it('does not look up leads the file already shows as terminal', async () => {
    const pendingId = ingest.seed({ email: 'zoe@bluepeak.io' });
    const file = join(dir, 'previous.csv');
    await writeFile(
      file,
      [
        'row,lead_id,status,status_reason,score,input_email,person_full_name,provider,provider_calls',
        '1,9d1c0a52-0000-4000-8000-000000000001,enriched,,81,ada@acme-corp.com,Ada Lovelace,netrows,2',
        `2,${pendingId},received,,,zoe@bluepeak.io,,,`,
      ].join('\n'),
    );
    const out = join(dir, 'followed.csv');
    const report = await runFollow(followOptions(file, { out }), deps);

    expect(report.exitCode).toBe(EXIT_CODES.ok);
    // Both for the pending lead: once to learn when it was received, once when it left the pending list.
    // The terminal one is unknown to the fake: looking it up would have failed the run.
    expect(ingest.stats.gets).toBe(2);
    expect(report.summary).toMatchObject({ byStatus: { enriched: 2 }, providerCalls: 4 });
    const rows = parse(await readFile(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows[0]).toMatchObject({ status: 'enriched', score: '81', person_full_name: 'Ada Lovelace', provider_calls: '2' });
    expect(rows[1]).toMatchObject({ lead_id: pendingId, status: 'enriched', person_full_name: 'Ada Lovelace' });
  });

  it('refuses a CSV that was not written by import', async () => {
    const file = join(dir, 'leads.csv');
    await writeFile(file, 'email,first_name\nada@acme-corp.com,Ada\n');
    await expect(runFollow(followOptions(file), deps)).rejects.toThrow(CsvInputError);
    await expect(runFollow(followOptions(file), deps)).rejects.toThrow('not a file written by leadpipe import: no row, lead_id, status column');
  });
});
