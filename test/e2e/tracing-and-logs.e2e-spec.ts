import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer } from 'kafkajs';
import { HEADERS, TopicKey } from '@leadpipe/contracts';
import { decodeHeaders } from '@leadpipe/kafka';
import { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { Pipeline, SIMULATOR_KEY } from '../support/pipeline';
import { ServiceName } from '../support/service-process';
import { waitFor } from '../support/wait-for';

/** Every log line of every process of the suite, parsed (the processes log JSON), by file. */
function logLines(dir: string): Array<{ file: string; raw: string; json: Record<string, unknown> | null }> {
  const lines: Array<{ file: string; raw: string; json: Record<string, unknown> | null }> = [];
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.log')) continue;
    for (const raw of readFileSync(join(dir, entry), 'utf8').split('\n')) {
      if (!raw.trim()) continue;
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        json = null;
      }
      lines.push({ file: entry, raw, json });
    }
  }
  return lines;
}

const SERVICES: ServiceName[] = ['ingest', 'enricher', 'validator', 'notifier'];

describe('a lead traced end to end: one correlation id and one trace through every Kafka hop, and logs without secrets', () => {
  const receiver = new OtlpReceiver();
  let pipeline: Pipeline;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    await receiver.start();
    const observed = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200', LOG_LEVEL: 'debug' };
    pipeline = new Pipeline({
      scoreThreshold: 0,
      extraEnv: Object.fromEntries(SERVICES.map((name) => [name, observed])),
    });
    await pipeline.start();
  }, 180_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await pipeline?.stop();
    await receiver.stop();
  }, 120_000);

  it('carries the caller’s trace and correlation id from the HTTP request to the notification, and logs them', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const correlationId = `corr-${randomUUID()}`;
    const email = `trace.${randomBytes(4).toString('hex')}@analytical-engines.com`;

    const res = await fetch(`${pipeline.ingestUrl}/api/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01`, 'x-correlation-id': correlationId },
      body: JSON.stringify({ email, first_name: 'Ada', last_name: 'Lovelace', company_domain: 'analytical-engines.com' }),
    });
    expect(res.status).toBe(202);
    const leadId = ((await res.json()) as { id: string }).id;

    // Poison messages with an address in them, sent straight to the topic. The JSON parser's
    // error quotes the first ten characters of its input: the whole of the short one.
    const poisonCorrelation = `corr-poison-${randomUUID()}`;
    const poisonEmail = `poison.${randomBytes(4).toString('hex')}@example.com`;
    const shortEmail = `p${randomBytes(1).toString('hex')}@ex.io`;
    const producer = pipeline.env.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: pipeline.env.topic('leadReceived'),
      messages: [
        { key: 'poison', value: poisonEmail, headers: { [HEADERS.correlationId]: poisonCorrelation } },
        { key: 'poison', value: shortEmail, headers: { [HEADERS.correlationId]: `${poisonCorrelation}-short` } },
      ],
    });
    await producer.disconnect();

    await waitFor(() => Promise.resolve(pipeline.webhooks.forLead(leadId).length > 0), {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `the notification for ${leadId}`,
    });

    // Every hop on Kafka carries the request's correlation id and continues its trace.
    const hops: TopicKey[] = ['leadReceived', 'leadEnriched', 'leadValidated'];
    const seen = new Map<string, Record<string, string>>();
    consumer = pipeline.env.kafka.consumer({ groupId: `${pipeline.env.namespace}.test.hops` });
    await consumer.connect();
    await consumer.subscribe({ topics: hops.map((key) => pipeline.env.topic(key)), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const value = message.value?.toString('utf8') ?? '';
        if (value.includes(leadId)) seen.set(topic, decodeHeaders(message.headers));
      },
    });
    await waitFor(() => Promise.resolve(seen.size === hops.length), { timeoutMs: 30_000, intervalMs: 100, what: 'the lead on every topic' });
    for (const key of hops) {
      const headers = seen.get(pipeline.env.topic(key))!;
      expect({ topic: key, correlationId: headers[HEADERS.correlationId] }).toEqual({ topic: key, correlationId });
      expect(headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    }

    // The spans, exported over OTLP by each service: one chain from the caller's span to the notifier.
    const topic = (key: TopicKey) => pipeline.env.topic(key);
    const chain: Array<[service: string, name: string]> = [
      ['leadpipe-ingest', 'POST /api/leads'],
      ['leadpipe-ingest', `send ${topic('leadReceived')}`],
      ['leadpipe-enricher', `process ${topic('leadReceived')}`],
      ['leadpipe-enricher', `send ${topic('leadEnriched')}`],
      ['leadpipe-validator', `process ${topic('leadEnriched')}`],
      ['leadpipe-validator', `send ${topic('leadValidated')}`],
      ['leadpipe-notifier', `process ${topic('leadValidated')}`],
    ];
    const find = (spans: ReceivedSpan[], [service, name]: [string, string]) => spans.find((s) => s.service === service && s.name === name);
    const spans = await waitFor(
      () => {
        const trace = receiver.trace(traceId);
        return Promise.resolve(chain.every((link) => find(trace, link)) ? trace : null);
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `every span of trace ${traceId}` },
    );
    let parent = callerSpanId;
    for (const link of chain) {
      const span = find(spans, link)!;
      expect({ link, parent: span.parentSpanId }).toEqual({ link, parent });
      parent = span.spanId;
    }
    expect(find(spans, chain[0])!.attributes).toMatchObject({ 'http.route': '/api/leads', 'http.response.status_code': 202 });
    expect(find(spans, chain[2])!.attributes).toMatchObject({ 'leadpipe.correlation_id': correlationId, 'leadpipe.outcome': 'processed' });

    // Logs: each stage logged the lead under the request's correlation id ...
    const poisonLogged = await waitFor(
      () => {
        const line = logLines(pipeline.logDirectory).find((l) => l.json?.correlationId === poisonCorrelation);
        return Promise.resolve(line ?? null);
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the poison message in the enricher’s log' },
    );
    expect(poisonLogged.file).toMatch(/^enricher/);
    expect(poisonLogged.json).toMatchObject({ msg: 'unreadable message dead-lettered', code: 'unparseable' });
    const lines = logLines(pipeline.logDirectory);
    for (const service of SERVICES) {
      const ours = lines.filter((l) => l.file.startsWith(service) && l.json?.correlationId === correlationId);
      expect({ service, logged: ours.length > 0 }).toEqual({ service, logged: true });
    }
    // ... and no process ever wrote a full e-mail address or the provider's API key.
    for (const secret of [email, poisonEmail, shortEmail, SIMULATOR_KEY]) {
      const leaks = lines.filter((l) => l.raw.includes(secret)).map((l) => `${l.file}: ${l.raw.slice(0, 300)}`);
      expect({ secret, leaks }).toEqual({ secret, leaks: [] });
    }
    // The masked form is there instead, so the check above looked at the right lines.
    const shortLogged = lines.find((l) => l.json?.correlationId === `${poisonCorrelation}-short`);
    expect(shortLogged?.json?.reason).toBe(`value is not JSON: Unexpected token 'p', "p***@ex.io" is not valid JSON`);
  });
});
