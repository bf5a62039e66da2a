/**
 * The mapspace as data (Timeloop's mapspace constraints): per storage level, which dimensions may be
 * spatial along X or Y in the fan-out below it, fixed temporal factors, a fixed loop order, and data
 * spaces it must keep or must bypass. `defaultConstraints` derives them from the arch (fan-out sizes per
 * axis, the levels' keeps); a user's constraints are merged over the defaults by `resolveConstraints`.
 */
import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../../common/errors';
import { fanout, type ArchSpec } from '../../costmodel/spec';
import type { Problem } from '../../workload/problem';

/** What one storage level allows. Absent fields take the arch's defaults. */
export interface LevelConstraints {
  /** Dimensions that may be unrolled along X (resp. Y) in the fan-out below this level (none where that axis has no fan-out). */
  readonly spatialX?: readonly string[];
  readonly spatialY?: readonly string[];
  /** Temporal factors fixed at this level (dimension -> factor); other dimensions are free. */
  readonly temporalFactors?: Readonly<Record<string, number>>;
  /** Temporal loop order at this level, inner to outer, of the dimensions listed (the others sit outside them). */
  readonly permutation?: readonly string[];
  /** Data spaces this level must keep (each must be among the level's keeps). */
  readonly keep?: readonly string[];
  /** Data spaces this level must bypass. */
  readonly bypass?: readonly string[];
}

/** Constraints by storage level name. */
export interface MapspaceConstraints {
  readonly levels: Readonly<Record<string, LevelConstraints>>;
}

/** Constraints resolved against one arch and problem, per level index (inner to outer). */
export interface ResolvedConstraints {
  readonly spatialX: readonly (readonly string[])[];
  readonly spatialY: readonly (readonly string[])[];
  readonly temporalFactors: readonly Readonly<Record<string, number>>[];
  readonly permutation: readonly (readonly string[])[];
  /** Per level, the data spaces it keeps whatever the mapping. */
  readonly mustKeep: readonly (readonly string[])[];
  /** Per level, the data spaces a mapping may keep or bypass. */
  readonly mayKeep: readonly (readonly string[])[];
}

/**
 * The arch's own mapspace for `problem`: every dimension may be spatial on an axis with a fan-out, no
 * factor or order is fixed, the outermost level keeps every data space, the others keep what their
 * `keeps` allow (any data space when unset) and may bypass it.
 */
export function defaultConstraints(arch: ArchSpec, problem: Problem): MapspaceConstraints {
  const dims = problem.shape.dimensions;
  const spaces = problem.shape.dataSpaces.map((ds) => ds.name);
  const levels: Record<string, LevelConstraints> = {};
  arch.levels.forEach((level, i) => {
    const f = fanout(arch, i);
    const outermost = i === arch.levels.length - 1;
    const keepable = spaces.filter((s) => level.keeps === undefined || level.keeps.includes(s));
    levels[level.name] = {
      spatialX: f.x > 1 ? dims : [],
      spatialY: f.y > 1 ? dims : [],
      temporalFactors: {},
      permutation: [],
      keep: outermost ? spaces : [],
      bypass: spaces.filter((s) => !keepable.includes(s)),
    };
  });
  return { levels };
}

/**
 * `constraints` (by level name) merged over the arch's defaults and checked: unknown levels, dimensions
 * or data spaces, a keep the level cannot hold, a data space both kept and bypassed, a fixed factor that
 * does not divide the bound or products of fixed factors above a bound come back as `InvalidInput`.
 */
