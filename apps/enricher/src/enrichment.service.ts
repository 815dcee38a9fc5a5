import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { v5 as uuidv5 } from 'uuid';
import { LeadEnriched, LeadReceived } from '@leadpipe/contracts';
import { ConsumedEvent, deadLetter, EventPublisher, forwardHeaders, OutgoingEvent, Outcome, processed, retry, skipped } from '@leadpipe/kafka';
import { isNetrowsError, NETROWS_ERROR_KINDS } from '@leadpipe/netrows';
import { maskEmail } from '@leadpipe/observability';
import { REDIS } from '@leadpipe/persistence';
import { disqualifications, QualificationRules } from './lead-qualifier';
import { NetrowsEnrichmentProvider, ProviderResult } from './netrows-enrichment.provider';
import { isBreakerRejection } from './provider-guard';
import { BudgetExhaustedError } from './credit-budget';
import { LimiterUnavailableError } from './rate-limiter';
import { IdentitySuppressedError, RedisSuppressionList } from './suppression-list';

/** Namespace for deterministic event ids: a replayed lead yields the same enriched event id. */
const EVENT_NAMESPACE = '5b0f4a52-8f5c-4a53-9d0e-3f4f0b5d2c11';
const FLUSH_SIZE = 50;

export const QUALIFICATION_RULES = Symbol('QUALIFICATION_RULES');
const FLUSH_INTERVAL_MS = 250;

/**
 * Thrown when the trouble is not the leads' (the provider's circuit is open, the account is
 * refused or out of credits, Redis cannot be asked): no lead is failed, the slice waits and
 * probes again, and consumption is paused meanwhile (see ProviderGuard).
 */
export class ProviderUnavailableError extends Error {}

@Injectable()
export class EnrichmentService {
  private readonly logger = new Logger(EnrichmentService.name);

  constructor(
    private readonly provider: NetrowsEnrichmentProvider,
    private readonly publisher: EventPublisher,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(QUALIFICATION_RULES) private readonly rules: QualificationRules,
    private readonly suppressions: RedisSuppressionList,
  ) {}

  /**
   * Enriches a batch concurrently (the rate limiter paces the calls), publishes one enriched
   * event per lead that has an answer, and only then reports the outcomes, so offsets are
   * committed after the events are durable.
   */
  async enrichBatch(events: ConsumedEvent<LeadReceived>[], concurrency = 16): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(events.length);
    /** The events ready to publish, with the position of each one's lead in `events`. */
    let enriched: Array<{ event: OutgoingEvent<'leadEnriched'>; index: number }> = [];
    let flushed = Promise.resolve();
    let lastFlush = Date.now();
    // Results go out as they come (in small groups), not only at the end of the slice: with a
    // rate-limited provider a slice can take minutes, and downstream should not wait for it.
    const flush = () => {
      const ready = enriched;
      enriched = [];
      lastFlush = Date.now();
      flushed = flushed.then(() => this.publishEnriched(ready, outcomes));
      return flushed;
    };
    let next = 0;
    let accountFailure: Error | null = null;

