import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { Rng } from '../common/rng';
import { decodeWith, invalidInput, PositiveInt, type VaesaError } from '../common/errors';

/**
 * How a parameter's valid values are spaced: powers of two, multiples of a step, or an explicit
 * ascending list of distinct values.
 */
export type ParamGrid =
  | { readonly kind: 'pow2' }
  | { readonly kind: 'multiple'; readonly step: number }
  | { readonly kind: 'values'; readonly values: readonly number[] };

/**
 * How a value becomes a coordinate of the encoded (normalised) vector the VAE and the input-space
 * searches see: VAESA's log-normalisation `log(x / unit) / log(scale)`, or linear `(x - min) / (max - min)`.
 */
export type ParamEncoding =
  | { readonly kind: 'log'; readonly unit: number; readonly scale: number }
  | { readonly kind: 'linear' };

/** One searched parameter: name, inclusive bounds, grid and encoding. */
export interface ParamSpec<P extends string = string> {
  readonly name: P;
  readonly min: number;
  readonly max: number;
  readonly grid: ParamGrid;
  readonly encoding: ParamEncoding;
}

/** A design space: named parameters in a fixed order (the order of encoded vectors and CSV columns). */
export interface DesignSpace<P extends string = string> {
  readonly name: string;
  readonly params: readonly ParamSpec<P>[];
}

/** One design of a space: a value per parameter. */
export type Design<P extends string = string> = Readonly<Record<P, number>>;

/** The parameter names of a space's designs. */
export type ParamOf<S> = S extends DesignSpace<infer P> ? P : never;

/** Simba's six parameters (see `ArchConfig`). */
export type SimbaParam = 'meshX' | 'macs' | 'accumulationBuffer' | 'weightBuffer' | 'inputBuffer' | 'globalBuffer';

const log = (unit: number, scale: number): ParamEncoding => ({ kind: 'log', unit, scale });

/** VAESA's Simba space (see the table in docs/design-space.md). */
export const simbaSpace: DesignSpace<SimbaParam> = {
  name: 'simba',
  params: [
    { name: 'meshX', min: 1, max: 64, grid: { kind: 'pow2' }, encoding: log(1, 64) },
    { name: 'macs', min: 128, max: 4096, grid: { kind: 'multiple', step: 128 }, encoding: log(128, 32) },
    { name: 'accumulationBuffer', min: 2, max: 256, grid: { kind: 'multiple', step: 2 }, encoding: log(1, 256) },
    { name: 'weightBuffer', min: 256, max: 65536, grid: { kind: 'multiple', step: 256 }, encoding: log(1, 2 ** 16) },
    { name: 'inputBuffer', min: 2, max: 4096, grid: { kind: 'multiple', step: 2 }, encoding: log(1, 4096) },
    { name: 'globalBuffer', min: 1024, max: 262144, grid: { kind: 'multiple', step: 1024 }, encoding: log(1, 2 ** 18) },
  ],
};

const FiniteNumber = new t.Type<number, number, unknown>(
  'FiniteNumber',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(u) : t.failure(u, c, 'must be a finite number')),
  (a) => a,
);

const GridCodec = t.union([
  t.type({ kind: t.literal('pow2') }),
  t.type({ kind: t.literal('multiple'), step: FiniteNumber }),
  t.type({ kind: t.literal('values'), values: t.readonlyArray(FiniteNumber) }),
]);

const EncodingCodec = t.union([
  t.literal('log'),
  t.literal('linear'),
  t.type({ kind: t.literal('log'), unit: FiniteNumber, scale: FiniteNumber }),
  t.type({ kind: t.literal('linear') }),
]);

// One t.type (not an intersection) so that error paths read `params[i].field`.
const ParamInputCodec = t.type({
  name: t.string,
  grid: GridCodec,
  min: t.union([FiniteNumber, t.undefined]),
  max: t.union([FiniteNumber, t.undefined]),
  encoding: t.union([EncodingCodec, t.undefined]),
});

/** io-ts codec of what `defineSpace` takes (also the JSON form of a space file). */
export const SpaceInputCodec = t.type({ name: t.string, params: t.readonlyArray(ParamInputCodec) });

