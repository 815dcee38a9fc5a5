import { LoggerModule } from 'nestjs-pino';
import { DynamicModule } from '@nestjs/common';

/**
 * Paths never written to logs: credentials and personal data. E-mail addresses and API
 * keys only ever appear in logs masked.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.apiKey',
  '*.email',
  '*.password',
  'email',
  'apiKey',
];

/** Structured JSON logs for a service (pretty only when asked for, in development). */
export function loggingModule(service: string, level: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      name: service,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
      // Successful requests at debug: at thousands of leads a second, access logs would cost more than the work.
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
      customProps: (req) => ({ correlationId: req.headers['x-correlation-id'] }),
    },
  });
}

const EMAIL_IN_TEXT = /[^\s"'<>()[\]{},;:@]+@[^\s"'<>()[\]{},;:@]+\.[^\s"'<>()[\]{},;:@]+/g;

/**
 * Masks every e-mail address inside free text (an error message quoting its input, say) the
 * way {@link maskEmail} masks one.
 */
export function maskEmailsIn(text: string): string {
  return text.replace(EMAIL_IN_TEXT, (email) => maskEmail(email) ?? '***');
}

/** `ada.lovelace@example.com` → `a***@example.com`: enough to debug, not enough to identify. */
export function maskEmail(email: string | null | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
