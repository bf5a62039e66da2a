import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import type { Rng } from '../common/rng';
import { decodeWith, invalidInput, type VaesaError } from '../common/errors';
import { ArchConfigCodec, PARAM_NAMES, archFromVector, type ArchConfig, type ParamName } from './arch';

/** How a parameter's valid values are spaced. */
export type ParamGrid =
  | { readonly kind: 'pow2' }
  | { readonly kind: 'multiple'; readonly step: number };

/**
 * One searched parameter: bounds (inclusive), grid, and VAESA's log-normalisation
 * `x -> log(x / unit) / log(scale)`.
 */
export interface ParamSpec {
  readonly name: ParamName;
  readonly min: number;
  readonly max: number;
  readonly grid: ParamGrid;
  /** Divisor applied before the log (VAESA encodes macs as macs/128). */
  readonly unit: number;
  /** Normalisation scale: the encoded value is log(x/unit)/log(scale). */
  readonly scale: number;
}

/** A design space: one spec per parameter, in `PARAM_NAMES` order. */
export interface DesignSpace {
  readonly name: string;
  readonly params: readonly ParamSpec[];
}

/** VAESA's Simba space (see the table in docs/design-space.md). */
export const simbaSpace: DesignSpace = {
  name: 'simba',
  params: [
    { name: 'meshX', min: 1, max: 64, grid: { kind: 'pow2' }, unit: 1, scale: 64 },
    { name: 'macs', min: 128, max: 4096, grid: { kind: 'multiple', step: 128 }, unit: 128, scale: 32 },
    { name: 'accumulationBuffer', min: 2, max: 256, grid: { kind: 'multiple', step: 2 }, unit: 1, scale: 256 },
    { name: 'weightBuffer', min: 256, max: 65536, grid: { kind: 'multiple', step: 256 }, unit: 1, scale: 2 ** 16 },
    { name: 'inputBuffer', min: 2, max: 4096, grid: { kind: 'multiple', step: 2 }, unit: 1, scale: 4096 },
    { name: 'globalBuffer', min: 1024, max: 262144, grid: { kind: 'multiple', step: 1024 }, unit: 1, scale: 2 ** 18 },
  ],
};

/**
 * Builds a design space, checking it is well formed (programmer error otherwise).
 * Every parameter must be present once, in `PARAM_NAMES` order, with a non-empty grid.
 */
export function defineSpace(name: string, params: readonly ParamSpec[]): DesignSpace {
  if (params.length !== PARAM_NAMES.length || params.some((p, i) => p.name !== PARAM_NAMES[i])) {
    throw new RangeError(`defineSpace: params must be ${PARAM_NAMES.join(', ')} in this order`);
  }
  for (const p of params) {
    if (!(p.min > 0 && p.max >= p.min && p.unit > 0 && p.scale > 1)) {
      throw new RangeError(`defineSpace: bad bounds or scale for ${p.name}`);
    }
    if (p.grid.kind === 'multiple' && !(p.grid.step > 0)) throw new RangeError(`defineSpace: bad step for ${p.name}`);
    if (gridValues(p).length === 0) throw new RangeError(`defineSpace: ${p.name} has no valid value in [${p.min}, ${p.max}]`);
  }
  return { name, params };
}

/** All valid values of a parameter, ascending. */
export function gridValues(p: ParamSpec): number[] {
  const out: number[] = [];
  if (p.grid.kind === 'pow2') {
    for (let v = 2 ** Math.ceil(Math.log2(p.min)); v <= p.max; v *= 2) out.push(v);
  } else {
    const step = p.grid.step;
    for (let k = Math.ceil(p.min / step); k * step <= p.max; k++) out.push(k * step);
  }
  return out;
}

/** Number of valid values of a parameter. */
export function gridSize(p: ParamSpec): number {
  if (p.grid.kind === 'pow2') return Math.floor(Math.log2(p.max)) - Math.ceil(Math.log2(p.min)) + 1;
  return Math.floor(p.max / p.grid.step) - Math.ceil(p.min / p.grid.step) + 1;
}

/** Number of distinct designs in the space (product of the grid sizes). */
export function spaceCardinality(space: DesignSpace): number {
  return space.params.reduce((acc, p) => acc * gridSize(p), 1);
}

/** Nearest valid value of one parameter (nearest power of two in log scale; nearest multiple), clamped to bounds. */
export function snapValue(p: ParamSpec, x: number): number {
  const values = gridBounds(p);
  if (!(x > values.lo)) return values.lo;
  if (x >= values.hi) return values.hi;
  const v = p.grid.kind === 'pow2' ? 2 ** Math.round(Math.log2(x)) : Math.round(x / p.grid.step) * p.grid.step;
  return Math.min(values.hi, Math.max(values.lo, v));
}

function gridBounds(p: ParamSpec): { lo: number; hi: number } {
  if (p.grid.kind === 'pow2') return { lo: 2 ** Math.ceil(Math.log2(p.min)), hi: 2 ** Math.floor(Math.log2(p.max)) };
  const s = p.grid.step;
  return { lo: Math.ceil(p.min / s) * s, hi: Math.floor(p.max / s) * s };
}