/**
 * One parameter as a user writes it: bounds may be left out for a `values` grid (they are its ends);
 * the encoding defaults to `log` (mapping [min, max] onto [0, 1] in log scale: unit = min, scale = max / min).
 */
export type ParamInput<P extends string = string> = {
  readonly name: P;
  readonly min?: number;
  readonly max?: number;
  readonly grid: ParamGrid;
  readonly encoding?: 'log' | 'linear' | ParamEncoding;
};

export interface SpaceInput<P extends string = string> {
  readonly name: string;
  readonly params: readonly ParamInput<P>[];
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Builds a design space from its parameters, checking each: a name usable as a CSV column and a JSON
 * key (letters, digits, `_`), distinct names, finite bounds with min <= max, a positive step, a
 * non-empty grid inside the bounds, positive values under a log encoding (unit > 0, scale > 1).
 * A mistake comes back as an `InvalidInput` naming the parameter (`space.params[i].<field>`).
 *
 * @example
 * ```ts
 * import { defineSpace, formatError } from 'vaesa';
 * const space = defineSpace({
 *   name: 'small',
 *   params: [
 *     { name: 'pes', min: 4, max: 64, grid: { kind: 'pow2' } },
 *     { name: 'bufferKiB', min: 16, max: 512, grid: { kind: 'multiple', step: 16 } },
 *   ],
 * });
 * if (space._tag === 'Left') throw new Error(formatError(space.left));
 * ```
 */
export function defineSpace<P extends string>(input: SpaceInput<P>): E.Either<VaesaError, DesignSpace<P>> {
  const decoded = decodeWith(SpaceInputCodec, input, 'space');
  if (E.isLeft(decoded)) return decoded;
  if (input.params.length === 0) return E.left(invalidInput('space.params', input.params, 'a space needs at least one parameter'));
  const seen = new Set<string>();
  const params: ParamSpec<P>[] = [];
  for (const [i, raw] of input.params.entries()) {
    const where = `space.params[${i}]`;
    if (!PARAM_NAME.test(raw.name)) return E.left(invalidInput(`${where}.name`, raw.name, 'a parameter name is letters, digits and _ (not starting with a digit)'));
    if (seen.has(raw.name)) return E.left(invalidInput(`${where}.name`, raw.name, 'parameter names repeat'));
    seen.add(raw.name);
    const spec = paramSpec(raw, where);
    if (E.isLeft(spec)) return spec;
    params.push(spec.right);
  }
  return E.right({ name: input.name, params });
}

function paramSpec<P extends string>(raw: ParamInput<P>, where: string): E.Either<VaesaError, ParamSpec<P>> {
  const grid = raw.grid;
  let values: number[] | undefined;
  if (grid.kind === 'values') {
    values = [...grid.values].sort((a, b) => a - b);
    if (values.length === 0) return E.left(invalidInput(`${where}.grid.values`, grid.values, 'the list of values is empty'));
    if (values.some((v, k) => k > 0 && v === values![k - 1])) return E.left(invalidInput(`${where}.grid.values`, grid.values, 'values repeat'));
  }
  const min = raw.min ?? values?.[0];
  const max = raw.max ?? values?.[values.length - 1];
  if (min === undefined) return E.left(invalidInput(`${where}.min`, raw.min, `${raw.name}: a ${grid.kind} grid needs bounds`));
  if (max === undefined) return E.left(invalidInput(`${where}.max`, raw.max, `${raw.name}: a ${grid.kind} grid needs bounds`));
  if (!(max >= min)) return E.left(invalidInput(`${where}.max`, max, `${raw.name}: max must be >= min (${min})`));
  if (grid.kind === 'multiple' && !(grid.step > 0)) return E.left(invalidInput(`${where}.grid.step`, grid.step, `${raw.name}: the step must be positive`));
  if (grid.kind === 'pow2' && !(min > 0)) return E.left(invalidInput(`${where}.min`, min, `${raw.name}: a power-of-two grid needs min > 0`));
  const encodingInput = raw.encoding ?? 'log';
  const encoding: ParamEncoding =
    encodingInput === 'log' ? log(min, max > min ? max / min : 2) : encodingInput === 'linear' ? { kind: 'linear' } : encodingInput;
  if (encoding.kind === 'log') {
    if (!(min > 0)) return E.left(invalidInput(`${where}.min`, min, `${raw.name}: a log encoding needs positive values (use encoding 'linear')`));
    if (!(encoding.unit > 0 && encoding.scale > 1)) {
      return E.left(invalidInput(`${where}.encoding`, encoding, `${raw.name}: a log encoding needs unit > 0 and scale > 1`));
    }
  }
  const spec: ParamSpec<P> = { name: raw.name, min, max, grid: values === undefined ? grid : { kind: 'values', values }, encoding };
  if (gridSize(spec) === 0) return E.left(invalidInput(`${where}.grid`, grid, `${raw.name}: no valid value in [${min}, ${max}]`));
  return E.right(spec);
}

/** Whether every valid value of the parameter is an integer (then designs must hold integers). */
function integralGrid(p: ParamSpec): boolean {
  switch (p.grid.kind) {
    case 'pow2':
      return p.min >= 1;
    case 'multiple':
      return Number.isInteger(p.grid.step);
    case 'values':
      return p.grid.values.every(Number.isInteger);
  }
}

/** A multiple of a fractional step, rounded to the step's decimals so that 3 x 0.1 reads 0.3. */
function multipleOf(k: number, step: number): number {
  const v = k * step;
  return Number.isInteger(step) ? v : Number(v.toPrecision(12));
}

/** All valid values of a parameter, ascending. */
export function gridValues(p: ParamSpec): number[] {
  const out: number[] = [];
  switch (p.grid.kind) {
    case 'pow2':
      for (let v = 2 ** Math.ceil(Math.log2(p.min)); v <= p.max; v *= 2) out.push(v);
      return out;
    case 'multiple': {
      const step = p.grid.step;
      for (let k = Math.ceil(p.min / step - 1e-9); multipleOf(k, step) <= p.max; k++) out.push(multipleOf(k, step));
      return out;
    }
    case 'values':
      return p.grid.values.filter((v) => v >= p.min && v <= p.max);
  }
}

/** Number of valid values of a parameter. */
export function gridSize(p: ParamSpec): number {
  switch (p.grid.kind) {
    case 'pow2':
      return Math.max(0, Math.floor(Math.log2(p.max)) - Math.ceil(Math.log2(p.min)) + 1);
    case 'multiple':
      return Math.max(0, Math.floor(p.max / p.grid.step + 1e-9) - Math.ceil(p.min / p.grid.step - 1e-9) + 1);
    case 'values':
      return gridValues(p).length;
  }
}

/** Number of distinct designs in the space (product of the grid sizes). */
export function spaceCardinality(space: DesignSpace): number {
  return space.params.reduce((acc, p) => acc * gridSize(p), 1);
}

function gridBounds(p: ParamSpec): { lo: number; hi: number } {
  switch (p.grid.kind) {
    case 'pow2':
      return { lo: 2 ** Math.ceil(Math.log2(p.min)), hi: 2 ** Math.floor(Math.log2(p.max)) };
    case 'multiple': {
      const s = p.grid.step;
      return { lo: multipleOf(Math.ceil(p.min / s - 1e-9), s), hi: multipleOf(Math.floor(p.max / s + 1e-9), s) };
    }
    case 'values': {
      const values = gridValues(p);
      return { lo: values[0], hi: values[values.length - 1] };
    }
  }
}

/**
 * Nearest valid value of one parameter, clamped to bounds: nearest power of two in log scale, nearest
 * multiple, or the nearest listed value in the parameter's encoding (log or linear distance).
 */
export function snapValue(p: ParamSpec, x: number): number {
  const values = gridBounds(p);
  if (!(x > values.lo)) return values.lo;
  if (x >= values.hi) return values.hi;
  switch (p.grid.kind) {
    case 'pow2':
      return Math.min(values.hi, Math.max(values.lo, 2 ** Math.round(Math.log2(x))));
    case 'multiple':
      return Math.min(values.hi, Math.max(values.lo, multipleOf(Math.round(x / p.grid.step), p.grid.step)));
    case 'values': {
      const e = encodeValue(p, x);
      let best = values.lo;
      let distance = Number.POSITIVE_INFINITY;
      for (const v of gridValues(p)) {
        const d = Math.abs(encodeValue(p, v) - e);
        if (d < distance) [best, distance] = [v, d];
      }
      return best;
    }
  }
}

/** Encodes one value: log(x/unit)/log(scale), or (x - min)/(max - min). */
export function encodeValue(p: ParamSpec, x: number): number {
  if (p.encoding.kind === 'log') return Math.log(x / p.encoding.unit) / Math.log(p.encoding.scale);
  return p.max > p.min ? (x - p.min) / (p.max - p.min) : 0;
}

/** Inverse of `encodeValue` without snapping. */
export function decodeValue(p: ParamSpec, e: number): number {
  if (p.encoding.kind === 'log') return p.encoding.unit * Math.pow(p.encoding.scale, e);
  return p.min + e * (p.max - p.min);
}

/** The values of a design in the space's parameter order. */
export function designToVector<P extends string>(space: DesignSpace<P>, design: Design<P>): number[] {
  return space.params.map((p) => design[p.name]);
}

/** The design with the given values in the space's parameter order. */
export function designFromVector<P extends string>(space: DesignSpace<P>, values: readonly number[]): Design<P> {
  if (values.length !== space.params.length) {
    throw new RangeError(`designFromVector: ${space.name} has ${space.params.length} parameters, got ${values.length} values`);
  }
  const design = {} as Record<P, number>;
  space.params.forEach((p, i) => (design[p.name] = values[i]));
  return design;
}

/** A text key of a design, equal for equal designs (the values in parameter order). */
export function designKey<P extends string>(space: DesignSpace<P>, design: Design<P>): string {
  return designToVector(space, design).join('_');
}

/** The nearest valid design (each parameter snapped independently). */
export function snapDesign<P extends string>(space: DesignSpace<P>, design: Design<P>): Design<P> {
  return designFromVector(space, space.params.map((p) => snapValue(p, design[p.name])));
}

/** The design's encoded vector (one coordinate per parameter, in [0, 1] for the default encodings). */
export function encodeDesign<P extends string>(space: DesignSpace<P>, design: Design<P>): number[] {
  return space.params.map((p) => encodeValue(p, design[p.name]));
}

/** Inverse of `encodeDesign`, then snapped to the nearest valid design. Non-finite entries snap to the lower bound. */
export function decodeDesign<P extends string>(space: DesignSpace<P>, vector: readonly number[]): Design<P> {
  if (vector.length !== space.params.length) {
    throw new RangeError(`decodeDesign: expected a ${space.params.length}-vector, got ${vector.length}`);
  }
  return designFromVector(
    space,
    space.params.map((p, i) => snapValue(p, Number.isFinite(vector[i]) ? decodeValue(p, vector[i]) : Number.NaN)),
  );
}

export type DesignValidity = { readonly ok: true } | { readonly ok: false; readonly param: string; readonly reason: string };

/** Whether `design` is a valid design of `space`, with the first bad parameter and the reason when it is not. */
export function isValidDesign<P extends string>(space: DesignSpace<P>, design: Design<P>): DesignValidity {
  for (const p of space.params) {
    const v = design[p.name];
    const bad = (reason: string): DesignValidity => ({ ok: false, param: p.name, reason: `${p.name} = ${v} ${reason}` });
    if (typeof v !== 'number' || !Number.isFinite(v) || (integralGrid(p) && !Number.isInteger(v)) || v < p.min || v > p.max) {
      return bad(`is outside [${p.min}, ${p.max}]`);
    }
    switch (p.grid.kind) {
      case 'pow2':
        if (2 ** Math.round(Math.log2(v)) !== v) return bad('is not a power of two');
        break;
      case 'multiple':
        if (multipleOf(Math.round(v / p.grid.step), p.grid.step) !== v) return bad(`is not a multiple of ${p.grid.step}`);
        break;
      case 'values':
        if (!p.grid.values.includes(v)) return bad(`is not one of ${p.grid.values.join(', ')}`);
        break;
    }
  }
  return { ok: true };
}

/** Decodes user input (JSON) into a valid design of `space`, naming the bad field on failure. */
export function parseDesign<P extends string>(space: DesignSpace<P>, input: unknown, root = 'design'): E.Either<VaesaError, Design<P>> {
  const codec = t.type(
    Object.fromEntries(space.params.map((p) => [p.name, integralGrid(p) && p.min > 0 ? PositiveInt : FiniteNumber])) as Record<P, t.Type<number, number, unknown>>,
  );
  const decoded = decodeWith(codec, input, root);
  if (E.isLeft(decoded)) return decoded;
  const design = designFromVector(space, space.params.map((p) => (decoded.right as Record<P, number>)[p.name]));
  const validity = isValidDesign(space, design);
  if (validity.ok) return E.right(design);
  return E.left(invalidInput(`${root}.${validity.param}`, design[validity.param as P], validity.reason));
}

/** A design drawn uniformly over the grid (each parameter independently uniform over its valid values). */
export function sampleDesign<P extends string>(space: DesignSpace<P>, rng: Rng): Design<P> {
  return designFromVector(
    space,
    space.params.map((p) => {
      const k = rng.int(gridSize(p));
      switch (p.grid.kind) {
        case 'pow2':
          return gridBounds(p).lo * 2 ** k;
        case 'multiple':
          return multipleOf(Math.round(gridBounds(p).lo / p.grid.step) + k, p.grid.step);
        case 'values':
          return gridValues(p)[k];
      }
    }),
  );
}

export interface GridOptions {
  /** Points per parameter, spread evenly in the encoded space and snapped; duplicates removed. */
  readonly pointsPerParam: number;
  /** Refuse to build grids larger than this (default 1e6). */
  readonly maxDesigns?: number;
}

/** The values of one parameter used by `gridDesigns`: `n` points evenly spaced in encoded space, snapped, distinct. */
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

/** A full-factorial grid of designs over `gridAxis` values, in lexicographic order of the parameters. */
export function gridDesigns<P extends string>(space: DesignSpace<P>, options: GridOptions): Design<P>[] {
  const axes = space.params.map((p) => gridAxis(p, options.pointsPerParam));
  const total = axes.reduce((a, v) => a * v.length, 1);
  const limit = options.maxDesigns ?? 1e6;
  if (total > limit) throw new RangeError(`gridDesigns: ${total} designs exceed maxDesigns ${limit}`);
  const out: Design<P>[] = [];
  const idx = axes.map(() => 0);
  for (let n = 0; n < total; n++) {
    out.push(designFromVector(space, axes.map((a, i) => a[idx[i]])));
    for (let d = axes.length - 1; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < axes[d].length) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Whether `space` is Simba's six parameters (so the built-in cost model and VAESA's CSV columns apply). */
export function isSimbaSpace(space: DesignSpace): space is DesignSpace<SimbaParam> {
  const names = simbaSpace.params.map((p) => p.name);
  return space.params.length === names.length && space.params.every((p, i) => p.name === names[i]);
}

// The names of 0.1, kept so that code written against them still compiles.
/** @deprecated use `encodeDesign` */
export const encodeArch = encodeDesign;
/** @deprecated use `decodeDesign` */
export const decodeArch = decodeDesign;
/** @deprecated use `snapDesign` */
export const snapArch = snapDesign;
/** @deprecated use `isValidDesign` */
export const isValidArch = isValidDesign;
/** @deprecated use `sampleDesign` */
export const sampleArch = sampleDesign;
/** @deprecated use `gridDesigns` */
export const gridArchs = gridDesigns;
/** @deprecated use `DesignValidity` */
export type ArchValidity = DesignValidity;
/** Decodes user input (JSON) into a valid design of `space`; `parseDesign` with errors rooted at `arch`. */
export function parseArch<P extends string>(space: DesignSpace<P>, input: unknown, root = 'arch'): E.Either<VaesaError, Design<P>> {
  return parseDesign(space, input, root);
}
