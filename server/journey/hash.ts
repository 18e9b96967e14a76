/**
 * Deterministic randomness: holdout, split variants and bandit exploration are
 * functions of (journey, node, customer, seed), so the simulator and the
 * runtime agree. cyrb53 (public domain): a fast 53-bit string hash.
 */
export function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A uniform number in [0, 1) from the given parts. */
export function unitHash(...parts: string[]): number {
  return hash53(parts.join("\u001f")) / 2 ** 53;
}

/** A small seeded PRNG (mulberry32) for draws that need many numbers (Thompson sampling). */
export function seededRandom(...parts: string[]): () => number {
  let a = hash53(parts.join("\u001f")) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
