import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, ThrottlerRequest } from '@nestjs/throttler';
import { AuthenticatedRequest } from './api-key.guard';

/**
 * Throttles per API key (per client address when auth is off or the route is public), with
 * the counts in Redis so every ingest replica shares them. If Redis cannot be asked the
 * request goes through (ingest stays available; the outage shows in its logs and readiness).
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  private readonly throttleLogger = new Logger(ApiKeyThrottlerGuard.name);
  private lastFailure = 0;

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const { apiKey, ip } = req as unknown as AuthenticatedRequest;
    return Promise.resolve(apiKey ? `key:${apiKey.id}` : `ip:${ip ?? 'unknown'}`);
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if (error instanceof ThrottlerException) throw error;
      if (Date.now() - this.lastFailure > 10_000) this.throttleLogger.warn(`throttling skipped, its store is unavailable: ${String(error)}`);
      this.lastFailure = Date.now();
      return true;
    }
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    // Probes and scrapes are never throttled.
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return Promise.resolve(context.getType() !== 'http' || !req.path.startsWith('/api/'));
  }
}
