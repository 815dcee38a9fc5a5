import { SetMetadata } from '@nestjs/common';
import { ApiKeyScope } from '@leadpipe/auth';

export const REQUIRED_SCOPE = 'leadpipe:required-scope';
export const PUBLIC_ROUTE = 'leadpipe:public-route';

/** The API-key scope a route needs (`admin` keys pass every scope). */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

/** A route that takes no API key (authenticated otherwise, like the signed webhooks, or public). */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);
