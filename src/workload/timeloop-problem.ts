import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import { parseYaml } from './parse';
import { CONV2D_SHAPE, validateProblem, type DataSpace, type Problem, type ProblemShape, type ProjectionTerm } from './problem';

/**
 * Timeloop's problem file as a `Problem`: `problem: { shape, instance }` where `shape` is the built-in
 * `cnn-layer` (our `CONV2D_SHAPE`) or an embedded shape `{ name, dimensions, coefficients: [{ name,
 * default }], data-spaces: [{ name, projection, read-write }] }`. A projection lists one rank per axis,
 * each rank a list of terms `[Dim]` or `[Dim, Coefficient]` (a single-term rank may also be written
 * `[Dim]` directly). `instance` gives every dimension's bound and may override coefficients.
 */

const SHAPE_KEYS = new Set(['name', 'dimensions', 'coefficients', 'data-spaces']);
const DATA_SPACE_KEYS = new Set(['name', 'projection', 'read-write']);

function isRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

function unknownKey(value: Record<string, unknown>, allowed: ReadonlySet<string>, path: string): VaesaError | undefined {
  const extra = Object.keys(value).find((k) => !allowed.has(k));
  return extra === undefined ? undefined : invalidInput(`${path}.${extra}`, value[extra], `unknown attribute (expected ${[...allowed].join(', ')})`);
}

function decodeTerm(u: unknown, path: string, dims: ReadonlySet<string>, coefficients: ReadonlySet<string>): E.Either<VaesaError, ProjectionTerm> {
  if (!Array.isArray(u) || u.length < 1 || u.length > 2 || u.some((x) => typeof x !== 'string')) {
    return E.left(invalidInput(path, u, 'expected a term [Dim] or [Dim, Coefficient]'));
  }
  const [dim, coefficient] = u as string[];
  if (!dims.has(dim)) return E.left(invalidInput(path, dim, `unknown dimension (the shape has ${[...dims].join(' ')})`));
  if (coefficient === undefined) return E.right({ dim });
  if (!coefficients.has(coefficient)) return E.left(invalidInput(path, coefficient, 'unknown coefficient (declare it under coefficients)'));
  return E.right({ dim, coefficient });
}

function decodeDataSpace(u: unknown, path: string, dims: ReadonlySet<string>, coefficients: ReadonlySet<string>): E.Either<VaesaError, DataSpace> {
  if (!isRecord(u)) return E.left(invalidInput(path, u, 'expected { name, projection, read-write? }'));
  const extra = unknownKey(u, DATA_SPACE_KEYS, path);
  if (extra !== undefined) return E.left(extra);
  if (typeof u.name !== 'string' || u.name === '') return E.left(invalidInput(`${path}.name`, u.name, 'expected a data-space name'));
  const readWrite = u['read-write'] ?? false;
  if (typeof readWrite !== 'boolean') return E.left(invalidInput(`${path}.read-write`, readWrite, 'expected true or false'));
  if (!Array.isArray(u.projection) || u.projection.length === 0) {
    return E.left(invalidInput(`${path}.projection`, u.projection, 'expected a list of ranks, each a list of [Dim] or [Dim, Coefficient] terms'));
  }
  const projection: ProjectionTerm[][] = [];
  for (const [r, rank] of (u.projection as unknown[]).entries()) {
    const rankPath = `${path}.projection[${r}]`;
    // A rank is a list of terms; a bare term `[Dim]` (list of strings) is a one-term rank.
    const terms: unknown[] = Array.isArray(rank) && rank.length > 0 && rank.every((x) => typeof x === 'string') ? [rank] : Array.isArray(rank) ? rank : [rank];
    if (terms.length === 0) return E.left(invalidInput(rankPath, rank, 'a rank needs at least one term'));
    const decoded: ProjectionTerm[] = [];
    for (const [i, t] of terms.entries()) {
      const term = decodeTerm(t, `${rankPath}[${i}]`, dims, coefficients);
      if (E.isLeft(term)) return term;
      decoded.push(term.right);
    }
    projection.push(decoded);
  }
  return E.right({ name: u.name, projection, readWrite });
}

