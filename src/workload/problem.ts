import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import type { ConvLayer } from './layer';

/**
 * One term of a projection: `coefficient x dim`, the coefficient named by the shape (a stride or a
 * dilation) or 1 when absent. Timeloop's `[P, Wstride]`.
 */
export interface ProjectionTerm {
  readonly dim: string;
  readonly coefficient?: string;
}

/**
 * A data space (tensor) of a problem shape: one rank per axis, each rank a sum of terms (Timeloop's
 * `projection`). Data spaces are named by role (`Weights`, `Inputs`, `Outputs`) so that an
 * architecture's keep rules apply to every problem; `readWrite` marks the output (read-modify-write).
 */
export interface DataSpace {
  readonly name: string;
  readonly projection: readonly (readonly ProjectionTerm[])[];
  readonly readWrite: boolean;
}

/** Timeloop's problem shape as data: loop dimensions, named coefficients with defaults, data spaces. */
export interface ProblemShape {
  readonly name: string;
  /** Loop dimensions, one character each as Timeloop 11920be requires. */
  readonly dimensions: readonly string[];
  /** Coefficient defaults by name (strides, dilations). */
  readonly coefficients: Readonly<Record<string, number>>;
  readonly dataSpaces: readonly DataSpace[];
}

/**
 * What a problem computes, for features, display and lowering onto templates that only know
 * convolutions. `custom` is any other shape (e.g. parsed from a Timeloop file).
 */
export type ProblemKind = 'conv2d' | 'grouped-conv' | 'depthwise-conv' | 'matmul' | 'batched-matmul' | 'custom';

/** A workload layer: a shape, a bound per dimension and a value per coefficient. */
export interface Problem {
  readonly kind: ProblemKind;
  readonly shape: ProblemShape;
  readonly bounds: Readonly<Record<string, number>>;
  readonly coefficients: Readonly<Record<string, number>>;
  /**
   * For `batched-matmul`: whether the `Weights` data space is an activation (attention's K and V),
   * so it is produced at run time rather than loaded once. False for every other kind.
   */
  readonly weightsAreActivations: boolean;
}

const CONV_COEFFICIENTS = { Wstride: 1, Hstride: 1, Wdilation: 1, Hdilation: 1 } as const;

const term = (dim: string, coefficient?: string): ProjectionTerm => (coefficient === undefined ? { dim } : { dim, coefficient });
const ranks = (...dims: string[]): ProjectionTerm[][] => dims.map((d) => [term(d)]);
const slidingWidth = [term('R', 'Wdilation'), term('P', 'Wstride')];
const slidingHeight = [term('S', 'Hdilation'), term('Q', 'Hstride')];

/** Timeloop's built-in `cnn-layer` shape: R S P Q C K N; R pairs with P (width), S with Q (height). */
export const CONV2D_SHAPE: ProblemShape = {
  name: 'CNN-Layer',
  dimensions: ['R', 'S', 'P', 'Q', 'C', 'K', 'N'],
  coefficients: CONV_COEFFICIENTS,
  dataSpaces: [
    { name: 'Weights', projection: ranks('C', 'K', 'R', 'S'), readWrite: false },
    { name: 'Inputs', projection: [[term('N')], [term('C')], slidingWidth, slidingHeight], readWrite: false },
    { name: 'Outputs', projection: ranks('N', 'K', 'Q', 'P'), readWrite: true },
  ],
};

/** Grouped convolution: G groups, each a convolution of C input to K output channels. */
export const GROUPED_CONV_SHAPE: ProblemShape = {
  name: 'GroupedConv',
  dimensions: ['G', 'R', 'S', 'P', 'Q', 'C', 'K', 'N'],
  coefficients: CONV_COEFFICIENTS,
  dataSpaces: [
    { name: 'Weights', projection: ranks('G', 'R', 'S', 'C', 'K'), readWrite: false },
    { name: 'Inputs', projection: [[term('G')], slidingWidth, slidingHeight, [term('C')], [term('N')]], readWrite: false },
    { name: 'Outputs', projection: ranks('G', 'P', 'Q', 'K', 'N'), readWrite: true },
  ],
};

/** Depthwise convolution: one filter per channel G (no C or K dimension). */
export const DEPTHWISE_CONV_SHAPE: ProblemShape = {
  name: 'DepthwiseConv',
  dimensions: ['G', 'R', 'S', 'P', 'Q', 'N'],
  coefficients: CONV_COEFFICIENTS,
  dataSpaces: [
    { name: 'Weights', projection: ranks('G', 'R', 'S'), readWrite: false },
    { name: 'Inputs', projection: [[term('G')], slidingWidth, slidingHeight, [term('N')]], readWrite: false },
    { name: 'Outputs', projection: ranks('G', 'P', 'Q', 'N'), readWrite: true },
  ],
};

