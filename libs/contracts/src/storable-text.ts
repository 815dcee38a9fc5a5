/**
 * Text PostgreSQL can store. A `text` column refuses the NUL character, and a `jsonb` value
 * refuses an unpaired UTF-16 surrogate (JSON.stringify writes it as a lone `\ud800` escape).
 * JSON and JavaScript strings allow both, so a lead carrying one would pass every schema and
 * then fail each write: a 500 at ingest, or a message retried forever by the stage that
 * stores it. Refusing them where a lead enters keeps such input a clear 400 or dead letter.
 */
export function isStorableText(value: string): boolean {
  return !/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

/** The reason given for text that {@link isStorableText} refuses. */
export const UNSTORABLE_TEXT = 'must not contain NUL characters or unpaired surrogates';
