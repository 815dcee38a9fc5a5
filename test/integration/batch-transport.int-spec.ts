import { MessageHandler } from '@nestjs/microservices';
import { HEADERS, LeadReceived, TOPICS } from '@leadpipe/contracts';
import { ConsumedEvent, KafkaBatchTransport, Outcome, processed, retry } from '@leadpipe/kafka';
import { waitFor } from '../support/wait-for';
import { BatchConsumerHarness, Gate } from './support/batch-consumer.harness';
import { aLeadReceived } from './support/lead-received.builder';

/**
 * The Nest transport's lanes on a real broker. kafkajs fetches again only when every batch of
 * the previous fetch is done, so a main-topic batch that waits (for rate-limit tokens, in the
 * enricher) would hold back every other topic of the same consumer. Retry topics therefore
 * have a consumer of their own: a retry is handled when it is due, whatever the main lane does.
 */
describe('KafkaBatchTransport lanes', () => {
  let h: BatchConsumerHarness;
  let transport: KafkaBatchTransport | undefined;

  beforeEach(async () => {
    h = new BatchConsumerHarness();
    await h.setUp();
  }, 30_000);

  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    await h.dispose();
  }, 30_000);

  it('handles a due retry while the main lane is blocked in a batch', async () => {
    const blocked = new Gate();
    const retried = aLeadReceived();
    const blocker = aLeadReceived();
    const seen: Array<{ leadId: string; attempts: number; whileBlocked: boolean }> = [];
    let blocking = false;

    transport = new KafkaBatchTransport({
      kafka: h.env.kafka,
      namespace: h.env.namespace,
      group: 'lanes',
      stage: 'lanes',
      publisher: h.publisher,
      logger: h.logger,
      partitionsConsumedConcurrently: 3,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      retryBaseMs: 300,
      failureBackoffMs: 20,
    });
    const handler = async (events: ConsumedEvent<LeadReceived>[]): Promise<Outcome[]> => {
      const outcomes: Outcome[] = [];
      for (const event of events) {
        const attempts = Number(event.headers[HEADERS.attempts] ?? 0);
        seen.push({ leadId: event.value.leadId, attempts, whileBlocked: blocking });
        if (event.value.leadId === blocker.leadId) {
          blocking = true;
          await blocked.promise;
          blocking = false;
        }
        outcomes.push(event.value.leadId === retried.leadId && attempts === 0 ? retry('provider 503') : processed());
      }
      return outcomes;
    };
    // What `@EventPattern(TOPICS.leadReceived)` registers in a Nest app.
    transport.addHandler(TOPICS.leadReceived, handler as unknown as MessageHandler, true);
    await transport.listen(() => undefined);
    expect(transport.groups.sort()).toEqual(['lanes', 'lanes-retry']);

    await h.publish([retried]);
    await waitFor(() => seen.some((s) => s.leadId === retried.leadId), { timeoutMs: 20_000, what: 'the first attempt' });
    // The main lane now waits inside the blocker's batch, and stays there until the end.
    await h.publish([blocker]);
    await waitFor(() => blocking, { timeoutMs: 20_000, what: 'the main lane to block' });

    const second = await waitFor(() => seen.find((s) => s.leadId === retried.leadId && s.attempts === 1), {
      timeoutMs: 20_000,
      what: 'the retry, handled while the main lane is blocked',
    });
    expect(second.whileBlocked).toBe(true);
    blocked.open();
    await waitFor(() => !blocking, { timeoutMs: 10_000, what: 'the blocker to finish' });
    expect(seen.filter((s) => s.leadId === retried.leadId).map((s) => s.attempts)).toEqual([0, 1]);
  }, 60_000);
});
