/** Control characters and invisible spaces that arrive from copy-pasted profiles and CSV cells. */
const INVISIBLE = /[\p{Cc}\u200B\u2060\uFEFF]/gu;
/** Half a surrogate pair: not text, and encodeURIComponent throws on it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What keeps a string from being one clean ASCII line: any other character, a space at either end, two together. */
const NOT_CLEAN_ASCII = /[^\x20-\x7E]|^ | $| {2}/;

/**
 * A provider or form string as one clean line: control characters and zero-width spaces become
 * spaces, half surrogate pairs U+FFFD, runs of whitespace collapse to one, the ends are trimmed
 * and the result is NFC (so "José" typed with a combining accent equals the precomposed one).
 * Empty → null.
 */
export function cleanText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // Most provider strings are already one clean ASCII line: one test instead of five passes.
  if (value !== '' && !NOT_CLEAN_ASCII.test(value)) return value;
  const text = value.replace(LONE_SURROGATE, '\uFFFD').replace(INVISIBLE, ' ').replace(/\s+/gu, ' ').trim().normalize('NFC');
  return text === '' ? null : text;
}

/** Case-insensitive key (for de-duplicating and comparing), unicode-aware. */
export function caseKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFC');
}

/** Letters a reader takes as the same with their accents removed; NFD alone does not split these. */
const FOLDS: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ð: 'd', ħ: 'h', ı: 'i', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th' };

const ASCII = /^[\x00-\x7F]*$/;

/** Accent- and case-insensitive form: "Łukasz" and "lukasz", "Müller" and "MULLER" fold alike. */
export function foldAccents(text: string): string {
  // ASCII has no accents to remove and nothing NFKD changes.
  if (ASCII.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[łøđðħıßæœþ]/g, (ch) => FOLDS[ch]);
}

/** Upper-cases one character only when that keeps it one character ("ß" would become "SS"). */
export function upperChar(ch: string): string {
  const upper = ch.toUpperCase();
  return [...upper].length === 1 ? upper : ch;
}
