/** Small seeded randomness for the simulated provider: a 32-bit string hash feeding mulberry32. */

// module-level aliases: global lookups are slow in hot loops inside sandboxed contexts (jest's vm)
const { PI, cos, exp, floor, imul, log, sqrt } = Math;

export function hash32(input: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  // FNV-1a alone leaves strings that differ in one trailing character strongly correlated; murmur3's finaliser mixes
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds a 32-bit integer into a running 32-bit hash (murmur3-style mixing). */
export function mix32(h: number, value: number): number {
  let k = imul(value | 0, 0xcc9e2d51);
  k = imul((k << 15) | (k >>> 17), 0x1b873593);
  let x = (h ^ k) | 0;
  x = (imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
  x ^= x >>> 16;
  x = imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly next: () => number;

  constructor(seed: string | number) {
    this.next = mulberry32(typeof seed === 'number' ? seed : hash32(seed));
  }

  /** uniform in [0, 1) */
  float(): number {
    return this.next();
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** integer in [lo, hi], both ends included */
  int(lo: number, hi: number): number {
    return lo + floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[floor(this.next() * items.length)] as T;
  }

  /** index drawn in proportion to the (non-negative) weights */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, w) => a + w, 0);
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i] as number;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** standard normal (Box–Muller) */
  normal(): number {
    const u = 1 - this.next();
    return sqrt(-2 * log(u)) * cos(2 * PI * this.next());
  }

  logNormal(median: number, sigma: number): number {
    return median * exp(sigma * this.normal());
  }

  poisson(lambda: number): number {
    // Knuth's method: fine for the small means used here
    const limit = exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

/** A generator seeded by the joined parts: the same parts always give the same sequence. */
export function rngFor(...parts: readonly (string | number)[]): Rng {
  return new Rng(parts.join('\u001f'));
}

/** Like `rngFor` for integer parts, without building a string: for hot loops. */
export function rngFromInts(...parts: readonly number[]): Rng {
  return new Rng(parts.reduce(mix32, 0x9e3779b9));
}
