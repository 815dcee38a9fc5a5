import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** The instrumentation scope of every span the services make. */
export const TRACER_NAME = 'leadpipe';

let provider: NodeTracerProvider | null = null;

/** The tracing settings of the parsed configuration (libs/config, standard OpenTelemetry names). */
export interface TracingConfig {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_SERVICE_NAME?: string;
  OTEL_TRACES_EXPORTER?: string;
  OTEL_SDK_DISABLED?: boolean;
}

/**
 * True when the configuration asks for traces: an OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `OTEL_TRACES_EXPORTER`
 * is not `none` and `OTEL_SDK_DISABLED` is not true. Off by default.
 */
export function tracingRequested(config: TracingConfig): boolean {
  if (config.OTEL_SDK_DISABLED) return false;
  if (config.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Boolean(config.OTEL_EXPORTER_OTLP_ENDPOINT || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts OpenTelemetry tracing for a service when {@link tracingRequested}: spans are batched
 * and exported over OTLP/HTTP to the configured endpoint (headers and timeout as the exporter
 * itself reads them: `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT`), sampled per
 * `OTEL_TRACES_SAMPLER` (default: parent-based, always on). The W3C `traceparent` propagator
 * is registered, which is what carries a trace across the Kafka headers. Without it, every
 * span the services start is a no-op. Returns whether tracing is on. Tests may pass their own
 * `exporter` (in memory) instead of OTLP.
 */
export function startTracing(service: string, config: TracingConfig, exporter?: SpanExporter): boolean {
  if (provider || (!exporter && !tracingRequested(config))) return provider !== null;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME?.trim() || `leadpipe-${service}` }),
    spanProcessors: [new BatchSpanProcessor(exporter ?? otlpExporter(config))],
  });
  provider.register();
  return true;
}

/** True while tracing is on (spans record and are exported). */
export function tracingEnabled(): boolean {
  return provider !== null;
}

/** The OTLP/HTTP exporter; as the specification resolves it, a per-signal URL is used as is and a base URL gets `/v1/traces`. */
function otlpExporter(config: TracingConfig): OTLPTraceExporter {
  const url = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || `${config.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/+$/, '')}/v1/traces`;
  return new OTLPTraceExporter({ url });
}

/** Exports the spans ended so far (tests; shutdown does it by itself). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

/** Exports the spans still buffered and stops tracing (on shutdown); a no-op when tracing is off. */
export async function stopTracing(): Promise<void> {
  const current = provider;
  provider = null;
  if (!current) return;
  await current.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
}

/**
 * Express-style middleware giving every HTTP request a server span, continuing the caller's
 * trace when it sends a `traceparent`. The rest of the request runs inside the span's
 * context, so what it writes to the outbox carries the trace on to Kafka. Health and metrics
 * scrapes are not traced.
 */
export function httpTracing(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const tracer = trace.getTracer(TRACER_NAME);
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    if (!provider || path.startsWith('/health') || path === '/metrics') return next();
    const parent = propagation.extract(context.active(), req.headers);
    const method = req.method ?? 'GET';
    const span = tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } },
      parent,
    );
    res.once('finish', () => {
      // Express sets req.route once a handler matched: name the span after the route template.
      const route = (req as IncomingMessage & { route?: { path?: string }; baseUrl?: string }).route?.path;
      if (route) {
        const full = `${(req as { baseUrl?: string }).baseUrl ?? ''}${route}`;
        span.updateName(`${method} ${full}`);
        span.setAttribute('http.route', full);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    res.once('close', () => {
      if (!res.writableFinished) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the response was sent' });
        span.end();
      }
    });
    const active = trace.setSpan(parent, span);
    // Body parsers and uploads read the request in its own stream callbacks: run those in the span's context too.
    context.bind(active, req);
    context.bind(active, res);
    context.with(active, next);
  };
}

/** The W3C trace headers (`traceparent`, `tracestate`) of the active span; empty when tracing is off. */
export function activeTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}
