import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ErasureMetrics } from './erasure.metrics';
import { IdentitySuppressedError } from './suppression.service';

/**
 * A lead for an erased person is refused with 409 and `reason: "suppressed"`: the client
 * learns that retrying will not help and that there is no lead id to follow. In a batch,
 * `indexes` names the refused positions (the batch is stored whole or not at all).
 */
@Catch(IdentitySuppressedError)
export class IdentitySuppressedFilter implements ExceptionFilter<IdentitySuppressedError> {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: ErasureMetrics,
  ) {}

  catch(error: IdentitySuppressedError, host: ArgumentsHost): void {
    this.metrics.leadsSuppressed.inc(error.indexes.length);
    const body = {
      statusCode: 409,
      error: 'Conflict',
      reason: 'suppressed',
      message: 'the person this lead names asked to be erased; their leads are not accepted',
      indexes: error.indexes,
    };
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, 409);
  }
}
