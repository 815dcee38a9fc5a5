import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { APP_CONFIG, IngestEnv } from '@leadpipe/config';
import { apiKeyFromHeaders, ApiKeyRecord, ApiKeyRepository, ApiKeyScope, grants, hashApiKey, looksLikeApiKey } from '@leadpipe/auth';
import { PUBLIC_ROUTE, REQUIRED_SCOPE } from './scopes.decorator';

/** How long a verified key is trusted without asking PostgreSQL again (a revocation takes at most this long). */
export const API_KEY_CACHE_MS = 30_000;
const TOUCH_EVERY_MS = 60_000;

/** The request, once a key was verified on it. */
export type AuthenticatedRequest = Request & { apiKey?: ApiKeyRecord };

/**
 * Every route declares what it needs: `@RequireScope(...)` (an API key with that scope, or an
 * admin key) or `@PublicRoute()`. A route that declares neither is refused (a route added
 * without thinking about access must not be open). Routes outside Nest controllers' `/api`
 * (health, metrics, docs) are public. With `INGEST_AUTH=off` every route is open.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);
  private readonly keys: ApiKeyRepository;
  private readonly cache = new Map<string, { record: ApiKeyRecord | null; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() db: DataSource,
    @Inject(APP_CONFIG) private readonly config: IngestEnv,
  ) {
    this.keys = new ApiKeyRepository(db);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, targets);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!scope) {
      if (!req.path.startsWith('/api/')) return true;
      this.logger.error(`route ${req.method} ${req.path} declares no scope: refused`);
      throw new ForbiddenException({ statusCode: 403, message: 'this route declares no access scope' });
    }
    if (this.config.INGEST_AUTH === 'off') return true;
    const key = apiKeyFromHeaders(req.headers);
    if (!key) throw unauthorized('an API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    const record = looksLikeApiKey(key) ? await this.lookup(key) : null;
    if (!record) throw unauthorized('the API key is not valid (unknown, malformed or revoked)');
    if (!grants(record.scopes, scope)) {
      throw new ForbiddenException({ statusCode: 403, message: `the API key "${record.name}" lacks the "${scope}" scope (it has: ${record.scopes.join(', ')})` });
    }
    req.apiKey = record;
    this.touch(record.id);
    return true;
  }

  private async lookup(key: string): Promise<ApiKeyRecord | null> {
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.record;
    const record = await this.keys.findActive(key);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { record, until: Date.now() + API_KEY_CACHE_MS });
    return record;
  }

  /** `last_used_at`, at most once a minute per key, off the request's path. */
  private touch(id: string): void {
    const now = Date.now();
    if ((this.touched.get(id) ?? 0) > now - TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    this.keys.touch(id).catch((error: unknown) => this.logger.warn(`last use of an API key not recorded: ${String(error)}`));
  }
}

function unauthorized(message: string): UnauthorizedException {
  return new UnauthorizedException({ statusCode: 401, message });
}
