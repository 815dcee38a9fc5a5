import { HttpException } from '@nestjs/common';
import { FieldError } from '../create-lead.dto';

/**
 * The `result` label of `leadpipe_ingest_webhook_deliveries_total`: what became of one
 * delivery. `accepted` and `replayed` are answered 2xx, `error` is an unexpected failure (500),
 * the others are refusals ({@link WebhookRejection}).
 */
export const WEBHOOK_RESULTS = ['accepted', 'replayed', 'invalid', 'bad_signature', 'expired', 'conflict', 'unavailable', 'disabled', 'error'] as const;
export type WebhookResult = (typeof WEBHOOK_RESULTS)[number];

/**
 * A refused webhook delivery: the HTTP answer and the metric result in one. The body has the
 * shape of every other error of the API (`statusCode`, `message`, and `errors` for bad input).
 */
export class WebhookRejection extends HttpException {
  private constructor(
    readonly result: Exclude<WebhookResult, 'accepted' | 'replayed' | 'error'>,
    status: number,
    body: { message: string; errors?: FieldError[] },
  ) {
    super({ statusCode: status, ...body }, status);
  }

  /** 400: a header is missing or malformed; `errors` names each. */
  static invalidHeaders(errors: FieldError[]): WebhookRejection {
    return new WebhookRejection('invalid', 400, { message: 'Invalid webhook headers', errors });
  }

  /** 400: the (authentic) body does not hold valid leads; `errors` names each field, with its index in an array. */
  static invalidBody(errors: FieldError[]): WebhookRejection {
    return new WebhookRejection('invalid', 400, { message: 'Validation failed', errors });
  }

  /** 415: the body was not sent as JSON, so there are no raw bytes to check the signature on. */
  static notJson(): WebhookRejection {
    return new WebhookRejection('invalid', 415, { message: 'the body must be JSON, sent with content-type: application/json' });
  }

  /** 401: no signature matches; nothing in the body is looked at. */
  static badSignature(message: string): WebhookRejection {
    return new WebhookRejection('bad_signature', 401, { message });
  }

  /** 401: the signed timestamp is outside the tolerance window (a replay of an old delivery, or a skewed clock). */
  static expired(message: string): WebhookRejection {
    return new WebhookRejection('expired', 401, { message });
  }

  /** 409: the delivery id is in use: by a delivery still being processed, or by one with another body. */
  static conflict(message: string): WebhookRejection {
    return new WebhookRejection('conflict', 409, { message });
  }

  /** 503: replay protection (Redis) or the database is unavailable; nothing was stored, the sender should retry. */
  static unavailable(message: string): WebhookRejection {
    return new WebhookRejection('unavailable', 503, { message });
  }

  /** 404: the route has no secret configured, so nothing it received could be trusted. */
  static disabled(message: string): WebhookRejection {
    return new WebhookRejection('disabled', 404, { message });
  }
}
