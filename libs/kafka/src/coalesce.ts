import { BatchHandler, ConsumedEvent, Outcome } from './outcome';

interface Call<T> {
  events: ConsumedEvent<T>[];
  resolve: (outcomes: Outcome[]) => void;
  reject: (error: unknown) => void;
}

/**
 * A handler that merges the calls made to it within one turn of the event loop into one call of
 * `handler` (of at most `maxEvents` events, a caller's events never split), and answers each
 * caller with its own outcomes, in its order. The consumer hands over the slices of the
 * partitions one fetch brought concurrently: merged, they cost one transaction and one produce
 * instead of one per partition, which is most of a slice's cost when slices are small (a
 * moderate rate spreads each request's leads over every partition). Each partition's messages
 * stay in their order, and a slice's offset is still resolved only once its own outcomes are in.
 *
 * When the merged call throws, every caller sees the error (and retries its slice, as the
 * consumer does with any failed slice). Only for handlers that do not wait on anything one
 * partition should not wait for: the enricher's token waits would hold up the others.
 */
export function coalescing<T>(handler: BatchHandler<T>, maxEvents: number): BatchHandler<T> {
  let waiting: Call<T>[] = [];
  const flush = (): void => {
    const calls = waiting;
    waiting = [];
    let group: Call<T>[] = [];
    let size = 0;
    for (const call of calls) {
      if (group.length > 0 && size + call.events.length > maxEvents) {
        void run(handler, group);
        group = [];
        size = 0;
      }
      group.push(call);
      size += call.events.length;
    }
    if (group.length > 0) void run(handler, group);
  };
  return (events) =>
    new Promise<Outcome[]>((resolve, reject) => {
      // setImmediate runs after the promise jobs of this turn: every slice handed over with this one is in.
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ events, resolve, reject });
    });
}

async function run<T>(handler: BatchHandler<T>, calls: Call<T>[]): Promise<void> {
  try {
    const events = calls.flatMap((call) => call.events);
    const outcomes = await handler(events);
    if (outcomes.length !== events.length) throw new Error(`handler returned ${outcomes.length} outcomes for ${events.length} events`);
    let at = 0;
    for (const call of calls) {
      call.resolve(outcomes.slice(at, at + call.events.length));
      at += call.events.length;
    }
  } catch (error) {
    for (const call of calls) call.reject(error);
  }
}
