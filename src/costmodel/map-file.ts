import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import { parseYaml } from '../workload/parse';
import type { Problem } from '../workload/problem';
import { isRecord } from './json';
import type { ArchSpec, LevelLoops, Mapping } from './spec';

interface LevelDraft {
  temporal?: Record<string, number>;
  permutation?: string[];
  spatial?: Record<string, number>;
  spatialPermutation?: string[];
  spatialSplit?: number;
  keep?: string[];
}

/** `"R=3 S=1 P=7"` -> factors by dimension (missing dimensions are 1). */
function parseFactors(u: unknown, path: string, dims: readonly string[]): E.Either<VaesaError, Record<string, number>> {
  if (typeof u !== 'string') return E.left(invalidInput(path, u, 'expected a string such as "R=3 S=3 P=1"'));
  const factors: Record<string, number> = {};
  for (const d of dims) factors[d] = 1;
  for (const token of u.trim().split(/\s+/).filter((t) => t !== '')) {
    const m = /^([A-Za-z]+)=(\d+)$/.exec(token);
    if (m === null) return E.left(invalidInput(path, u, `bad factor "${token}" (expected <Dim>=<positive integer>)`));
    if (!dims.includes(m[1])) return E.left(invalidInput(path, m[1], `unknown dimension (the problem has ${dims.join(' ')})`));
    const value = Number(m[2]);
    if (value < 1) return E.left(invalidInput(`${path}.${m[1]}`, value, 'must be a positive integer'));
    factors[m[1]] = value;
  }
  return E.right(factors);
}

/** A permutation string, inner to outer; dimensions it leaves out follow (outer) in the shape's order. */
function parsePermutation(u: unknown, path: string, dims: readonly string[]): E.Either<VaesaError, string[]> {
  if (u === undefined) return E.right([...dims]);
  if (typeof u !== 'string') return E.left(invalidInput(path, u, 'expected a string of dimension letters, inner to outer'));
  const order: string[] = [];
  for (const ch of u.replace(/\s+/g, '')) {
    if (!dims.includes(ch)) return E.left(invalidInput(path, ch, `unknown dimension (the problem has ${dims.join(' ')})`));
    if (order.includes(ch)) return E.left(invalidInput(path, u, `dimension "${ch}" appears twice`));
    order.push(ch);
  }
  for (const d of dims) if (!order.includes(d)) order.push(d);
  return E.right(order);
}

function nameList(u: unknown, path: string, spaces: readonly string[]): E.Either<VaesaError, string[]> {
  if (u === undefined) return E.right([]);
  if (!Array.isArray(u)) return E.left(invalidInput(path, u, 'expected a list of data-space names'));
  for (const n of u as unknown[]) {
    if (typeof n !== 'string' || !spaces.includes(n)) return E.left(invalidInput(path, n, `unknown data space (the problem has ${spaces.join(', ')})`));
  }
  return E.right(u as string[]);
}

/** The directives of a Timeloop map file (its `mapping:` list), given as YAML text or an already parsed value. */
export function mapDirectives(input: string | unknown): E.Either<VaesaError, readonly unknown[]> {
  const doc = typeof input === 'string' ? parseYaml(input, 'map YAML') : E.right(input);
  if (E.isLeft(doc)) return doc;
  const list = isRecord(doc.right) ? doc.right.mapping : doc.right;
  if (!Array.isArray(list)) return E.left(invalidInput('mapping', list, 'expected a list of directives under "mapping:"'));
  return E.right(list);
}

/**
 * Reads a Timeloop map file (`mapping:` list of `{ target, type, factors, permutation, split, keep,
 * bypass }`, as timeloop-model 11920be reads it) into a `Mapping` of `problem` on `arch`, given as YAML
 * text or an already parsed value. `temporal` and `spatial` directives give factors (`"R=3 S=1 ..."`,
 * missing dimensions 1) and a permutation inner to outer; a spatial `split` = how many of the
 * permutation's dimensions run along X (default all). `bypass` (or `datatype`) directives list the data
 * spaces the level keeps (`keep`) and bypasses (`bypass`); a data space in neither list keeps the
 * level's default. Unknown targets, dimensions, data spaces or directive types come back as `Left`;
 * whether the factors multiply to the bounds, fit the fan-outs and the buffers is checked by
 * `evaluateArchMapping`.
 */