export function resolveConstraints(arch: ArchSpec, problem: Problem, constraints: MapspaceConstraints | undefined): E.Either<VaesaError, ResolvedConstraints> {
  const defaults = defaultConstraints(arch, problem).levels;
  const dims = problem.shape.dimensions;
  const spaces = problem.shape.dataSpaces.map((ds) => ds.name);
  const user = constraints?.levels ?? {};
  for (const name of Object.keys(user)) {
    if (!arch.levels.some((l) => l.name === name)) return E.left(invalidInput(`constraints.levels.${name}`, name, `no storage level of that name (levels: ${arch.levels.map((l) => l.name).join(', ')})`));
  }
  const out = { spatialX: [] as string[][], spatialY: [] as string[][], temporalFactors: [] as Record<string, number>[], permutation: [] as string[][], mustKeep: [] as string[][], mayKeep: [] as string[][] };
  const fixedProduct: Record<string, number> = Object.fromEntries(dims.map((d) => [d, 1]));
  for (const [i, level] of arch.levels.entries()) {
    const base = defaults[level.name];
    const given = user[level.name] ?? {};
    const path = `constraints.levels.${level.name}`;
    const checkDims = (field: string, list: readonly string[] | undefined): VaesaError | undefined => {
      const bad = (list ?? []).find((d) => !dims.includes(d));
      return bad === undefined ? undefined : invalidInput(`${path}.${field}`, bad, `not a dimension of the problem (${dims.join(', ')})`);
    };
    const checkSpaces = (field: string, list: readonly string[] | undefined): VaesaError | undefined => {
      const bad = (list ?? []).find((s) => !spaces.includes(s));
      return bad === undefined ? undefined : invalidInput(`${path}.${field}`, bad, `not a data space of the problem (${spaces.join(', ')})`);
    };
    const f = fanout(arch, i);
    for (const [field, list, size] of [['spatialX', given.spatialX, f.x], ['spatialY', given.spatialY, f.y]] as const) {
      const problem = checkDims(field, list);
      if (problem !== undefined) return E.left(problem);
      if (list !== undefined && list.length > 0 && size <= 1) return E.left(invalidInput(`${path}.${field}`, list, 'this level has no fan-out along that axis'));
    }
    for (const [field, list] of [['permutation', given.permutation], ['temporalFactors', Object.keys(given.temporalFactors ?? {})]] as const) {
      const problem = checkDims(field, list);
      if (problem !== undefined) return E.left(problem);
    }
    for (const [field, list] of [['keep', given.keep], ['bypass', given.bypass]] as const) {
      const problem = checkSpaces(field, list);
      if (problem !== undefined) return E.left(problem);
    }
    const factors = { ...(base.temporalFactors ?? {}), ...(given.temporalFactors ?? {}) };
    for (const [d, factor] of Object.entries(factors)) {
      if (!(Number.isInteger(factor) && factor > 0)) return E.left(invalidInput(`${path}.temporalFactors.${d}`, factor, 'must be a positive integer'));
      fixedProduct[d] *= factor;
      if (problem.bounds[d] % fixedProduct[d] !== 0) return E.left(invalidInput(`${path}.temporalFactors.${d}`, factor, `fixed factors of ${d} must divide its bound ${problem.bounds[d]}`));
    }
    const cannotKeep = spaces.filter((s) => level.keeps !== undefined && !level.keeps.includes(s));
    const mustKeep = [...new Set([...(base.keep ?? []), ...(given.keep ?? [])])];
    const mustBypass = [...new Set([...(base.bypass ?? []), ...(given.bypass ?? []), ...cannotKeep])];
    const clash = mustKeep.find((s) => mustBypass.includes(s));
    if (clash !== undefined) return E.left(invalidInput(`${path}.keep`, clash, cannotKeep.includes(clash) ? 'this level cannot keep that data space' : 'kept and bypassed at once'));
    out.spatialX.push([...(given.spatialX ?? base.spatialX ?? [])]);
    out.spatialY.push([...(given.spatialY ?? base.spatialY ?? [])]);
    out.temporalFactors.push(factors);
    out.permutation.push([...(given.permutation ?? base.permutation ?? [])]);
    out.mustKeep.push(mustKeep);
    out.mayKeep.push(spaces.filter((s) => !mustKeep.includes(s) && !mustBypass.includes(s)));
  }
  return E.right(out);
}
