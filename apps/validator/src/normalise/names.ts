import { cleanText, upperChar } from './text';

/** Surname particles that stay lower-case inside a name: "van der Berg", "da Silva", "de la Cruz". */
export const NAME_PARTICLES: ReadonlySet<string> = new Set([
  'al', 'bin', 'binti', 'da', 'das', 'de', 'degli', 'del', 'della', 'den', 'der', 'di', 'do', 'dos', 'du', 'ibn', 'la', 'le', 'ten', 'ter', 'van', 'von', 'y', 'zu',
]);

const LETTER = /\p{L}/u;
const isUpper = (ch: string): boolean => ch !== ch.toLowerCase();
const isLower = (ch: string): boolean => ch !== ch.toUpperCase();

/** "Jean-luc", "McDonald", "DiCaprio": starts with a capital and has small letters. Kept as typed. */
function isCasedByHand(word: string): boolean {
  const first = [...word].find((ch) => LETTER.test(ch));
  return first !== undefined && isUpper(first) && [...word].some(isLower);
}

/**
 * Re-cases one shouted or all-lower word: a capital at the start and after a hyphen, after a
 * one-letter prefix with an apostrophe (O'Neil, D'Arcy, but Ng'ang'a) and after "Mc" (McDonald).
 */
function recaseWord(word: string): string {
  const lower = word.toLowerCase();
  let out = '';
  let capitalNext = true;
  const chars = [...lower];
  for (const [i, ch] of chars.entries()) {
    if (LETTER.test(ch)) {
      out += capitalNext ? upperChar(ch) : ch;
      capitalNext = false;
      const segment = out.split(/[-\s]/).pop() ?? '';
      if (segment === 'Mc' && i + 1 < chars.length && LETTER.test(chars[i + 1])) capitalNext = true;
      continue;
    }
    out += ch;
    if (ch === '-') capitalNext = true;
    // O'Neil, D’Arcy: a single capital letter before the apostrophe.
    else if ((ch === "'" || ch === '’') && /(^|[-\s])\p{L}['’]$/u.test(out)) capitalNext = true;
  }
  return out.normalize('NFC');
}

export interface CaseNameOptions {
  /** Lower-case words inside the name (default: surname particles). */
  particles?: ReadonlySet<string>;
  /** Whether the first word may be a particle: yes for surnames (van der Berg), no for places (La Paz). */
  leadingParticles?: boolean;
}

/**
 * A person's name cased the way people write it, word by word: a word typed with care
 * ("McDonald", "Jean-luc", "DiCaprio") stays as given; a shouted or all-lower word is re-cased
 * ("JOSÉ" → "José", "o'NEIL" → "O'Neil", "mcdonald" → "McDonald", "JEAN-LUC" → "Jean-Luc");
 * particles before the last word stay lower-case ("VAN DER BERG" → "van der Berg").
 * Scripts without case (李明) pass through. Unicode-safe: letters are never split or dropped.
 */
export function caseName(input: unknown, options: CaseNameOptions = {}): string | null {
  const text = cleanText(input);
  if (text === null) return null;
  const particles = options.particles ?? NAME_PARTICLES;
  const from = options.leadingParticles === false ? 1 : 0;
  const words = text.split(' ');
  return words
    .map((word, i) => {
      const lower = word.toLowerCase();
      if (i >= from && i < words.length - 1 && particles.has(lower) && (lower === word || word === word.toUpperCase())) return lower;
      return isCasedByHand(word) ? word : recaseWord(word);
    })
    .join(' ');
}

/** "Jane Doe" from whichever parts are present; null when neither is. */
export function fullNameOf(firstName: string | null, lastName: string | null): string | null {
  return [firstName, lastName].filter((part) => part !== null && part !== '').join(' ') || null;
}
