import { randomUUID } from 'node:crypto';
import { LeadReceived } from '@leadpipe/contracts';
import { ConsumedEvent, deadLetter, Outcome, processed, retry, skipped } from '@leadpipe/kafka';
import { waitFor } from '../support/wait-for';
import { BatchConsumerHarness, Gate, LeadHandler } from './support/batch-consumer.harness';
import { fullyCommitted, groupOffsets, messageCount, PartitionOffsets } from './support/kafka-probes';
import { aLeadReceived, someLeadsReceived } from './support/lead-received.builder';

const TEST_TIMEOUT_MS = 45_000;

/**
 * The framework-free batch consumer on a real broker: commits only after outcomes are
 * durable, dead-letters what cannot be read or handled, retries what a handler asks to, and
 * never loses an uncommitted message when it goes away mid-slice.
 */
describe('BatchConsumer on Kafka', () => {
  let h: BatchConsumerHarness;

  beforeEach(async () => {
    h = new BatchConsumerHarness();
    await h.setUp();
  }, 30_000);

  afterEach(async () => {
    await h.dispose();
  }, 30_000);

  const ids = (events: Array<{ leadId: string }>): string[] => events.map((e) => e.leadId).sort();
  const leadIds = (events: ConsumedEvent<LeadReceived>[]): string[] => events.map((e) => e.value.leadId);

  /** Records every call; answers with `decide` (default: processed). */
  function recordingHandler(decide: (event: ConsumedEvent<LeadReceived>) => Outcome = () => processed()) {
    const calls: ConsumedEvent<LeadReceived>[][] = [];
    const handler: LeadHandler = async (events) => {
      calls.push(events);
      return events.map(decide);
    };
    const handled = (): string[] => calls.flat().map((e) => e.value.leadId);
    const timesHandled = (leadId: string): number => handled().filter((id) => id === leadId).length;
    return { calls, handler, handled, timesHandled };
  }

  async function waitFullyCommitted(group: string, what: string): Promise<PartitionOffsets[]> {
    return waitFor(
      async () => {
        const offsets = await groupOffsets(h.env.kafka, h.groupId(group), h.receivedTopic);
        return fullyCommitted(offsets) ? offsets : null;
      },
      { timeoutMs: 20_000, intervalMs: 100, what },
    );
  }

  function expectFullyCommitted(offsets: PartitionOffsets[]): void {
    const normalised = offsets.map((p) => ({ partition: p.partition, committed: p.end === '0' && p.committed === '-1' ? '0' : p.committed }));
    expect(normalised).toEqual(offsets.map((p) => ({ partition: p.partition, committed: p.end })));
  }

  it(
    'processes valid events in slices of at most maxBatchSize, commits up to the end, and a new member receives nothing again',
    async () => {
      const onePartition = someLeadsReceived(12);
      const spread = someLeadsReceived(8);
      await h.publish(onePartition, `email:batch-${randomUUID()}@acme.example`);
      await h.publish(spread);
      const all = [...onePartition, ...spread];

      const first = recordingHandler();
      const consumer = await h.startConsumer('a', first.handler, { maxBatchSize: 5 });
      await waitFor(() => first.handled().length >= all.length, { timeoutMs: 20_000, what: 'all events handled' });
      await consumer.stop();

      expect(first.handled().sort()).toEqual(ids(all));
      expect(Math.max(...first.calls.map((c) => c.length))).toBe(5);
      expectFullyCommitted(await groupOffsets(h.env.kafka, h.groupId('a'), h.receivedTopic));

      // A later member of the group starts at the committed offsets: it sees only what is new.
      const second = recordingHandler();
      await h.startConsumer('a', second.handler);
      const sentinel = aLeadReceived();
      await h.publish([sentinel]);
      await waitFor(() => second.handled().includes(sentinel.leadId), { timeoutMs: 20_000, what: 'sentinel handled' });
      expect(second.handled()).toEqual([sentinel.leadId]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'with coalescePartitions, hands the slices of partitions fetched together to one handler call, each partition in its order, and commits them all',
    async () => {
      // Published before the consumer starts: its first fetch brings every partition at once.
      const spread = someLeadsReceived(60);
      await h.publish(spread);

      const { calls, handler, handled } = recordingHandler();
      const consumer = await h.startConsumer('coalesced', handler, { coalescePartitions: true, partitionsConsumedConcurrently: 6, maxBatchSize: 100 });
      await waitFor(() => handled().length >= spread.length, { timeoutMs: 20_000, what: 'all events handled' });
      await waitFullyCommitted('coalesced', 'every partition committed');
      await consumer.stop();

      expect(handled().sort()).toEqual(ids(spread));
      const partitionsPerCall = calls.map((call) => new Set(call.map((e) => e.partition)).size);
      expect(Math.max(...partitionsPerCall)).toBeGreaterThan(1);
      // Within each partition the handler saw the events in offset order.
      for (const call of calls) {
        for (const partition of new Set(call.map((e) => e.partition))) {
          const offsets = call.filter((e) => e.partition === partition).map((e) => BigInt(e.offset));
          expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        }
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'dead-letters a non-JSON and a schema-invalid message with reason, payload and origin, and still handles the valid ones around them',
    async () => {
      const [before, between, after] = someLeadsReceived(3);
      const invalid = aLeadReceived();
      const schemaInvalid = JSON.stringify({ ...invalid, source: 'fax', lead: { firstName: 'Nobody' } });
      const notJson = '{"leadId": "unterminated';
      const binary = Buffer.from([0xff, 0xfe, 0x00, 0x01]);
      const correlationIds = [randomUUID(), randomUUID()];
      const offsets = await h.produceRaw(0, [
        { key: before.identityKey, value: JSON.stringify(before) },
        { key: 'email:garbage@acme.example', value: notJson, headers: { 'correlation-id': correlationIds[0] } },
        { key: between.identityKey, value: JSON.stringify(between) },
        { key: invalid.identityKey, value: schemaInvalid, headers: { 'correlation-id': correlationIds[1] } },
        { key: 'binary', value: binary },
        { key: after.identityKey, value: JSON.stringify(after) },
      ]);

      const handler = recordingHandler();
      await h.startConsumer('b', handler.handler);
      const dlq = await h.readDeadLetters();
      await waitFullyCommitted('b', 'all six messages committed');
      await waitFor(() => dlq.messages.length >= 3, { timeoutMs: 20_000, what: 'three dead letters' });

      expect(handler.handled()).toEqual([before.leadId, between.leadId, after.leadId]);
      expect(await messageCount(h.env.kafka, h.deadLetterTopic)).toBe(3);
      const byOffset = new Map(dlq.deadLetters().map((d) => [d.value.originOffset, d]));
      const common = { stage: 'stage-b', originTopic: h.receivedTopic, originPartition: 0, attempts: 1 };
      const commonHeaders = { 'origin-topic': h.receivedTopic, 'origin-partition': '0', attempts: '1', stage: 'stage-b' };

      const unparseable = byOffset.get(offsets[1])!;
      expect(unparseable.value).toMatchObject({
        ...common,
        errorCode: 'unparseable',
        leadId: null,
        originOffset: offsets[1],
        key: 'email:garbage@acme.example',
        payload: notJson,
        payloadEncoding: 'utf8',
      });
      expect(unparseable.value.reason).toMatch(/not JSON/);
      expect(unparseable.headers).toMatchObject({
        ...commonHeaders,
        'origin-offset': offsets[1],
        error: unparseable.value.reason,
        'correlation-id': correlationIds[0],
      });

      const rejected = byOffset.get(offsets[3])!;
      expect(rejected.value).toMatchObject({
        ...common,
        errorCode: 'schema_invalid',
        leadId: invalid.leadId,
        originOffset: offsets[3],
        key: invalid.identityKey,
        payload: schemaInvalid,
        payloadEncoding: 'utf8',
      });
      expect(rejected.value.reason).toMatch(/source/);
      expect(rejected.value.reason).toMatch(/email or linkedinUrl/);
      expect(rejected.headers).toMatchObject({
        ...commonHeaders,
        'origin-offset': offsets[3],
        error: rejected.value.reason,
        'correlation-id': correlationIds[1],
      });

      const garbled = byOffset.get(offsets[4])!;
      expect(garbled.value).toMatchObject({
        ...common,
        errorCode: 'unparseable',
        leadId: null,
        payload: binary.toString('base64'),
        payloadEncoding: 'base64',
      });
      expect(garbled.headers).toMatchObject({ ...commonHeaders, 'origin-offset': offsets[4] });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'retries only the event it answered retry for, through the three retry topics, then dead-letters it as retries_exhausted',
    async () => {
      const events = someLeadsReceived(5);
      const target = events[2];
      await h.publish(events, `email:retry-${randomUUID()}@acme.example`);

      const handler = recordingHandler((e) => (e.value.leadId === target.leadId ? retry('provider busy') : processed()));
      const retried = await h.readTopic(h.env.topic('enrichRetry1'));
      await h.startConsumer('c', handler.handler, { retryBaseMs: 20 });
      const dlq = await h.readDeadLetters();
      await waitFor(() => dlq.messages.length >= 1, { timeoutMs: 20_000, what: 'the dead letter' });
      await waitFullyCommitted('c', 'received topic committed');

      // One first attempt and three retries (1 + the chain's length), the others once.
      expect(handler.timesHandled(target.leadId)).toBe(4);
      for (const other of events.filter((e) => e !== target)) expect(handler.timesHandled(other.leadId)).toBe(1);
      expect(handler.calls.slice(1).map(leadIds)).toEqual([[target.leadId], [target.leadId], [target.leadId]]);

      const targetOffset = handler.calls[0].find((e) => e.value.leadId === target.leadId)!.offset;
      // The first retry waited in retry topic 1, due after the back-off, pointing at its origin.
      await waitFor(() => retried.messages.length >= 1, { timeoutMs: 10_000, what: 'the first retry' });
      const [first] = retried.messages;
      expect(first.headers).toMatchObject({ attempts: '1', 'origin-topic': h.receivedTopic, 'origin-offset': targetOffset, error: 'provider busy' });
      expect(Number(first.headers['not-before'])).toBeGreaterThan(Date.parse(first.headers['first-failure-at']));
      expect(JSON.parse(first.value!)).toMatchObject({ leadId: target.leadId, eventId: target.eventId });

      expect(await messageCount(h.env.kafka, h.deadLetterTopic)).toBe(1);
      const [letter] = dlq.deadLetters();
      expect(letter.value).toMatchObject({
        errorCode: 'retries_exhausted',
        attempts: 4,
        leadId: target.leadId,
        originTopic: h.receivedTopic,
        originOffset: targetOffset,
        stage: 'stage-c',
        payloadEncoding: 'utf8',
      });
      expect(letter.value.reason).toMatch(/provider busy/);
      expect(JSON.parse(letter.value.payload)).toMatchObject({ leadId: target.leadId, eventId: target.eventId });
      expect(letter.headers).toMatchObject({ attempts: '4', 'origin-offset': targetOffset, stage: 'stage-c' });
      expect(letter.headers['first-failure-at']).toBe(first.headers['first-failure-at']);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'waits at least as long as the failure asked (a provider Retry-After) before the retry',
    async () => {
      const [target] = someLeadsReceived(1);
      const handler = recordingHandler(() => retry('rate limited', 45_000));
      const retried = await h.readTopic(h.env.topic('enrichRetry1'));
      await h.startConsumer('ra', handler.handler, { retryBaseMs: 20 });
      const sentAt = Date.now();
      await h.publish([target], `email:ra-${randomUUID()}@acme.example`);
      await waitFor(() => retried.messages.length >= 1, { timeoutMs: 20_000, what: 'the retry' });
      expect(Number(retried.messages[0].headers['not-before'])).toBeGreaterThanOrEqual(sentAt + 45_000);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'does not hold the partition while an event waits for its retry',
    async () => {
      const key = `email:wait-${randomUUID()}@acme.example`;
      const [target] = someLeadsReceived(1);
      const handler = recordingHandler((e) => (e.value.leadId === target.leadId ? retry('provider busy') : processed()));
      // A retry due in 30 s or more: far beyond the time the rest of this test needs.
      await h.startConsumer('w', handler.handler, { retryBaseMs: 30_000 });
      await h.publish([target], key);
      await waitFor(() => handler.timesHandled(target.leadId) === 1, { timeoutMs: 20_000, what: 'first attempt' });

      const later = someLeadsReceived(3);
      await h.publish(later, key);
      await waitFor(() => later.every((e) => handler.timesHandled(e.leadId) === 1), {
        timeoutMs: 20_000,
        what: 'later events on the same partition handled while the first one waits',
      });
      expect(handler.timesHandled(target.leadId)).toBe(1);
      expect(await messageCount(h.env.kafka, h.env.topic('enrichRetry1'))).toBe(1);
      await waitFullyCommitted('w', 'received topic committed past the waiting event');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'dead-letters an event the handler answers dead_letter for, with its reason and code',
    async () => {
      const events = someLeadsReceived(4);
      const [, rejected, , failed] = events;
      await h.publish(events, `email:dl-${randomUUID()}@acme.example`);

      const handler = recordingHandler((e) => {
        if (e.value.leadId === rejected.leadId) return deadLetter('provider rejected the identity', 'provider_rejected');
        if (e.value.leadId === failed.leadId) return deadLetter('address belongs to a test account');
        return processed();
      });
      await h.startConsumer('d', handler.handler);
      const dlq = await h.readDeadLetters();
      await waitFullyCommitted('d', 'slice committed');
      await waitFor(() => dlq.messages.length >= 2, { timeoutMs: 20_000, what: 'two dead letters' });

      expect(handler.handled().sort()).toEqual(ids(events));
      expect(await messageCount(h.env.kafka, h.deadLetterTopic)).toBe(2);
      const byLead = new Map(dlq.deadLetters().map((d) => [d.value.leadId, d]));
      expect(byLead.get(rejected.leadId)!.value).toMatchObject({
        errorCode: 'provider_rejected',
        reason: 'provider rejected the identity',
        attempts: 1,
        stage: 'stage-d',
      });
      expect(byLead.get(rejected.leadId)!.headers).toMatchObject({ error: 'provider rejected the identity', attempts: '1' });
      expect(byLead.get(failed.leadId)!.value).toMatchObject({
        errorCode: 'processing_failed',
        reason: 'address belongs to a test account',
        attempts: 1,
      });
    },
    TEST_TIMEOUT_MS,
  );

  describe('offset commits (commitIntervalMs)', () => {
    const LONG = 60_000;

    it(
      'holds resolved offsets until the interval passes, and commits them all when stopped',
      async () => {
        const spread = someLeadsReceived(20);
        await h.publish(spread);
        const { handler, handled } = recordingHandler();
        const consumer = await h.startConsumer('c1', handler, { maxBatchSize: 5, commitIntervalMs: LONG });
        await waitFor(() => handled().length >= spread.length, { timeoutMs: 20_000, what: 'all events handled' });

        // Twenty events in slices of five, and not one commit: the interval has not passed.
        const running = await groupOffsets(h.env.kafka, h.groupId('c1'), h.receivedTopic);
        expect(running.map((p) => p.committed)).toEqual(running.map(() => '-1'));

        await consumer.stop();
        expectFullyCommitted(await groupOffsets(h.env.kafka, h.groupId('c1'), h.receivedTopic));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'commits within the interval while running, without a stop',
      async () => {
        const spread = someLeadsReceived(20);
        await h.publish(spread);
        const { handler, handled } = recordingHandler();
        await h.startConsumer('c2', handler, { maxBatchSize: 5, commitIntervalMs: 200 });
        await waitFor(() => handled().length >= spread.length, { timeoutMs: 20_000, what: 'all events handled' });
        expectFullyCommitted(await waitFullyCommitted('c2', 'committed by the interval'));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'commits what it resolved before a rebalance hands its partitions over: the new member handles nothing twice',
      async () => {
        const before = someLeadsReceived(24);
        await h.publish(before);
        const first = recordingHandler();
        await h.startConsumer('c3', first.handler, { maxBatchSize: 5, commitIntervalMs: LONG });
        await waitFor(() => first.handled().length >= before.length, { timeoutMs: 20_000, what: 'the first events handled' });

        // A second member joins: the group rebalances and some partitions move to it.
        const second = recordingHandler();
        await h.startConsumer('c3', second.handler, { maxBatchSize: 5, commitIntervalMs: LONG });
        const after = someLeadsReceived(24);
        await h.publish(after);
        const handledByEither = () => [...first.handled(), ...second.handled()];
        await waitFor(() => after.every((e) => handledByEither().includes(e.leadId)), { timeoutMs: 30_000, what: 'the later events handled' });

        expect(second.handled().length).toBeGreaterThan(0);
        expect(handledByEither().sort()).toEqual(ids([...before, ...after]));
      },
      TEST_TIMEOUT_MS,
    );
  });

  it(
    'retries a slice whose handler throws without committing or dead-lettering, and handles it once the handler succeeds',
    async () => {
      const failures = 3;
      const events = someLeadsReceived(6);
      await h.publish(events, `email:flaky-${randomUUID()}@acme.example`);

      const lastFailure = new Gate();
      const inspected = new Gate();
      let calls = 0;
      const handled: string[] = [];
      const handler: LeadHandler = async (batch) => {
        calls += 1;
        if (calls === failures) {
          lastFailure.open();
          // Hold the last failure until the test has looked at the broker.
          await inspected.promise;
        }
        if (calls <= failures) throw new Error('database unavailable');
        handled.push(...leadIds(batch));
        return batch.map(() => processed());
      };
      await h.startConsumer('e', handler, { failureBackoffMs: 20 });
      await lastFailure.promise;

      const whileFailing = await groupOffsets(h.env.kafka, h.groupId('e'), h.receivedTopic);
      expect(whileFailing.map((p) => p.committed)).toEqual(whileFailing.map(() => '-1'));
      expect(await messageCount(h.env.kafka, h.deadLetterTopic)).toBe(0);
      inspected.open();

      expectFullyCommitted(await waitFullyCommitted('e', 'slice committed after recovery'));
      expect(calls).toBe(failures + 1);
      expect(handled.sort()).toEqual(ids(events));
      expect(await messageCount(h.env.kafka, h.deadLetterTopic)).toBe(0);
      expect(h.logger.lines.filter((l) => l.message === 'handler failed; retrying the slice')).toHaveLength(failures);
    },
    TEST_TIMEOUT_MS,
  );

  describe('at-least-once when a consumer goes away mid-slice', () => {
    const SLICE = 4;

    /** Publishes 12 events to one partition, starts a consumer that blocks in its second slice. */
    async function blockInSecondSlice(group: string) {
      const events = someLeadsReceived(12);
      await h.publish(events, `email:crash-${randomUUID()}@acme.example`);
      const inSecondSlice = new Gate();
      const release = new Gate();
      const seen: ConsumedEvent<LeadReceived>[][] = [];
      const handler: LeadHandler = async (batch) => {
        seen.push(batch);
        if (seen.length === 2) {
          inSecondSlice.open();
          await release.promise;
        }
        return batch.map(() => processed());
      };
      const consumer = await h.startConsumer(group, handler, { maxBatchSize: SLICE });
      await inSecondSlice.promise;
      return { events, seen, release, consumer };
    }

    async function nextMember(group: string, expected: number) {
      const next = recordingHandler();
      await h.startConsumer(group, next.handler, { maxBatchSize: SLICE });
      await waitFor(() => next.handled().length >= expected, { timeoutMs: 20_000, what: `${expected} events redelivered` });
      expectFullyCommitted(await waitFullyCommitted(group, 'the next member committed everything'));
      return next;
    }

    it(
      'redelivers the slice that failed while stopping, and everything after it, to the next member',
      async () => {
        const { events, seen, release, consumer } = await blockInSecondSlice('f1');
        const partition = seen[0][0].partition;
        const secondSliceStart = seen[1][0].offset;

        const stopping = consumer.stop();
        release.fail(new Error('connection reset while the process dies'));
        await stopping;

        const offsets = await groupOffsets(h.env.kafka, h.groupId('f1'), h.receivedTopic);
        expect(offsets.find((p) => p.partition === partition)!.committed).toBe(secondSliceStart);

        const next = await nextMember('f1', events.length - SLICE);
        const redelivered = next.calls.flat();
        expect(redelivered.map((e) => e.offset)).toEqual(
          Array.from({ length: events.length - SLICE }, (_, i) => String(Number(secondSliceStart) + i)),
        );
        // Nothing lost: what the first member completed plus what the next received is everything.
        expect([...leadIds(seen[0]), ...leadIds(redelivered)].sort()).toEqual(ids(events));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'commits the slice that finishes during stop() and hands the rest of the batch to the next member',
      async () => {
        const { events, seen, release, consumer } = await blockInSecondSlice('f2');
        const partition = seen[0][0].partition;
        const thirdSliceStart = String(Number(seen[1][0].offset) + SLICE);

        const stopping = consumer.stop();
        release.open();
        await stopping;

        expect(seen).toHaveLength(2);
        const offsets = await groupOffsets(h.env.kafka, h.groupId('f2'), h.receivedTopic);
        expect(offsets.find((p) => p.partition === partition)!.committed).toBe(thirdSliceStart);

        const next = await nextMember('f2', events.length - 2 * SLICE);
        expect(next.calls.flat().map((e) => e.offset)).toEqual(
          Array.from({ length: events.length - 2 * SLICE }, (_, i) => String(Number(thirdSliceStart) + i)),
        );
        expect([...leadIds(seen.flat()), ...next.handled()].sort()).toEqual(ids(events));
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('onOutcome', () => {
    function countingOutcomes() {
      const counts: Record<string, number> = {};
      const onOutcome = (topicKey: string, status: Outcome['status']) => {
        expect(['leadReceived', 'enrichRetry1']).toContain(topicKey);
        counts[status] = (counts[status] ?? 0) + 1;
      };
      const deadLetterCodes: string[] = [];
      const onDeadLetter = (_topicKey: string, code: string) => deadLetterCodes.push(code);
      const timings: Array<{ seconds: number; events: number }> = [];
      const onHandlerDuration = (_topicKey: string, seconds: number, events: number) => timings.push({ seconds, events });
      return { counts, onOutcome, deadLetterCodes, onDeadLetter, timings, onHandlerDuration };
    }

    it(
      'reports every handler answer and every unreadable message',
      async () => {
        const events = someLeadsReceived(6);
        const [, , , , duplicate, busy] = events;
        await h.publish(events, `email:outcomes-${randomUUID()}@acme.example`);
        await h.produceRaw(0, [{ key: 'email:garbage@acme.example', value: 'not json' }]);

        let busyAnswers = 0;
        const handler = recordingHandler((e) => {
          if (e.value.leadId === duplicate.leadId) return skipped('already enriched');
          if (e.value.leadId === busy.leadId && busyAnswers++ === 0) return retry('provider busy');
          return processed();
        });
        const { counts, onOutcome, deadLetterCodes, onDeadLetter, timings, onHandlerDuration } = countingOutcomes();
        await h.startConsumer('g1', handler.handler, { onOutcome, onDeadLetter, onHandlerDuration });
        await waitFullyCommitted('g1', 'everything committed');
        // The busy one comes back from the retry topic after its back-off.
        await waitFor(() => counts.processed === 5, { timeoutMs: 20_000, what: 'the retry handled and reported' });

        // Four processed at once, the busy one processed on its second attempt.
        expect(counts).toEqual({ processed: 5, skipped: 1, retry: 1, dead_letter: 1 });
        expect(await messageCount(h.env.kafka, h.deadLetterTopic)).toBe(1);
        expect(deadLetterCodes).toEqual(['unparseable']);
        // Every handler call is timed with the events it was given: six, then the busy one again.
        expect(timings.reduce((sum, t) => sum + t.events, 0)).toBe(7);
        expect(timings.every((t) => t.seconds >= 0 && t.seconds < 10)).toBe(true);
      },
      TEST_TIMEOUT_MS,
    );

    // Regression: a dead_letter answer was reported once for the answer and once more when the
    // dead letter was written, so a dead-letter metric fed by onOutcome counted it twice.
    it(
      'reports a dead letter the handler asked for once, as many times as dead letters are written',
      async () => {
        const events = someLeadsReceived(3);
        const rejected = events[1];
        await h.publish(events, `email:outcomes-dl-${randomUUID()}@acme.example`);

        const handler = recordingHandler((e) => (e.value.leadId === rejected.leadId ? deadLetter('provider rejected', 'provider_rejected') : processed()));
        const { counts, onOutcome, deadLetterCodes, onDeadLetter } = countingOutcomes();
        await h.startConsumer('g2', handler.handler, { onOutcome, onDeadLetter });
        await waitFullyCommitted('g2', 'everything committed');

        expect(await messageCount(h.env.kafka, h.deadLetterTopic)).toBe(1);
        expect(counts).toEqual({ processed: 2, dead_letter: 1 });
        expect(deadLetterCodes).toEqual(['provider_rejected']);
      },
      TEST_TIMEOUT_MS,
    );
  });
});
