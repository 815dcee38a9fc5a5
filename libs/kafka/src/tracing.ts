import { Context, context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { HEADERS } from '@leadpipe/contracts';
import { TRACER_NAME, tracingEnabled } from '@leadpipe/observability';
import type { ConsumedEvent, Outcome } from './outcome';

/**
 * Trace propagation over Kafka headers (W3C `traceparent`/`tracestate`). Each message consumed
 * gets a `process <topic>` span, a child of the span that sent it; each message sent gets a
 * `send <topic>` span, a child of whatever it was derived from. With tracing off (the
 * default) the spans are no-ops and no trace headers are written.
 */
const tracer = () => trace.getTracer(TRACER_NAME);

/** Header names the propagator writes, so the runtime can drop stale ones before injecting. */
const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

/** Starts the span for processing one consumed message, continuing the sender's trace. */
export function startProcessSpan(event: Omit<ConsumedEvent<unknown>, 'trace'>, group: string): { span: Span; trace: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, event.headers);
  const span = tracer().startSpan(
    `process ${event.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': event.topic,
        'messaging.destination.partition.id': String(event.partition),
        'messaging.kafka.offset': Number(event.offset),
        'messaging.consumer.group.name': group,
        ...(event.key ? { 'messaging.kafka.message.key': event.key } : {}),
        ...(event.headers[HEADERS.eventId] ? { 'messaging.message.id': event.headers[HEADERS.eventId] } : {}),
        'leadpipe.correlation_id': event.correlationId,
      },
    },
    parent,
  );
  return { span, trace: trace.setSpan(parent, span) };
}

/** Ends a process span with the handler's answer for its message. */
export function endProcessSpan(span: Span, outcome: Outcome['status'], reason?: string): void {
  span.setAttribute('leadpipe.outcome', outcome);
  if (outcome === 'dead_letter') span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
  else if (reason) span.setAttribute('leadpipe.outcome.reason', reason);
  span.end();
}

/**
 * Headers for an event derived from a consumed one: its correlation id and its trace (the
 * consumed message's process span becomes the parent of what is sent next).
 */
export function forwardHeaders(event: Pick<ConsumedEvent<unknown>, 'correlationId' | 'trace'>): Record<string, string> {
  return { [HEADERS.correlationId]: event.correlationId, ...traceHeaders(event.trace) };
}

/** The W3C trace headers of a context (empty when tracing is off or there is none). */
export function traceHeaders(traceContext: Context | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (traceContext) propagation.inject(traceContext, headers);
  return headers;
}

/** The trace headers a received message carried, to pass on unchanged (an unreadable message's dead letter). */
export function pickTraceHeaders(headers: Record<string, string>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of TRACE_HEADERS) if (headers[name]) picked[name] = headers[name];
  return picked;
}

/**
 * Starts a `send <topic>` span per outgoing message, a child of the trace in its headers (or
 * of the active context), and rewrites the headers to carry the new span. Returns the spans
 * so the caller can end them when the broker has acknowledged (or refused) the send.
 */
export function startSendSpans(topic: string, headersOfEach: IHeaders[]): Span[] {
  if (!tracingEnabled()) return [];
  return headersOfEach.map((headers) => {
    const eventId = headers[HEADERS.eventId];
    const parent = typeof headers.traceparent === 'string' ? propagation.extract(ROOT_CONTEXT, headers) : context.active();
    const span = tracer().startSpan(
      `send ${topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': topic,
          ...(typeof eventId === 'string' ? { 'messaging.message.id': eventId } : {}),
        },
      },
      parent,
    );
    for (const name of TRACE_HEADERS) delete headers[name];
    propagation.inject(trace.setSpan(parent, span), headers);
    return span;
  });
}

/** Ends send spans, marking them failed when the send failed. */
export function endSendSpans(spans: Span[], error?: unknown): void {
  for (const span of spans) {
    if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    span.end();
  }
}