/** Decodes an embedded Timeloop problem shape (`problem.shape` as an object). */
export function decodeTimeloopShape(u: unknown, path = 'problem.shape'): E.Either<VaesaError, ProblemShape> {
  if (!isRecord(u)) return E.left(invalidInput(path, u, 'expected "cnn-layer" or { name, dimensions, coefficients, data-spaces }'));
  const extra = unknownKey(u, SHAPE_KEYS, path);
  if (extra !== undefined) return E.left(extra);
  const name = u.name ?? 'custom';
  if (typeof name !== 'string') return E.left(invalidInput(`${path}.name`, name, 'expected a string'));
  if (!Array.isArray(u.dimensions) || u.dimensions.length === 0 || u.dimensions.some((d) => typeof d !== 'string')) {
    return E.left(invalidInput(`${path}.dimensions`, u.dimensions, 'expected a list of one-letter dimension names'));
  }
  const dimensions = u.dimensions as string[];
  const coefficients: Record<string, number> = {};
  const rawCoefficients: unknown = u.coefficients ?? [];
  if (!Array.isArray(rawCoefficients)) return E.left(invalidInput(`${path}.coefficients`, rawCoefficients, 'expected a list of { name, default }'));
  for (const [i, c] of rawCoefficients.entries()) {
    const cPath = `${path}.coefficients[${i}]`;
    if (!isRecord(c) || typeof c.name !== 'string') return E.left(invalidInput(cPath, c, 'expected { name, default }'));
    const bad = unknownKey(c, new Set(['name', 'default']), cPath);
    if (bad !== undefined) return E.left(bad);
    const value = c.default ?? 1;
    if (typeof value !== 'number') return E.left(invalidInput(`${cPath}.default`, value, 'expected a positive integer'));
    coefficients[c.name] = value;
  }
  if (!Array.isArray(u['data-spaces']) || u['data-spaces'].length === 0) {
    return E.left(invalidInput(`${path}.data-spaces`, u['data-spaces'], 'expected a list of data spaces'));
  }
  const dims = new Set(dimensions);
  const coefficientNames = new Set(Object.keys(coefficients));
  const dataSpaces: DataSpace[] = [];
  for (const [i, ds] of (u['data-spaces'] as unknown[]).entries()) {
    const decoded = decodeDataSpace(ds, `${path}.data-spaces[${i}]`, dims, coefficientNames);
    if (E.isLeft(decoded)) return decoded;
    dataSpaces.push(decoded.right);
  }
  return E.right({ name, dimensions, coefficients, dataSpaces });
}

/** Decodes a parsed Timeloop problem value `{ problem: { shape, instance } }` (see `parseTimeloopProblem`). */
export function decodeTimeloopProblem(value: unknown): E.Either<VaesaError, Problem> {
  if (!isRecord(value) || !isRecord(value.problem)) {
    return E.left(invalidInput('problem', isRecord(value) ? value.problem : value, 'expected problem: { shape, instance }'));
  }
  const p = value.problem;
  const extra = unknownKey(p, new Set(['shape', 'instance']), 'problem');
  if (extra !== undefined) return E.left(extra);
  let shape: ProblemShape;
  if (p.shape === 'cnn-layer' || p.shape === undefined) shape = CONV2D_SHAPE;
  else if (typeof p.shape === 'string') return E.left(invalidInput('problem.shape', p.shape, 'the only built-in shape is cnn-layer; embed any other shape'));
  else {
    const decoded = decodeTimeloopShape(p.shape);
    if (E.isLeft(decoded)) return decoded;
    shape = decoded.right;
  }
  if (!isRecord(p.instance)) return E.left(invalidInput('problem.instance', p.instance, 'expected the bound of every dimension'));
  const bounds: Record<string, number> = {};
  const coefficients: Record<string, number> = {};
  for (const [key, v] of Object.entries(p.instance)) {
    if (typeof v !== 'number') return E.left(invalidInput(`problem.instance.${key}`, v, 'must be a positive integer'));
    if (shape.dimensions.includes(key)) bounds[key] = v;
    else if (key in shape.coefficients) coefficients[key] = v;
    else return E.left(invalidInput(`problem.instance.${key}`, v, `neither a dimension (${shape.dimensions.join(' ')}) nor a coefficient of ${shape.name}`));
  }
  for (const d of shape.dimensions) {
    if (!(d in bounds)) return E.left(invalidInput(`problem.instance.${d}`, undefined, 'missing bound'));
  }
  const kind = shape === CONV2D_SHAPE ? 'conv2d' : 'custom';
  return validateProblem({ kind, shape, bounds, coefficients, weightsAreActivations: false }, 'problem');
}

/**
 * Parses a Timeloop problem file (11920be's format: `shape: cnn-layer` or an embedded custom shape, plus
 * `instance:`) into a `Problem`. For VAESA/CoSA's flat conv files returning a `ConvLayer`, see `parseTimeloopLayer`.
 */
export function parseTimeloopProblem(text: string, source = 'problem'): E.Either<VaesaError, Problem> {
  return E.chain(decodeTimeloopProblem)(parseYaml(text, source));
}
