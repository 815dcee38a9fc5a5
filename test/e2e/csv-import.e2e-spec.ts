import { Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Readable } from 'node:stream';
import { postStream } from '../../tools/harness';
import { sample, scrape } from '../support/metrics';
import { ServiceProcess } from '../support/service-process';
import { TestEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

interface Summary {
  import_id: string;
  status: string;
  failure: string | null;
  rows: number;
  accepted: number;
  rejected: number;
  blank: number;
  errors: Array<{ row: number; line: number; field: string; reason: string }>;
  errors_truncated: number;
  resumed_after_row: number;
}

interface ImportView extends Omit<Summary, 'resumed_after_row'> {
  file_name: string | null;
  attempts: number;
  finished_at: string | null;
  leads: Record<string, number>;
}

interface ReceivedEvent {
  leadId: string;
  source: string;
  lead: { email?: string; linkedinUrl?: string };
}

const CHUNK_SIZE = 200;

/** `count` data rows with unique addresses under `tag`, generated as they are read: the file is never held whole. */
function generatedCsv(tag: string, count: number, partialTail = ''): Readable {
  return Readable.from(
    (function* () {
      yield 'Work Email,FIRST NAME,last-name,Company Domain\n';
      for (let start = 1; start <= count; start += 100) {
        const lines: string[] = [];
        for (let i = start; i < Math.min(start + 100, count + 1); i++) lines.push(`lead.${i}@${tag}.example.com,First${i},Last${i},${tag}.example.com\n`);
        yield lines.join('');
      }
      if (partialTail) yield partialTail;
    })(),
  );
}

/**
 * The CSV import route against the real ingest process on PostgreSQL and the shared Kafka broker:
 * what it answers, what it writes (leads tagged with the import, their events in the outbox and
 * on the topic), and that a large streamed upload (over Nest's 100 kB JSON limit) or a broken and
 * resumed one is accepted exactly once.
 */
describe('CSV import', () => {
  let env: TestEnv;
  let ingest: ServiceProcess;
  let consumer: Consumer;
  const events = new Map<string, ReceivedEvent[]>();

  beforeAll(async () => {
    env = new TestEnv();
    await env.setUp();
    ingest = await env.startService('ingest', { INGEST_IMPORT_CHUNK_SIZE: String(CHUNK_SIZE), INGEST_OUTBOX_POLL_MS: '50' });
    consumer = env.kafka.consumer({ groupId: `${env.namespace}.csv-import-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: env.topic('leadReceived'), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = JSON.parse(message.value!.toString()) as ReceivedEvent;
        events.set(event.leadId, [...(events.get(event.leadId) ?? []), event]);
      },
    });
  }, 240_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await ingest?.stop();
    await env?.dispose();
  }, 120_000);

  async function postCsv(body: string | FormData, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
    const res = await fetch(`${ingest.url}/api/leads/import`, { method: 'POST', body, headers });
    return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
  }

  async function importView(id: string): Promise<ImportView> {
    const res = await fetch(`${ingest.url}/api/imports/${id}`);
    expect(res.status).toBe(200);
    return (await res.json()) as ImportView;
  }

  async function leadsOf(importId: string): Promise<Array<{ id: string; email: string | null; linkedin_url: string | null; source: string }>> {
    return env.db.query(`SELECT id, email, linkedin_url, source FROM leads WHERE import_id = $1 ORDER BY received_at, email`, [importId]);
  }

  /** Rows in the tables an import writes (the outbox is left out: the relay drains it meanwhile). */
  async function tableCounts(): Promise<{ imports: number; leads: number }> {
    const [row]: Array<{ imports: number; leads: number }> = await env.db.query(
      `SELECT (SELECT count(*)::int FROM imports) AS imports, (SELECT count(*)::int FROM leads) AS leads`,
    );
    return row;
  }

  /** Waits until every one of `leadIds` has its received event on the topic; returns them. */
  async function eventsOf(leadIds: readonly string[]): Promise<ReceivedEvent[]> {
    await waitFor(() => leadIds.every((id) => events.has(id)), { timeoutMs: 90_000, intervalMs: 250, what: `received events of ${leadIds.length} leads` });
    return leadIds.flatMap((id) => events.get(id)!);
  }

  it('imports a text/csv upload: mixed-case headers mapped, good rows accepted, bad rows reported by row number', async () => {
    const csv = [
      '\ufeffE-Mail,First Name,LAST_NAME,Website,LinkedIn URL,Notes',
      'ada@acme-corp.com,Ada,Lovelace,https://www.acme-corp.com,,vip',
      'grace@,Grace,Hopper,,,',
      ',Alan,Turing,,https://www.linkedin.com/in/alan-turing/,',
      ',,,,,only notes',
      'linus@kernel.org,Linus,Torvalds,kernel,,',
      'margaret@nasa.gov,Margaret,Hamilton,nasa.gov,,,shifted,cells',
      'katherine@nasa.gov,Katherine,Johnson',
    ].join('\r\n');
    const { status, json, headers } = await postCsv(csv, { 'content-type': 'text/csv; charset=utf-8' });

    expect(status).toBe(202);
    const summary = json as unknown as Summary;
    expect(summary).toEqual({
      import_id: expect.any(String),
      status: 'completed',
      failure: null,
      rows: 7,
      accepted: 3,
      rejected: 3,
      blank: 1,
      errors: [
        { row: 2, line: 3, field: 'email', reason: 'must be a valid e-mail address' },
        { row: 5, line: 6, field: 'company_domain', reason: 'must be a domain name such as example.com' },
        { row: 6, line: 7, field: '(row)', reason: 'has 8 cells but the header has 6 columns (an unquoted comma?)' },
      ],
      errors_truncated: 0,
      resumed_after_row: 0,
    });
    expect(headers.get('location')).toBe(`/api/imports/${summary.import_id}`);

    const leads = await leadsOf(summary.import_id);
    expect(leads.map((l) => l.email ?? l.linkedin_url).sort()).toEqual(['ada@acme-corp.com', 'https://www.linkedin.com/in/alan-turing/', 'katherine@nasa.gov']);
    expect(leads.every((l) => l.source === 'csv')).toBe(true);

    const received = await eventsOf(leads.map((l) => l.id));
    expect(received).toHaveLength(3);
    expect(received.every((e) => e.source === 'csv')).toBe(true);

    const view = await importView(summary.import_id);
    expect(view).toMatchObject({
      import_id: summary.import_id,
      status: 'completed',
      rows: 7,
      accepted: 3,
      rejected: 3,
      blank: 1,
      errors: summary.errors,
      attempts: 1,
      file_name: null,
      leads: { received: 3, enriched: 0, not_found: 0, invalid: 0, dead_lettered: 0 },
    });
    expect(view.finished_at).not.toBeNull();
  }, 120_000);

  it('imports the file of a multipart upload', async () => {
    const form = new FormData();
    form.append('note', 'not a file, ignored');
    form.append('file', new Blob(['email,first_name\r\nmp.one@acme-corp.com,One\r\nnot-an-email,Two\r\nmp.three@acme-corp.com,Three\r\n'], { type: 'text/csv' }), 'crm-export.csv');
    const { status, json } = await postCsv(form);

    expect(status).toBe(202);
    expect(json).toMatchObject({ status: 'completed', rows: 3, accepted: 2, rejected: 1, errors: [{ row: 2, field: 'email' }] });
    const importId = json.import_id as string;
    expect((await leadsOf(importId)).map((l) => l.email).sort()).toEqual(['mp.one@acme-corp.com', 'mp.three@acme-corp.com']);
    expect(await importView(importId)).toMatchObject({ file_name: 'crm-export.csv', accepted: 2 });
  }, 60_000);

  it('refuses other media types (415), a multipart without a file and a bad X-Import-Id (400), writing nothing', async () => {
    const before = await tableCounts();
    const plain = await postCsv('email\na@acme-corp.com\n', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(plain.json).toMatchObject({ code: 'unsupported_media_type' });
    const json = await postCsv(JSON.stringify({ email: 'a@acme-corp.com' }), { 'content-type': 'application/json' });
    expect(json.status).toBe(415);

    const form = new FormData();
    form.append('email', 'a@acme-corp.com');
    const noFile = await postCsv(form);
    expect(noFile.status).toBe(400);
    expect(noFile.json).toMatchObject({ code: 'no_file' });

    const badId = await postCsv('email\na@acme-corp.com\n', { 'content-type': 'text/csv', 'x-import-id': 'import-1' });
    expect(badId.status).toBe(400);
    expect(await tableCounts()).toEqual(before);
  }, 60_000);

  it('refuses a header without an e-mail or LinkedIn column with 400 before any row is accepted', async () => {
    const before = await tableCounts();
    const { status, json } = await postCsv('First Name,Company,Phone\nAda,Acme,123\nGrace,Navy,456\n', { 'content-type': 'text/csv' });
    expect(status).toBe(400);
    expect(json).toMatchObject({
      code: 'no_identity_column',
      message: 'the header has neither an e-mail nor a LinkedIn column (found: First Name, Company, Phone)',
    });
    expect(json.import).toBeUndefined();
    expect(await tableCounts()).toEqual(before);
  }, 60_000);

  /** `leadpipe_ingest_imports_total` for one outcome, from ingest's metrics. */
  async function importsEnded(outcome: string): Promise<number> {
    return sample(await scrape(ingest.url), 'leadpipe_ingest_imports_total', { outcome }) ?? 0;
  }

  it('answers a refusal made before the upload arrived in full once it has, on a connection it keeps open', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (headers: Record<string, string>, parts: string[], beforeLast?: () => Promise<unknown>) =>
      new Promise<{ status: number; json: Record<string, unknown>; reusedSocket: boolean }>((resolve, reject) => {
        const req = request(`${ingest.url}/api/leads/import`, { method: 'POST', agent, headers });
        req.on('error', reject);
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>, reusedSocket: req.reusedSocket }));
        });
        for (const part of parts.slice(0, -1)) req.write(part);
        void (beforeLast ?? (async () => undefined))().then(() => req.end(parts.at(-1)), reject);
      });
    try {
      // The parser gives out the header row once the next row begins.
      const head = 'First Name,Company\nAda,Acme\n';
      const rest = 'Grace,Navy\n'.repeat(20_000);
      const refusedBefore = await importsEnded('no_identity_column');
      // The header row decides the refusal; the rest is sent only once ingest has made it.
      const refused = await send({ 'content-type': 'text/csv', 'content-length': String(head.length + rest.length) }, [head, rest], () =>
        waitFor(async () => (await importsEnded('no_identity_column')) > refusedBefore, { timeoutMs: 30_000, intervalMs: 50, what: 'the refusal' }),
      );
      expect(refused).toMatchObject({ status: 400, json: { code: 'no_identity_column' } });
      // The same connection serves the next upload.
      const next = await send({ 'content-type': 'text/csv' }, [`email\nreuse@${env.id}.example.com\n`]);
      expect(next).toMatchObject({ status: 202, json: { accepted: 1 }, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  }, 60_000);

  it('accepts a few thousand streamed rows exactly once, with one event each', async () => {
    const tag = `bulk-${env.id}`;
    const rows = 5_000;
    const answer = await postStream(`${ingest.url}/api/leads/import`, generatedCsv(tag, rows), { 'content-type': 'text/csv' });

    expect(answer.status).toBe(202);
    const summary = JSON.parse(answer.body) as Summary;
    expect(summary).toMatchObject({ status: 'completed', rows, accepted: rows, rejected: 0, blank: 0, errors: [] });

    const [counts]: Array<{ leads: number; emails: number }> = await env.db.query(
      `SELECT count(*)::int AS leads, count(DISTINCT email)::int AS emails FROM leads WHERE import_id = $1`,
      [summary.import_id],
    );
    expect(counts).toEqual({ leads: rows, emails: rows });
    const leadIds = (await leadsOf(summary.import_id)).map((l) => l.id);
    const received = await eventsOf(leadIds);
    expect(new Set(received.map((e) => e.leadId)).size).toBe(rows);
    expect(new Set(received.map((e) => e.lead.email)).size).toBe(rows);
  }, 180_000);

  it('keeps what was committed when the connection breaks, and a resumed upload accepts only the rest', async () => {
    const tag = `resume-${env.id}`;
    const importId = randomUUID();
    const rows = 2_000;
    const firstPart = 1_000;

    // Upload half of the file and a row cut in the middle, then drop the connection.
    const broken = request(`${ingest.url}/api/leads/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked', 'x-import-id': importId },
    });
    broken.on('error', () => undefined);
    generatedCsv(tag, firstPart, `lead.${firstPart + 1}@${tag}.exam`).pipe(broken, { end: false });
    await waitFor(
      async () => {
        const res = await fetch(`${ingest.url}/api/imports/${importId}`);
        return res.ok && ((await res.json()) as ImportView).rows === firstPart;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `the first ${firstPart} rows committed` },
    );
    broken.destroy();
    const failed = await waitFor(
      async () => {
        const view = await importView(importId);
        return view.status === 'failed' ? view : null;
      },
      { timeoutMs: 30_000, what: 'the broken upload marked failed' },
    );
    expect(failed).toMatchObject({ rows: firstPart, accepted: firstPart, failure: 'the client closed the connection before the upload was complete' });
    expect(failed.leads.received).toBe(firstPart);

    // The same file again, with the same import id: the committed rows are skipped.
    const answer = await postStream(`${ingest.url}/api/leads/import`, generatedCsv(tag, rows), { 'content-type': 'text/csv', 'x-import-id': importId });
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({ import_id: importId, status: 'completed', rows, accepted: rows, resumed_after_row: firstPart });

    const [counts]: Array<{ leads: number; emails: number; cut: number }> = await env.db.query(
      `SELECT count(*)::int AS leads, count(DISTINCT email)::int AS emails, count(*) FILTER (WHERE email NOT LIKE '%.example.com')::int AS cut
         FROM leads WHERE import_id = $1`,
      [importId],
    );
    expect(counts).toEqual({ leads: rows, emails: rows, cut: 0 });
    expect(await importView(importId)).toMatchObject({ status: 'completed', attempts: 2, accepted: rows, leads: { received: rows } });
  }, 180_000);

  // Last: it stops ingest.
  it('answers 503 with what was committed when ingest shuts down midway (SIGTERM), and exits cleanly', async () => {
    const importId = randomUUID();
    // Far more than can be imported before the signal lands; backpressure keeps the generator from running ahead.
    const answer = postStream(`${ingest.url}/api/leads/import`, generatedCsv(`sigterm-${env.id}`, 500_000), { 'content-type': 'text/csv', 'x-import-id': importId });
    await waitFor(
      async () => {
        const res = await fetch(`${ingest.url}/api/imports/${importId}`);
        return res.ok && ((await res.json()) as ImportView).rows >= 1_000;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the import under way' },
    );

    expect(await ingest.stop()).toBe(0);
    const { status, headers, body } = await answer;
    expect(status).toBe(503);
    expect(headers['retry-after']).toBe('10');
    const failed = JSON.parse(body) as { code: string; import: Summary };
    expect(failed.code).toBe('stopped');
    expect(failed.import).toMatchObject({ import_id: importId, status: 'failed' });
    expect(failed.import.rows).toBeGreaterThanOrEqual(1_000);
    expect(failed.import.rows).toBeLessThan(500_000);

    const [record]: Array<{ status: string; rows: number; accepted: number; leads: number }> = await env.db.query(
      `SELECT status, rows, accepted, (SELECT count(*)::int FROM leads WHERE import_id = $1) AS leads FROM imports WHERE id = $1`,
      [importId],
    );
    expect(record).toEqual({ status: 'failed', rows: failed.import.rows, accepted: failed.import.accepted, leads: failed.import.accepted });
  }, 120_000);
});
