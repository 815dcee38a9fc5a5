export {
  NetrowsClient,
  DEFAULT_NETROWS_BASE_URL,
  DEFAULT_NETROWS_PATHS,
  DEFAULT_NETROWS_PARAMS,
  type NetrowsClientOptions,
  type NetrowsPaths,
  type NetrowsParams,
  type NetrowsResult,
} from './netrows.client';
export {
  NetrowsError,
  NETROWS_ERROR_KINDS,
  NETROWS_ERROR_CODES,
  RETRYABLE_NETROWS_ERROR_KINDS,
  isNetrowsError,
  type NetrowsErrorKind,
  type NetrowsErrorDetails,
} from './netrows.errors';
export * from './netrows.types';
export { currentPosition, isCurrentPosition } from './profile.helpers';
export {
  companyDomainMatches,
  companyFirmographics,
  hostOf,
  registrableDomain,
  type CompanyFirmographics,
} from './company.helpers';
export { FREE_MAIL_DOMAINS, isFreeMailDomain } from './free-mail';
export { parseRetryAfter } from './retry-after';