    const worker = async () => {
      while (next < events.length && !accountFailure) {
        const index = next++;
        const event = events[index];
        try {
          const identityHashes = this.suppressions.hashesOf(event.value);
          // An erased person's event still in Kafka (or replayed): nothing is bought, cached or published.
          if (await this.suppressions.anySuppressed(identityHashes)) throw new IdentitySuppressedError();
          const reasons = disqualifications(event.value.lead, this.rules);
          // A lead that fails the qualification rules costs nothing: it is never looked up.
          const result: ProviderResult & { reasons: string[] } =
            reasons.length > 0
              ? { outcome: 'disqualified', person: null, company: null, calls: 0, reasons }
              : {
                  ...(await this.provider.enrich(event.value.lead, {
                    refresh: event.value.refresh,
                    priority: event.value.priority,
                    identityHashes,
                  })),
                  reasons: [],
                };
          const value: LeadEnriched = {
            schemaVersion: 1,
            eventId: uuidv5(`${event.value.eventId}:enriched`, EVENT_NAMESPACE),
            leadId: event.value.leadId,
            identityKey: event.value.identityKey,
            receivedAt: event.value.receivedAt,
            lead: event.value.lead,
            outcome: result.outcome,
            reasons: result.reasons,
            provider: this.provider.name,
            providerCalls: result.calls,
            enrichedAt: new Date().toISOString(),
            person: result.person as Record<string, unknown> | null,
            company: result.company as Record<string, unknown> | null,
          };
          enriched.push({ event: { key: event.value.identityKey, value, headers: forwardHeaders(event) }, index });
          outcomes[index] = processed();
        } catch (error) {
          if (error instanceof IdentitySuppressedError) {
            this.logger.log({ msg: 'lead skipped: its person was erased', leadId: event.value.leadId });
            outcomes[index] = skipped('person erased: identity suppressed');
          } else {
            outcomes[index] = this.classify(error, event);
            if (this.holdsTheSlice(error)) accountFailure = error as Error;
          }
        }
        if (enriched.length >= FLUSH_SIZE || Date.now() - lastFlush >= FLUSH_INTERVAL_MS) {
          // A failed publish poisons the chain: the final flush re-raises it and the slice is retried.
          await flush().catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, worker));

    if (accountFailure) {
      // Keep every lead of the slice (answers bought so far are cached) and let the runtime
      // retry it after a back-off: that retry is also the probe that ends the pause.
      throw new ProviderUnavailableError(`provider unavailable: ${(accountFailure as Error).message}`);
    }
    // Offsets are committed after this: every processed lead's event is durable by then.
    await flush();
    return outcomes;
  }

  /**
   * Publishes the enriched events in order. One the broker refuses as too large even alone (a
   * provider answer over the topic's `max.message.bytes`) could never be written: its lead is
   * dead-lettered with the reason (the answer stays cached, so a replay after the limit is raised
   * costs nothing) and the events after it are published, instead of the slice being retried
   * forever. Any other failure rejects, and the slice is retried.
   */
  private async publishEnriched(ready: Array<{ event: OutgoingEvent<'leadEnriched'>; index: number }>, outcomes: Outcome[]): Promise<void> {
    await this.publisher.publish('leadEnriched', ready.map((r) => r.event), {
      onTooLarge: (i, error) => {
        this.logger.error({ msg: 'enriched event too large for the topic: lead dead-lettered', leadId: ready[i].event.value.leadId, bytes: error.bytes });
        outcomes[ready[i].index] = deadLetter(
          `enriched event of ${error.bytes} bytes refused by the broker (larger than the topic's max.message.bytes): raise it and KAFKA_PRODUCE_MAX_BYTES, then replay`,
          'processing_failed',
        );
      },
    });
  }

  /** Failures that are not the lead's: hold the slice instead of retrying or failing leads. */
  private holdsTheSlice(error: unknown): boolean {
    if (isBreakerRejection(error) || error instanceof LimiterUnavailableError || error instanceof BudgetExhaustedError) return true;
    if (isNetrowsError(error)) {
      return error.kind === NETROWS_ERROR_KINDS.UNAUTHORIZED || error.kind === NETROWS_ERROR_KINDS.INSUFFICIENT_CREDITS;
    }
    // The cache cannot be read or written: fail closed, like the limiter.
    return this.redis.status !== 'ready';
  }

  private classify(error: unknown, event: ConsumedEvent<LeadReceived>): Outcome {
    const lead = { leadId: event.value.leadId, email: maskEmail(event.value.lead.email) };
    if (isNetrowsError(error)) {
      if (error.kind === NETROWS_ERROR_KINDS.BAD_REQUEST) {
        this.logger.warn({ ...lead, msg: 'provider rejected the lead', reason: error.message });
        return deadLetter(`Netrows rejected the request: ${error.message}`, 'provider_rejected');
      }
      // A 429's Retry-After, when the provider sends one, is honoured as the earliest retry.
      if (error.retryable) return retry(`Netrows ${error.kind}: ${error.message}`, error.retryAfterMs);
    }
    // Anything else (Redis down, a bug) is retried too; after the attempts it is dead-lettered with the reason.
    return retry(error instanceof Error ? error.message : String(error));
  }
}


