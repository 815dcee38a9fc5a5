import fc from 'fast-check';

/**
 * The seed of the fuzz suites: `FUZZ_SEED` when set (to reproduce a failure), else the day
 * number, so every day explores new input while a failure stays reproducible for the rest of
 * the day (and on another machine, with the printed seed). Printed once per suite.
 */
export function fuzzSeed(suite: string): number {
  const fromEnv = process.env.FUZZ_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Date.now() / 86_400_000);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${fromEnv}`);
  process.stdout.write(`[${suite}] fuzz seed ${seed} (FUZZ_SEED=${seed} reproduces this run)\n`);
  return seed;
}

/**
 * fast-check parameters for properties that run against live services: few runs, and no
 * shrinking (each shrink step is another round trip through the services; the failing input
 * and the seed are reported as found).
 */
export function liveRuns(seed: number, numRuns: number): fc.Parameters<unknown> {
  return { seed, numRuns, endOnFailure: true, verbose: 1 };
}

/** Text that breaks naive handling: control characters, NUL, lone surrogates, RTL, huge repeats. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uD83D', '\u202E', '\uFEFF', '\r\n', '"', "'; DROP TABLE leads; --", '%00', '${jndi:ldap://x}', '<script>', '../../etc/passwd'),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '\u0000', 'é', '😀', ','), fc.integer({ min: 200, max: 5_000 })).map(([unit, n]) => unit.repeat(n)) },
);

/** Random bytes, often not valid UTF-8 (overlong forms, lone continuation bytes, latin-1). */
export const hostileBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom(
    Uint8Array.from([0xc0, 0xaf]),
    Uint8Array.from([0xe9, 0x74, 0xe9]),
    Uint8Array.from([0x80, 0x80, 0x80]),
    Uint8Array.from([0xed, 0xa0, 0x80]),
    Uint8Array.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
    Uint8Array.from([0xff, 0xfe, 0x00, 0x00]),
  ),
);

/** Nested arrays/objects `depth` deep, as JSON text (built iteratively: no recursion here either). */
export function deeplyNestedJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
