import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { Observable } from 'rxjs';
import { MetricsRegistry } from './metrics.registry';

interface HttpRequestLike {
  method: string;
  baseUrl?: string;
  route?: { path?: unknown };
}

interface HttpResponseLike {
  statusCode: number;
  once(event: 'finish', listener: () => void): unknown;
}

/**
 * `leadpipe_http_request_duration_seconds{method,route,status}`. The route is the matched
 * pattern (`/api/leads/:id`), never the raw URL, so ids do not explode the series; the status
 * is the one sent, read when the response finishes (after exception filters chose it).
 * Register it with `{ provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor }`.
 */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  private readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(registry: MetricsRegistry) {
    this.duration = new Histogram({
      name: 'leadpipe_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // Global interceptors also wrap the Kafka handlers of hybrid apps: only time HTTP.
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequestLike>();
    const response = http.getResponse<HttpResponseLike>();
    const stop = this.duration.startTimer();
    response.once('finish', () => {
      stop({ method: request.method, route: routeOf(request), status: String(response.statusCode) });
    });
    return next.handle();
  }
}

function routeOf(request: HttpRequestLike): string {
  const path = request.route?.path;
  return typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` : 'unmatched';
}