/** GEMM `Z[M][N] = sum_K A[M][K] B[K][N]`: Inputs = A, Weights = B, Outputs = Z. */
export const MATMUL_SHAPE: ProblemShape = {
  name: 'GEMM',
  dimensions: ['M', 'N', 'K'],
  coefficients: {},
  dataSpaces: [
    { name: 'Weights', projection: ranks('K', 'N'), readWrite: false },
    { name: 'Inputs', projection: ranks('M', 'K'), readWrite: false },
    { name: 'Outputs', projection: ranks('M', 'N'), readWrite: true },
  ],
};

/** Batched GEMM `Z[B][M][N] = sum_K A[B][M][K] W[B][K][N]`: both operands carry the batch (attention's Q·Kᵀ and P·V). */
export const BATCHED_MATMUL_SHAPE: ProblemShape = {
  name: 'BatchedGEMM',
  dimensions: ['B', 'M', 'N', 'K'],
  coefficients: {},
  dataSpaces: [
    { name: 'Weights', projection: ranks('B', 'K', 'N'), readWrite: false },
    { name: 'Inputs', projection: ranks('B', 'M', 'K'), readWrite: false },
    { name: 'Outputs', projection: ranks('B', 'M', 'N'), readWrite: true },
  ],
};

/**
 * Checks a problem: every dimension of the shape has a positive integer bound and nothing else does,
 * every coefficient is a positive integer, projections name only known dimensions and coefficients,
 * data-space names are distinct and exactly one is read-write. Returns the problem with the shape's
 * coefficient defaults filled in.
 */
