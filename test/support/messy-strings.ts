import fc from 'fast-check';

/**
 * Pieces of the values real profiles and forms carry: casing, particles, acronyms, unicode
 * that changes length when cased (ß, ŉ, İ), decomposed accents, invisible spaces, half a
 * surrogate pair, place and size formats. Joined at random, they reach the normalisers'
 * special cases far more often than uniform random text does.
 */
const FRAGMENTS = [
  '', ' ', '  ', '\t', '\n', ',', ', ', '-', "'", '’', '.', '&', '/', '(', ')', '@', '+', '%', '0',
  'JOSÉ', 'josé', 'Jose\u0301', 'e\u0301', 'o', "o'neil", "D'", 'MC', 'mc', 'Mc', 'donald', 'van', 'der', 'DE', 'de', 'la', 'Le',
  'İ', 'ı', 'ß', 'ŉ', 'ǆ', 'ǅ', 'ﬁ', 'Σ', 'ς', 'ſ', 'Ω', '李明', '田中', '\u200B', '\u00A0', '\uFEFF', '\uD800', '\uDC00', '😀',
  'vp', 'CEO', 'saas', 'SaaS', 'of', 'OF', 'Sales', 'ii', 'r&d', 'McKinsey', 'eBay', 'sALES',
  'Greater ', ' Area', ' Metropolitan Area', 'Munich', 'Bavaria', 'Germany', 'UK', 'CA', 'TX', 'Texas', 'England', 'Georgia',
  'New York', 'the ', 'U.S.A.', 'Deutschland',
  '51-200', '10,001+', ' employees', '2 - 10', 'Self-employed',
  'gmail.com', 'acme.co.uk', 'mailinator.com', 'jane', 'mailto:', '<', '>',
  'linkedin.com/in/', 'https://www.', 'linkedin.com/company/', '%C5%81', '%', '?trk=1', '#x',
] as const;

export const messyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 8 }).map((parts) => parts.join('')),
);

/** Fixed seed: a failure reproduces on every run and machine, and CI never flakes. */
export const PROPERTY_RUNS = { seed: 20_251_130, numRuns: 1_000 } as const;
