/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32).
 * Every random choice in the library goes through an `Rng` value passed in by the caller,
 * so the same seed always gives the same result.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal sample (Box-Muller). */
  normal(): number;
  /** A new independent generator derived from this one's stream (for sub-tasks). */
  fork(): Rng;
  /** A 32-bit seed drawn from this stream (e.g. to seed tfjs initialisers). */
  seed32(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a generator from an integer seed: any safe integer (|seed| < 2^53), each its own stream
 * (-1 is not 0, 2^32 is not 1). Seeds 0 to 2^32 - 1 give the same streams as earlier versions.
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`createRng: seed must be an integer from -(2^53 - 1) to 2^53 - 1, got ${seed}`);
  if (seed >= 0 && seed < 2 ** 32) return fromWords(splitmix32(seed));
  // Beyond 32 bits, both halves seed the state: the low one as above, the high one (never 0 here) mixed in.
  const low = splitmix32(seed >>> 0);
  const high = splitmix32(Math.floor(seed / 2 ** 32) ^ 0x6a09e667);
  return fromWords(() => (low() ^ high()) >>> 0);
}

/** A generator whose state comes from four draws of `init`. */
function fromWords(init: () => number): Rng {
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  if ((a | b | c | d) === 0) a = 1;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  let spareNormal: number | undefined;
  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    int: (n) => {
      if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
      return Math.floor((nextU32() / 4294967296) * n);
    },
    uniform: (lo, hi) => lo + (hi - lo) * (nextU32() / 4294967296),
    normal: () => {
      if (spareNormal !== undefined) {
        const v = spareNormal;
        spareNormal = undefined;
        return v;
      }
      let u = 0;
      while (u === 0) u = nextU32() / 4294967296;
      const v = nextU32() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      spareNormal = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    // The 64-bit draw folded to 32 bits, as in earlier versions, so forked streams are unchanged.
    fork: () => {
      const x = nextU32() * 4294967296 + nextU32();
      return fromWords(splitmix32(Math.floor(x) ^ Math.floor(x / 2 ** 32)));
    },
    seed32: () => nextU32(),
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Fisher-Yates shuffle into a new array. */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}
