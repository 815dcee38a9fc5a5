import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { ApiKeyScope } from '@leadpipe/auth';
import { ApiErrors } from '../openapi/api-docs';

export const REQUIRED_SCOPE = 'leadpipe:required-scope';
export const PUBLIC_ROUTE = 'leadpipe:public-route';

/**
 * The API-key scope a route needs (`admin` keys pass every scope); on a class, the default of
 * its routes. Also documents it in the OpenAPI (`x-required-scope`, the key schemes, 401/403/429).
 */
export const RequireScope = (scope: ApiKeyScope) =>
  applyDecorators(SetMetadata(REQUIRED_SCOPE, scope), ApiBearerAuth('bearer'), ApiSecurity('api-key'), ApiExtension('x-required-scope', scope), ApiErrors(401, 403, 429));

/** A route that takes no API key (authenticated otherwise, like the signed webhooks, or public). */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);