/** The nearest valid design to `arch` (each parameter snapped independently). */
export function snapArch(space: DesignSpace, arch: ArchConfig): ArchConfig {
  return archFromVector(space.params.map((p) => snapValue(p, arch[p.name])));
}

/** Encodes one value: log(x/unit)/log(scale). */
export function encodeValue(p: ParamSpec, x: number): number {
  return Math.log(x / p.unit) / Math.log(p.scale);
}

/** Inverse of `encodeValue` without snapping. */
export function decodeValue(p: ParamSpec, e: number): number {
  return p.unit * Math.pow(p.scale, e);
}

/** VAESA's normalised vector of a design (6 numbers, typically in [0, 1]). */
export function encodeArch(space: DesignSpace, arch: ArchConfig): number[] {
  return space.params.map((p) => encodeValue(p, arch[p.name]));
}

/** Inverse of `encodeArch`, then snapped to the nearest valid design. Non-finite entries snap to the lower bound. */
export function decodeArch(space: DesignSpace, vector: readonly number[]): ArchConfig {
  if (vector.length !== space.params.length) {
    throw new RangeError(`decodeArch: expected a ${space.params.length}-vector, got ${vector.length}`);
  }
  return archFromVector(
    space.params.map((p, i) => snapValue(p, Number.isFinite(vector[i]) ? decodeValue(p, vector[i]) : Number.NaN)),
  );
}

export type ArchValidity = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Whether `arch` is a valid design of `space`, with the reason when it is not. */
export function isValidArch(space: DesignSpace, arch: ArchConfig): ArchValidity {
  for (const p of space.params) {
    const v = arch[p.name];
    if (!Number.isInteger(v) || v < p.min || v > p.max) {
      return { ok: false, reason: `${p.name} = ${v} is outside [${p.min}, ${p.max}]` };
    }
    if (p.grid.kind === 'pow2' && 2 ** Math.round(Math.log2(v)) !== v) {
      return { ok: false, reason: `${p.name} = ${v} is not a power of two` };
    }
    if (p.grid.kind === 'multiple' && v % p.grid.step !== 0) {
      return { ok: false, reason: `${p.name} = ${v} is not a multiple of ${p.grid.step}` };
    }
  }
  return { ok: true };
}

/** Decodes user input (JSON) into a valid design of `space`, naming the bad field on failure. */
export function parseArch(space: DesignSpace, input: unknown, root = 'arch'): E.Either<VaesaError, ArchConfig> {
  return pipe(
    decodeWith(ArchConfigCodec, input, root),
    E.chain((arch) => {
      const v = isValidArch(space, arch);
      if (v.ok) return E.right(arch);
      const field = space.params.find((p) => v.reason.startsWith(`${p.name} `))?.name ?? '';
      return E.left(invalidInput(`${root}.${field}`, field === '' ? arch : arch[field as ParamName], v.reason));
    }),
  );
}

/** A design drawn uniformly over the grid (each parameter independently uniform over its valid values). */
export function sampleArch(space: DesignSpace, rng: Rng): ArchConfig {
  return archFromVector(
    space.params.map((p) => {
      const lo = gridBounds(p).lo;
      const k = rng.int(gridSize(p));
      return p.grid.kind === 'pow2' ? lo * 2 ** k : lo + k * p.grid.step;
    }),
  );
}

export interface GridOptions {
  /** Points per parameter, spread evenly in the normalised (log) space and snapped; duplicates removed. */
  readonly pointsPerParam: number;
  /** Refuse to build grids larger than this (default 1e6). */
  readonly maxDesigns?: number;
}

/** The values of one parameter used by `gridArchs`: `n` points evenly spaced in encoded space, snapped, distinct. */
export function gridAxis(p: ParamSpec, n: number): number[] {
  const all = gridValues(p);
  if (n >= all.length) return all;
  const lo = encodeValue(p, all[0]);
  const hi = encodeValue(p, all[all.length - 1]);
  const picked = new Set<number>();
  for (let i = 0; i < n; i++) {
    const e = n === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * i) / (n - 1);
    picked.add(snapValue(p, decodeValue(p, e)));
  }
  return [...picked].sort((a, b) => a - b);
}

/** A full-factorial grid of designs over `gridAxis` values, in lexicographic order of `PARAM_NAMES`. */
export function gridArchs(space: DesignSpace, options: GridOptions): ArchConfig[] {
  const axes = space.params.map((p) => gridAxis(p, options.pointsPerParam));
  const total = axes.reduce((a, v) => a * v.length, 1);
  const limit = options.maxDesigns ?? 1e6;
  if (total > limit) throw new RangeError(`gridArchs: ${total} designs exceed maxDesigns ${limit}`);
  const out: ArchConfig[] = [];
  const idx = axes.map(() => 0);
  for (let n = 0; n < total; n++) {
    out.push(archFromVector(axes.map((a, i) => a[idx[i]])));
    for (let d = axes.length - 1; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < axes[d].length) break;
      idx[d] = 0;
    }
  }
  return out;
}