export function mappingFromTimeloop(input: string | unknown, arch: ArchSpec, problem: Problem): E.Either<VaesaError, Mapping> {
  const directives = mapDirectives(input);
  if (E.isLeft(directives)) return directives;
  const list = directives.right;
  const dims = problem.shape.dimensions;
  const spaces = problem.shape.dataSpaces.map((ds) => ds.name);
  const levelNames = arch.levels.map((l) => l.name);
  const drafts: LevelDraft[] = arch.levels.map(() => ({}));
  for (const [i, item] of list.entries()) {
    const path = `mapping[${i}]`;
    if (!isRecord(item)) return E.left(invalidInput(path, item, 'expected { target, type, ... }'));
    const level = typeof item.target === 'string' ? levelNames.indexOf(item.target) : -1;
    if (level < 0) return E.left(invalidInput(`${path}.target`, item.target, `expected a storage level (${levelNames.join(', ')})`));
    const draft = drafts[level];
    const type = item.type;
    if (type === 'temporal' || type === 'spatial') {
      const allowed = ['target', 'type', 'factors', 'permutation', ...(type === 'spatial' ? ['split'] : [])];
      const extra = Object.keys(item).find((k) => !allowed.includes(k));
      if (extra !== undefined) return E.left(invalidInput(`${path}.${extra}`, item[extra], `unknown attribute of a ${type} directive`));
      const factors = item.factors === undefined ? E.right(Object.fromEntries(dims.map((d) => [d, 1]))) : parseFactors(item.factors, `${path}.factors`, dims);
      if (E.isLeft(factors)) return factors;
      const permutation = parsePermutation(item.permutation, `${path}.permutation`, dims);
      if (E.isLeft(permutation)) return permutation;
      if (type === 'temporal') {
        draft.temporal = factors.right;
        draft.permutation = permutation.right;
      } else {
        const split = item.split ?? dims.length;
        if (typeof split !== 'number' || !Number.isInteger(split) || split < 0) return E.left(invalidInput(`${path}.split`, split, 'must be a non-negative integer'));
        draft.spatial = factors.right;
        draft.spatialPermutation = permutation.right;
        draft.spatialSplit = split;
      }
    } else if (type === 'bypass' || type === 'datatype') {
      const extra = Object.keys(item).find((k) => !['target', 'type', 'keep', 'bypass'].includes(k));
      if (extra !== undefined) return E.left(invalidInput(`${path}.${extra}`, item[extra], 'unknown attribute of a bypass directive'));
      const keep = nameList(item.keep, `${path}.keep`, spaces);
      if (E.isLeft(keep)) return keep;
      const bypass = nameList(item.bypass, `${path}.bypass`, spaces);
      if (E.isLeft(bypass)) return bypass;
      const both = keep.right.find((n) => bypass.right.includes(n));
      if (both !== undefined) return E.left(invalidInput(`${path}.bypass`, both, 'listed under both keep and bypass'));
      const defaults = arch.levels[level].keeps ?? spaces;
      draft.keep = spaces.filter((n) => keep.right.includes(n) || (!bypass.right.includes(n) && defaults.includes(n)));
    } else {
      return E.left(invalidInput(`${path}.type`, type, 'expected temporal, spatial, bypass or datatype'));
    }
  }
  const unit = Object.fromEntries(dims.map((d) => [d, 1]));
  const levels = drafts.map(
    (d): LevelLoops => ({
      temporal: d.temporal ?? unit,
      permutation: d.permutation ?? [...dims],
      spatial: d.spatial ?? unit,
      spatialPermutation: d.spatialPermutation ?? [...dims],
      ...(d.spatialSplit === undefined ? {} : { spatialSplit: d.spatialSplit }),
      ...(d.keep === undefined ? {} : { keep: d.keep }),
    }),
  );
  return E.right({ levels });
}
