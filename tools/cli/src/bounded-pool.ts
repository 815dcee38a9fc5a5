/**
 * Runs `worker` over `source` with at most `concurrency` calls in flight. Items are pulled
 * only when a slot frees up, so a streamed source is read no faster than it is processed.
 * The first worker error stops further pulls and is rethrown once in-flight calls settle.
 */
export async function forEachBounded<T>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  worker: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  const iterator = toAsyncIterator(source);
  let failure: { error: unknown } | null = null;

  const lane = async (): Promise<void> => {
    while (failure === null && !shouldStop()) {
      // Async generators queue concurrent next() calls, so lanes can share one iterator.
      const next = await iterator.next();
      if (next.done) return;
      try {
        await worker(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  } catch (error) {
    // Only the source itself can reject a lane (workers are caught above).
    failure ??= { error };
  } finally {
    // Closes the underlying file stream when we stop early.
    await iterator.return?.();
  }
  if (failure !== null) throw failure.error;
}

function toAsyncIterator<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  const sync = source[Symbol.iterator]();
  // Wrapping in an async generator gives the queued next() semantics lanes rely on.
  return (async function* () {
    for (let step = sync.next(); !step.done; step = sync.next()) yield step.value;
  })();
}
