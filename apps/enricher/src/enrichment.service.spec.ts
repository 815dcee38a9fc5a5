import type Redis from 'ioredis';
import type { LeadReceived } from '@leadpipe/contracts';
import { type ConsumedEvent, type EventPublisher, MessageTooLargeError, type OutgoingEvent } from '@leadpipe/kafka';
import { aLeadReceived } from '../../../test/integration/support/lead-received.builder';
import { consumedEvent } from '../../../test/support/consumed-event';
import { EnrichmentService } from './enrichment.service';
import type { NetrowsEnrichmentProvider } from './netrows-enrichment.provider';
import type { RedisSuppressionList } from './suppression-list';

type Enriched = OutgoingEvent<'leadEnriched'>;

/** A received lead as the enricher consumes it (the shared builder: a new identity each call). */
function received(): ConsumedEvent<LeadReceived> {
  return consumedEvent('leads.received.v1', { refresh: false, priority: 'normal', ...aLeadReceived() });
}

/**
 * The enricher with its collaborators stubbed: every lead is found; the publisher refuses, as
 * the broker does, each event `tooLarge` names (sent alone), and fails otherwise when `broken`.
 */
function enricher(options: { tooLarge?: Set<string>; broken?: boolean }) {
  const published: Enriched[] = [];
  const publisher = {
    // As EventPublisher does: a refused event goes to onTooLarge (or rejects), the rest are sent.
    publish: async (_topic: string, events: Enriched[], opts: { onTooLarge?: (i: number, e: MessageTooLargeError) => unknown } = {}) => {
      if (options.broken) throw new Error('broker unreachable');
      for (const [i, event] of events.entries()) {
        if (!options.tooLarge?.has(event.value.leadId)) published.push(event);
        else if (opts.onTooLarge) await opts.onTooLarge(i, new MessageTooLargeError('leadEnriched', i, 2_000_000));
        else throw new MessageTooLargeError('leadEnriched', i, 2_000_000);
      }
    },
  } as unknown as EventPublisher;
  const provider = {
    name: 'netrows',
    enrich: async () => ({ outcome: 'enriched', person: { username: 'ada' }, company: null, calls: 0 }),
  } as unknown as NetrowsEnrichmentProvider;
  const suppressions = { hashesOf: () => [], anySuppressed: async () => false } as unknown as RedisSuppressionList;
  const rules = { requireWorkEmail: false, requireName: false, denyDomains: new Set<string>() };
  const service = new EnrichmentService(provider, publisher, { status: 'ready' } as unknown as Redis, rules, suppressions);
  return { service, published };
}

describe('EnrichmentService publishing', () => {
  const leads = () => Array.from({ length: 5 }, () => received());

  it('dead-letters a lead whose enriched event the broker refuses as too large, and publishes the others in order', async () => {
    const events = leads();
    const refused = new Set([events[1].value.leadId, events[3].value.leadId]);
    const { service, published } = enricher({ tooLarge: refused });

    const outcomes = await service.enrichBatch(events, 1);

    expect(outcomes.map((o) => o.status)).toEqual(['processed', 'dead_letter', 'processed', 'dead_letter', 'processed']);
    expect(outcomes[1]).toMatchObject({ code: 'processing_failed', reason: expect.stringMatching(/2000000 bytes refused by the broker.*max\.message\.bytes/) });
    expect(published.map((e) => e.value.leadId)).toEqual([events[0], events[2], events[4]].map((e) => e.value.leadId));
  });

  it('still rejects the slice (to be retried) when the publish fails otherwise', async () => {
    const { service } = enricher({ broken: true });
    await expect(service.enrichBatch(leads(), 1)).rejects.toThrow('broker unreachable');
  });
});
