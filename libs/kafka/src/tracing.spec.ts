import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { HEADERS } from '@leadpipe/contracts';
import { flushTracing, startTracing, stopTracing, tracingEnabled, tracingRequested } from '@leadpipe/observability';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { endProcessSpan, endSendSpans, forwardHeaders, pickTraceHeaders, startProcessSpan, startSendSpans } from './tracing';
import type { ConsumedEvent } from './outcome';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

function consumed(headers: Record<string, string>): ConsumedEvent<unknown> {
  return {
    topic: 'ns.leads.received.v1',
    partition: 2,
    offset: '41',
    key: 'email:ada@example.com',
    headers: { [HEADERS.eventId]: 'e-1', ...headers },
    correlationId: headers[HEADERS.correlationId] ?? 'generated',
    value: {},
  };
}

describe('tracing switch', () => {
  it('is off unless an OTLP endpoint is configured, and can be turned off explicitly', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: true })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(startTracing('test', {})).toBe(false);
    expect(tracingEnabled()).toBe(false);
  });
});

describe('trace propagation over Kafka headers, tracing off (the default)', () => {
  it('forwards the correlation id only and writes no trace headers', () => {
    const event = consumed({ [HEADERS.correlationId]: 'corr-1', traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
    expect(forwardHeaders(event)).toEqual({ [HEADERS.correlationId]: 'corr-1' });
    const headers = { [HEADERS.correlationId]: 'corr-1' };
    expect(startSendSpans('ns.leads.enriched.v1', [headers])).toEqual([]);
    expect(headers).toEqual({ [HEADERS.correlationId]: 'corr-1' });
  });

  it('passes the trace headers of an unreadable message on unchanged', () => {
    expect(pickTraceHeaders({ traceparent: 'tp', tracestate: 'ts', other: 'x' })).toEqual({ traceparent: 'tp', tracestate: 'ts' });
  });
});

// The OTLP export itself is exercised by the tracing e2e suite (real processes, a receiver).
describe('trace propagation over Kafka headers, tracing on', () => {
  const exporter = new InMemorySpanExporter();

  beforeAll(() => {
    expect(startTracing('unit', {}, exporter)).toBe(true);
  });

  afterAll(() => stopTracing());

  it('chains process and send spans: caller → process → send → next process', async () => {
    const event = consumed({ [HEADERS.correlationId]: 'corr-2', traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
    const processing = startProcessSpan(event, 'enricher');
    event.trace = processing.trace;

    const outgoing = forwardHeaders(event);
    expect(outgoing[HEADERS.correlationId]).toBe('corr-2');
    expect(outgoing.traceparent).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));
    const processSpanId = processing.span.spanContext().spanId;
    expect(outgoing.traceparent.split('-')[2]).toBe(processSpanId);

    const message: Record<string, string> = { ...outgoing, [HEADERS.eventId]: 'e-2' };
    const [send] = startSendSpans('ns.leads.enriched.v1', [message]);
    // The header now names the send span, so the next consumer continues from it.
    expect(message.traceparent.split('-')[2]).toBe(send.spanContext().spanId);
    endSendSpans([send]);
    endProcessSpan(processing.span, 'processed');

    const next = startProcessSpan(consumed({ ...message, [HEADERS.correlationId]: 'corr-2' }), 'validator');
    endProcessSpan(next.span, 'dead_letter', 'schema leads.enriched.v1: outcome: invalid');

    await flushTracing();
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === CALLER_TRACE);
    expect(spans).toHaveLength(3);
    const byName = (name: string, group?: string) =>
      spans.find((s) => s.name === name && (group === undefined || s.attributes['messaging.consumer.group.name'] === group))!;
    const first = byName('process ns.leads.received.v1', 'enricher');
    const sent = byName('send ns.leads.enriched.v1');
    const second = byName('process ns.leads.received.v1', 'validator');
    expect(first.resource.attributes['service.name']).toBe('leadpipe-unit');
    expect(first.kind).toBe(SpanKind.CONSUMER);
    expect(first.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(first.spanContext().spanId).toBe(processSpanId);
    expect(first.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.partition.id': '2',
      'messaging.kafka.offset': 41,
      'leadpipe.correlation_id': 'corr-2',
      'leadpipe.outcome': 'processed',
    });
    expect(sent.kind).toBe(SpanKind.PRODUCER);
    expect(sent.parentSpanContext?.spanId).toBe(processSpanId);
    expect(sent.attributes['messaging.message.id']).toBe('e-2');
    expect(second.kind).toBe(SpanKind.CONSUMER);
    expect(second.parentSpanContext?.spanId).toBe(sent.spanContext().spanId);
    // A dead-lettered message's span is an error, with the reason.
    expect(second.status).toEqual({ code: SpanStatusCode.ERROR, message: 'schema leads.enriched.v1: outcome: invalid' });
  });
});