export function validateProblem(problem: Problem, root = 'problem'): E.Either<VaesaError, Problem> {
  const { shape } = problem;
  if (shape.dimensions.length === 0) return E.left(invalidInput(`${root}.shape.dimensions`, shape.dimensions, 'the shape has no dimensions'));
  const dims = new Set(shape.dimensions);
  if (dims.size !== shape.dimensions.length) return E.left(invalidInput(`${root}.shape.dimensions`, shape.dimensions, 'dimension names repeat'));
  for (const d of shape.dimensions) {
    if (!/^[A-Za-z]$/.test(d)) return E.left(invalidInput(`${root}.shape.dimensions`, d, 'a dimension name is one letter'));
    const b = problem.bounds[d];
    if (!isPositiveInt(b)) return E.left(invalidInput(`${root}.bounds.${d}`, b, 'must be a positive integer'));
  }
  for (const d of Object.keys(problem.bounds)) {
    if (!dims.has(d)) return E.left(invalidInput(`${root}.bounds.${d}`, problem.bounds[d], `not a dimension of ${shape.name} (${shape.dimensions.join(' ')})`));
  }
  const coefficients: Record<string, number> = { ...shape.coefficients };
  for (const [name, value] of Object.entries(problem.coefficients)) {
    if (!(name in shape.coefficients)) return E.left(invalidInput(`${root}.coefficients.${name}`, value, `not a coefficient of ${shape.name}`));
    coefficients[name] = value;
  }
  for (const [name, value] of Object.entries(coefficients)) {
    if (!isPositiveInt(value)) return E.left(invalidInput(`${root}.coefficients.${name}`, value, 'must be a positive integer'));
  }
  if (shape.dataSpaces.length === 0) return E.left(invalidInput(`${root}.shape.dataSpaces`, shape.dataSpaces, 'the shape has no data spaces'));
  const names = new Set<string>();
  for (const [i, ds] of shape.dataSpaces.entries()) {
    const where = `${root}.shape.dataSpaces[${i}]`;
    if (names.has(ds.name)) return E.left(invalidInput(`${where}.name`, ds.name, 'data-space names repeat'));
    names.add(ds.name);
    if (ds.projection.length === 0) return E.left(invalidInput(`${where}.projection`, ds.projection, 'a data space needs at least one rank'));
    for (const [r, rank] of ds.projection.entries()) {
      if (rank.length === 0) return E.left(invalidInput(`${where}.projection[${r}]`, rank, 'a rank needs at least one term'));
      for (const t of rank) {
        if (!dims.has(t.dim)) return E.left(invalidInput(`${where}.projection[${r}]`, t.dim, `unknown dimension (the shape has ${shape.dimensions.join(' ')})`));
        if (t.coefficient !== undefined && !(t.coefficient in coefficients)) {
          return E.left(invalidInput(`${where}.projection[${r}]`, t.coefficient, 'unknown coefficient'));
        }
      }
    }
  }
  const outputs = shape.dataSpaces.filter((ds) => ds.readWrite);
  if (outputs.length !== 1) {
    return E.left(invalidInput(`${root}.shape.dataSpaces`, outputs.map((ds) => ds.name), 'exactly one data space must be read-write (the output)'));
  }
  return E.right({ ...problem, coefficients });
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

function build(kind: ProblemKind, shape: ProblemShape, bounds: Record<string, number>, coefficients: Record<string, number>, weightsAreActivations = false): E.Either<VaesaError, Problem> {
  return validateProblem({ kind, shape, bounds, coefficients, weightsAreActivations }, kind);
}

/** Strides and dilations of a convolution (all default to 1). */
export interface ConvStrides {
  readonly strideW?: number;
  readonly strideH?: number;
  readonly dilationW?: number;
  readonly dilationH?: number;
}

function convCoefficients(s: ConvStrides): Record<string, number> {
  return { Wstride: s.strideW ?? 1, Hstride: s.strideH ?? 1, Wdilation: s.dilationW ?? 1, Hdilation: s.dilationH ?? 1 };
}

/** A convolution in Timeloop's `cnn-layer` shape (a `ConvLayer` as a problem). */
export function conv2d(layer: Pick<ConvLayer, 'R' | 'S' | 'P' | 'Q' | 'C' | 'K' | 'N'> & ConvStrides): E.Either<VaesaError, Problem> {
  const { R, S, P, Q, C, K, N } = layer;
  return build('conv2d', CONV2D_SHAPE, { R, S, P, Q, C, K, N }, convCoefficients(layer));
}

/** A grouped convolution: `G` groups, each of `C` input and `K` output channels (per group). */
export function groupedConv(layer: { readonly G: number; readonly R: number; readonly S: number; readonly P: number; readonly Q: number; readonly C: number; readonly K: number; readonly N: number } & ConvStrides): E.Either<VaesaError, Problem> {
  const { G, R, S, P, Q, C, K, N } = layer;
  return build('grouped-conv', GROUPED_CONV_SHAPE, { G, R, S, P, Q, C, K, N }, convCoefficients(layer));
}

/** A depthwise convolution over `G` channels (one R x S filter per channel). */
export function depthwiseConv(layer: { readonly G: number; readonly R: number; readonly S: number; readonly P: number; readonly Q: number; readonly N: number } & ConvStrides): E.Either<VaesaError, Problem> {
  const { G, R, S, P, Q, N } = layer;
  return build('depthwise-conv', DEPTHWISE_CONV_SHAPE, { G, R, S, P, Q, N }, convCoefficients(layer));
}

/** GEMM `Z[M][N] = A[M][K] · B[K][N]` with B a weight (a fully-connected layer: M = tokens or batch). */
export function matmul(dims: { readonly M: number; readonly N: number; readonly K: number }): E.Either<VaesaError, Problem> {
  return build('matmul', MATMUL_SHAPE, { M: dims.M, N: dims.N, K: dims.K }, {});
}

/**
 * Batched GEMM `Z[B][M][N] = A[B][M][K] · W[B][K][N]`. With `weightsAreActivations` (the default) both
 * operands are activations: attention's Q·Kᵀ (K = head dim, N = keys) and P·V (K = keys, N = head dim),
 * B = heads x batch.
 */
export function batchedMatmul(dims: { readonly B: number; readonly M: number; readonly N: number; readonly K: number; readonly weightsAreActivations?: boolean }): E.Either<VaesaError, Problem> {
  return build('batched-matmul', BATCHED_MATMUL_SHAPE, { B: dims.B, M: dims.M, N: dims.N, K: dims.K }, {}, dims.weightsAreActivations ?? true);
}

/** Multiply-accumulates: the product of all bounds. */
export function problemMacs(problem: Problem): number {
  return problem.shape.dimensions.reduce((p, d) => p * problem.bounds[d], 1);
}

/**
 * Words of one rank's extent: for a sum of terms, `1 + sum(coefficient x (bound - 1))` (a sliding
 * window's halo), for a single plain term its bound.
 */
export function rankExtent(rank: readonly ProjectionTerm[], extentOf: (dim: string) => number, coefficients: Readonly<Record<string, number>>): number {
  let extent = 1;
  for (const t of rank) extent += (t.coefficient === undefined ? 1 : coefficients[t.coefficient]) * (extentOf(t.dim) - 1);
  return extent;
}

/** Words of each data space over the whole problem, by name. */
export function dataSpaceSizes(problem: Problem): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const ds of problem.shape.dataSpaces) {
    sizes[ds.name] = ds.projection.reduce((p, rank) => p * rankExtent(rank, (d) => problem.bounds[d], problem.coefficients), 1);
  }
  return sizes;
}

/** A stable text key of a problem (shape name, bounds and coefficients), for merging repeated layers and caches. */
export function problemKey(problem: Problem): string {
  const bounds = problem.shape.dimensions.map((d) => `${d}${problem.bounds[d]}`).join('_');
  const coefs = Object.keys(problem.coefficients)
    .sort()
    .filter((c) => problem.coefficients[c] !== 1)
    .map((c) => `${c}${problem.coefficients[c]}`)
    .join('_');
  return `${problem.shape.name}:${bounds}${coefs === '' ? '' : `:${coefs}`}`;
}
