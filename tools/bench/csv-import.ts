/**
 * CSV import benchmark: streams a generated CSV of `--rows` rows to ingest's
 * `POST /api/leads/import` and watches the ingest process's memory while it imports. Starts
 * ingest (with its outbox relay shipping the events to Kafka meanwhile, as in production) in a
 * private namespace, prints the figures and removes everything it created.
 *
 *   npm run build && npm run bench:csv-import -- --rows 1000000 [--invalid-share 0.01]
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { commonEnvSchema, loadConfig } from '@leadpipe/config';
import { postStream } from '../harness';
import { BenchEnv, poll } from './bench-env';

const SAMPLE_EVERY_MS = 200;
const ROWS_PER_CHUNK = 1_000;

interface Options {
  rows: number;
  invalidShare: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      'invalid-share': { type: 'string', default: '0.01' },
    },
  });
  const number = (name: string, value: string | undefined, min: number, max: number): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got ${value}`);
    return parsed;
  };
  return { rows: Math.round(number('rows', values.rows, 1, 10_000_000)), invalidShare: number('invalid-share', values['invalid-share'], 0, 1) };
}

/** A /proc/<pid>/status field in bytes (the kernel reports kB). */
function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

interface Sample {
  at: number;
  rowsSent: number;
  rss: number;
}

async function main(): Promise<void> {
  const opts = options();
  const config = loadConfig(commonEnvSchema);
  const env = new BenchEnv(config.KAFKA_BROKERS, config.DATABASE_URL, config.REDIS_URL);
  const every = opts.invalidShare > 0 ? Math.max(1, Math.round(1 / opts.invalidShare)) : 0;
  let sampler: NodeJS.Timeout | undefined;
  try {
    console.log(`csv import benchmark ${env.id}: ${opts.rows} rows, every ${every || 'no'}${every ? 'th' : ''} row invalid`);
    await env.setUp();
    const ingest = await env.start('ingest', {});
    const pid = ingest.pid;
    if (pid === undefined) throw new Error('ingest is not running');
    const idle = procStatus(pid, 'VmRSS');

    // The file exists only as it is read: a row counter and one chunk of text at a time.
    let rowsSent = 0;
    let bytesSent = 0;
    const csv = Readable.from(
      (function* () {
        yield 'Email,First Name,Last Name,Company Domain,LinkedIn URL\n';
        for (let start = 1; start <= opts.rows; start += ROWS_PER_CHUNK) {
          const end = Math.min(start + ROWS_PER_CHUNK, opts.rows + 1);
          let text = '';
          for (let i = start; i < end; i++) {
            const email = every && i % every === 0 ? `not-an-email-${i}` : `lead.${i}@${env.id}.example.com`;
            text += `${email},First${i},Last${i},company${i % 5_000}.example.com,https://www.linkedin.com/in/${env.id}-${i}/\n`;
          }
          rowsSent = end - 1;
          bytesSent += Buffer.byteLength(text);
          yield text;
        }
      })(),
    );

    const samples: Sample[] = [];
    let missedSamples = 0;
    const startedAt = Date.now();
    sampler = setInterval(() => {
      try {
        samples.push({ at: Date.now() - startedAt, rowsSent, rss: procStatus(pid, 'VmRSS') });
      } catch {
        // Ingest is gone: the upload fails and says why; the count shows the gap.
        missedSamples += 1;
      }
    }, SAMPLE_EVERY_MS);
    const answer = await postStream(`${ingest.url}/api/leads/import`, csv, { 'content-type': 'text/csv' });
    const elapsedMs = Date.now() - startedAt;
    clearInterval(sampler);
    samples.push({ at: elapsedMs, rowsSent, rss: procStatus(pid, 'VmRSS') });
    const hwm = procStatus(pid, 'VmHWM');
    if (answer.status !== 202) throw new Error(`ingest answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    const summary = JSON.parse(answer.body) as { import_id: string; rows: number; accepted: number; rejected: number; errors_truncated: number; errors: unknown[] };

    const [{ n: outboxAtEnd }]: Array<{ n: number }> = await env.db.query(`SELECT count(*)::int AS n FROM outbox`);
    const drainStarted = Date.now();
    await poll(async () => Number((await env.db.query(`SELECT count(*)::int AS n FROM outbox`))[0].n) === 0, 30 * 60_000, 'the outbox drained', 1_000);
    const drainMs = Date.now() - drainStarted;
    const [{ n: tagged }]: Array<{ n: number }> = await env.db.query(`SELECT count(*)::int AS n FROM leads WHERE import_id = $1`, [summary.import_id]);

    const at = (share: number): Sample => samples.find((s) => s.rowsSent >= share * opts.rows) ?? samples[samples.length - 1];
    const peak = samples.reduce((best, s) => (s.rss > best.rss ? s : best), samples[0]);
    const firstHalf = samples.filter((s) => s.rowsSent < opts.rows / 2);
    const secondHalf = samples.filter((s) => s.rowsSent >= opts.rows / 2);
    const maxOf = (list: Sample[]): number => Math.max(...list.map((s) => s.rss));

    console.log('');
    console.log('result');
    console.log(`  rows                          ${summary.rows} (${mb(bytesSent)} of CSV)`);
    console.log(`  accepted / rejected           ${summary.accepted} / ${summary.rejected} (${summary.errors.length} errors listed, ${summary.errors_truncated} more counted)`);
    console.log(`  leads tagged with the import  ${tagged}`);
    console.log(`  upload time                   ${(elapsedMs / 1000).toFixed(1)} s`);
    console.log(`  rows/s                        ${Math.round(summary.rows / (elapsedMs / 1000))}  (${mb(bytesSent / (elapsedMs / 1000))}/s)`);
    console.log(`  ingest RSS idle               ${mb(idle)}`);
    console.log(`  ingest RSS at 10 / 50 / 100 % ${mb(at(0.1).rss)} / ${mb(at(0.5).rss)} / ${mb(at(1).rss)}`);
    console.log(`  peak RSS sampled              ${mb(peak.rss)} (at ${(peak.at / 1000).toFixed(1)} s, ${Math.round((100 * peak.rowsSent) / opts.rows)} % sent; every ${SAMPLE_EVERY_MS} ms, ${samples.length} samples${missedSamples ? `, ${missedSamples} missed` : ''})`);
    console.log(`  max RSS, 1st / 2nd half       ${firstHalf.length ? mb(maxOf(firstHalf)) : '-'} / ${secondHalf.length ? mb(maxOf(secondHalf)) : '-'}`);
    console.log(`  VmHWM (peak since start)      ${mb(hwm)}`);
    console.log(`  outbox at the answer          ${outboxAtEnd} events still to relay; drained ${(drainMs / 1000).toFixed(1)} s later`);
  } finally {
    if (sampler) clearInterval(sampler);
    await env.dispose().catch((error: unknown) => console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`));
    console.log(`cleaned up ${env.id} (logs in ${env.logDir})`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`csv import benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
