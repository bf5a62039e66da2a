import { LAYER_DIMS, type Dim } from '../workload/layer';

/**
 * Storage levels of the Simba-like template, inner to outer (Timeloop's order in the
 * reference runs). Index `i` in every per-level array of this module means `LEVEL_NAMES[i]`.
 */
export const LEVEL_NAMES = ['Registers', 'AccumulationBuffer', 'WeightBuffer', 'InputBuffer', 'GlobalBuffer', 'DRAM'] as const;

export type LevelName = (typeof LEVEL_NAMES)[number];

export const NUM_LEVELS = LEVEL_NAMES.length;
export const NUM_DIMS = LAYER_DIMS.length;

/** Level indices by name, for readable code (`LEVEL.GlobalBuffer === 4`). */
export const LEVEL: Readonly<Record<LevelName, number>> = {
  Registers: 0,
  AccumulationBuffer: 1,
  WeightBuffer: 2,
  InputBuffer: 3,
  GlobalBuffer: 4,
  DRAM: 5,
};

/** Dimension indices in `LAYER_DIMS` order (R,S,P,Q,C,K,N). */
export const DIM: Readonly<Record<Dim, number>> = { R: 0, S: 1, P: 2, Q: 3, C: 4, K: 5, N: 6 };

/** A loop bound per dimension. */
export type DimFactors = Readonly<Record<Dim, number>>;

/**
 * The loops one storage level owns.
 * - `temporal`: the level's temporal loop bounds; `permutation` their order, inner to outer
 *   (all seven dims, each once; unit loops may sit anywhere).
 * - `spatial`: the fan-out from this level to the level below (the reference's `spatial:<Level>`),
 *   all ones where the level has no fan-out; `spatialPermutation` orders those loops inner to outer.
 *   Every spatial loop is along the X axis, as CoSA writes them.
 */
export interface LevelMapping {
  readonly temporal: DimFactors;
  readonly permutation: readonly Dim[];
  readonly spatial: DimFactors;
  readonly spatialPermutation: readonly Dim[];
}

/**
 * A complete mapping of a layer onto the template: one `LevelMapping` per level, inner to outer
 * (`levels[i]` is `LEVEL_NAMES[i]`). In the nest, the loops of a level sit, inner to outer, as:
 * spatial fan-out of that level (to the level below), then its temporal loops.
 * For every dim, the product over levels of temporal x spatial factors is the layer's dim.
 */
export interface Mapping {
  readonly levels: readonly LevelMapping[];
}

/**
 * The same mapping as a flat `Int32Array`, for mappers' hot loops (no objects per candidate).
 * Layout per level `l` at offset `l * PACKED_LEVEL_STRIDE`:
 * `[0..7)` temporal factors in LAYER_DIMS order, `[7..14)` temporal permutation as dim indices
 * inner to outer, `[14..21)` spatial factors, `[21..28)` spatial permutation as dim indices.
 */
export type PackedMapping = Int32Array;

export const PACKED_TEMPORAL = 0;
export const PACKED_PERMUTATION = 7;
export const PACKED_SPATIAL = 14;
export const PACKED_SPATIAL_PERMUTATION = 21;
export const PACKED_LEVEL_STRIDE = 28;
export const PACKED_LENGTH = NUM_LEVELS * PACKED_LEVEL_STRIDE;

/** All-ones factors. */
export const UNIT_FACTORS: DimFactors = { R: 1, S: 1, P: 1, Q: 1, C: 1, K: 1, N: 1 };

/** Builds factors from a partial record (missing dims are 1). */
export function dimFactors(partial: Partial<Record<Dim, number>>): DimFactors {
  return {
    R: partial.R ?? 1,
    S: partial.S ?? 1,
    P: partial.P ?? 1,
    Q: partial.Q ?? 1,
    C: partial.C ?? 1,
    K: partial.K ?? 1,
    N: partial.N ?? 1,
  };
}

/** Parses a permutation string such as `"RSPQCKN"` (inner to outer); throws if it is not a permutation of the seven dims. */
export function permutationFromString(s: string): readonly Dim[] {
  const dims = s.split('') as Dim[];
  if (dims.length !== NUM_DIMS || new Set(dims).size !== NUM_DIMS || dims.some((d) => !(d in DIM))) {
    throw new RangeError(`permutationFromString: "${s}" is not a permutation of ${LAYER_DIMS.join('')}`);
  }
  return dims;
}

