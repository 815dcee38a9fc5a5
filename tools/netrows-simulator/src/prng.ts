/**
 * Deterministic randomness: every generated record is a pure function of (seed, identifier),
 * so the same slug, e-mail or domain yields the same data in every run and on every machine.
 */

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so close inputs diverge. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable number in [0, 1) for the given parts. */
export function unitHash(...parts: readonly (string | number)[]): number {
  return hash32(parts.join('\u0000')) / 0x1_0000_0000;
}

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** mulberry32: tiny, fast and good enough for test data (not for anything secret). */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  static for(...parts: readonly (string | number)[]): Prng {
    return new Prng(hash32(parts.join('\u0000')));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Random URL-safe token, like the opaque parts of LinkedIn media URLs and URNs. */
  token(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += URL_SAFE[Math.floor(this.next() * URL_SAFE.length)];
    return out;
  }
}