/** Convenience constructor: levels given by name; omitted levels get unit loops in `LAYER_DIMS` order. */
export function makeMapping(
  levels: Partial<
    Record<
      LevelName,
      {
        readonly temporal?: Partial<Record<Dim, number>>;
        readonly permutation?: string | readonly Dim[];
        readonly spatial?: Partial<Record<Dim, number>>;
        readonly spatialPermutation?: string | readonly Dim[];
      }
    >
  >,
): Mapping {
  const perm = (p: string | readonly Dim[] | undefined): readonly Dim[] =>
    p === undefined ? LAYER_DIMS : typeof p === 'string' ? permutationFromString(p) : permutationFromString(p.join(''));
  return {
    levels: LEVEL_NAMES.map((name) => {
      const l = levels[name] ?? {};
      return {
        temporal: dimFactors(l.temporal ?? {}),
        permutation: perm(l.permutation),
        spatial: dimFactors(l.spatial ?? {}),
        spatialPermutation: perm(l.spatialPermutation),
      };
    }),
  };
}

/** Packs a mapping into `out` (allocated when absent) and returns it. Throws a RangeError on malformed factors or dims. */
export function packMapping(mapping: Mapping, out: PackedMapping = new Int32Array(PACKED_LENGTH)): PackedMapping {
  if (mapping.levels.length !== NUM_LEVELS) {
    throw new RangeError(`packMapping: expected ${NUM_LEVELS} levels, got ${mapping.levels.length}`);
  }
  for (let l = 0; l < NUM_LEVELS; l++) {
    const lm = mapping.levels[l];
    const base = l * PACKED_LEVEL_STRIDE;
    const where = `packMapping: ${LEVEL_NAMES[l]}`;
    if (lm?.permutation?.length !== NUM_DIMS || lm.spatialPermutation?.length !== NUM_DIMS) {
      throw new RangeError(`${where}: permutations must list the ${NUM_DIMS} dims`);
    }
    for (let d = 0; d < NUM_DIMS; d++) {
      const dim = LAYER_DIMS[d];
      const t = lm.temporal?.[dim];
      const sp = lm.spatial?.[dim];
      if (!Number.isInteger(t) || t < 1 || !Number.isInteger(sp) || sp < 1) {
        throw new RangeError(`${where}: factors of ${dim} must be positive integers (temporal ${String(t)}, spatial ${String(sp)})`);
      }
      const p = DIM[lm.permutation[d]];
      const ps = DIM[lm.spatialPermutation[d]];
      if (p === undefined || ps === undefined) throw new RangeError(`${where}: unknown dim in permutation`);
      out[base + PACKED_TEMPORAL + d] = t;
      out[base + PACKED_SPATIAL + d] = sp;
      out[base + PACKED_PERMUTATION + d] = p;
      out[base + PACKED_SPATIAL_PERMUTATION + d] = ps;
    }
  }
  return out;
}

/** The object form of a packed mapping. */
export function unpackMapping(packed: PackedMapping): Mapping {
  if (packed.length !== PACKED_LENGTH) {
    throw new RangeError(`unpackMapping: expected ${PACKED_LENGTH} values, got ${packed.length}`);
  }
  const factors = (base: number): DimFactors => {
    const f: Record<string, number> = {};
    for (let d = 0; d < NUM_DIMS; d++) f[LAYER_DIMS[d]] = packed[base + d];
    return f as DimFactors;
  };
  const perm = (base: number): readonly Dim[] => {
    const p: Dim[] = [];
    for (let d = 0; d < NUM_DIMS; d++) p.push(LAYER_DIMS[packed[base + d]]);
    return p;
  };
  return {
    levels: LEVEL_NAMES.map((_, l) => {
      const base = l * PACKED_LEVEL_STRIDE;
      return {
        temporal: factors(base + PACKED_TEMPORAL),
        permutation: perm(base + PACKED_PERMUTATION),
        spatial: factors(base + PACKED_SPATIAL),
        spatialPermutation: perm(base + PACKED_SPATIAL_PERMUTATION),
      };
    }),
  };
}
