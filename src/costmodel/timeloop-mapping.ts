import * as E from 'fp-ts/Either';
import type { ArchConfig } from '../hardware/arch';
import { invalidInput, type VaesaError } from '../common/errors';
import { LAYER_DIMS, type ConvLayer, type Dim } from '../workload/layer';
import { buildArchTemplate } from './arch-template';
import { mapDirectives } from './map-file';
import { isRecord } from './json';
import { DIM, LEVEL_NAMES, UNIT_FACTORS, type DimFactors, type LevelMapping, type LevelName, type Mapping } from './mapping';

function isLevelName(s: string): s is LevelName {
  return (LEVEL_NAMES as readonly string[]).includes(s);
}

/** Parses a permutation (inner to outer); dims it leaves out follow in R,S,P,Q,C,K,N order. */
function parsePermutation(u: unknown, path: string): E.Either<VaesaError, readonly Dim[]> {
  if (u === undefined) return E.right(LAYER_DIMS);
  if (typeof u !== 'string') return E.left(invalidInput(path, u, 'expected a string of dimension letters such as "RSPQCKN"'));
  const dims: Dim[] = [];
  for (const ch of u.replace(/\s+/g, '')) {
    if (!(ch in DIM)) return E.left(invalidInput(path, u, `unknown dimension "${ch}" (expected letters of ${LAYER_DIMS.join('')})`));
    if (dims.includes(ch as Dim)) return E.left(invalidInput(path, u, `dimension "${ch}" appears twice`));
    dims.push(ch as Dim);
  }
  for (const d of LAYER_DIMS) if (!dims.includes(d)) dims.push(d);
  return E.right(dims);
}

/**
 * Checks a mapping against the layer (per dim, the product of all factors equals the layer's bound) and
 * the template (spatial factors only below levels with a fan-out).
 */
function checkShape(mapping: Mapping, arch: ArchConfig, layer: ConvLayer, source: string): E.Either<VaesaError, Mapping> {
  let fanouts: readonly number[];
  try {
    fanouts = buildArchTemplate(arch).fanouts;
  } catch (e) {
    return E.left(invalidInput('arch', arch, (e as Error).message));
  }
  for (const d of LAYER_DIMS) {
    let product = 1;
    for (const lm of mapping.levels) product *= lm.temporal[d] * lm.spatial[d];
    if (product !== layer[d]) {
      return E.left(invalidInput(`${source}.factors.${d}`, product, `the product of all ${d} factors must equal the layer's ${d} = ${layer[d]}`));
    }
  }
  for (let l = 0; l < mapping.levels.length; l++) {
    if (fanouts[l] > 1) continue;
    const spatial = mapping.levels[l].spatial;
    const d = LAYER_DIMS.find((x) => spatial[x] !== 1);
    if (d !== undefined) {
      return E.left(invalidInput(`${source}.spatial:${LEVEL_NAMES[l]}.${d}`, spatial[d], `${LEVEL_NAMES[l]} has no spatial fan-out on this arch`));
    }
  }
  return E.right(mapping);
}

interface LevelDraft {
  temporal?: DimFactors;
  permutation?: readonly Dim[];
  spatial?: DimFactors;
  spatialPermutation?: readonly Dim[];
}

function assemble(drafts: Partial<Record<LevelName, LevelDraft>>): Mapping {
  return {
    levels: LEVEL_NAMES.map((name): LevelMapping => {
      const d = drafts[name] ?? {};
      return {
        temporal: d.temporal ?? UNIT_FACTORS,
        permutation: d.permutation ?? LAYER_DIMS,
        spatial: d.spatial ?? UNIT_FACTORS,
        spatialPermutation: d.spatialPermutation ?? LAYER_DIMS,
      };
    }),
  };
}

function factorsFromRecord(u: unknown, path: string, layer: ConvLayer): E.Either<VaesaError, DimFactors> {
  if (!isRecord(u)) return E.left(invalidInput(path, u, 'expected factors {R,S,P,Q,C,K,N}'));
  const out: Record<string, number> = {};
  for (const d of LAYER_DIMS) {
    const v = u[d] ?? 1;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return E.left(invalidInput(`${path}.${d}`, v, 'must be a positive integer'));
    // Timeloop reads a factor of 0 as "the whole dimension".
    out[d] = v === 0 ? layer[d] : v;
  }
  for (const k of Object.keys(u)) if (!(k in DIM)) return E.left(invalidInput(`${path}.${k}`, u[k], `unknown dimension (expected ${LAYER_DIMS.join(', ')})`));
  return E.right(out as DimFactors);
}

/**
 * Reads the mapping form of the reference's `timeloop-mappings/*.jsonl.gz` records: keys
 * `temporal:<Level>` and `spatial:<Level>`, each `{ factors: {R,...,N}, permutation_inner_to_outer }`.
 * Absent keys mean unit loops. Checks the factor products against `layer` and fan-outs against `arch`.
 */
export function simbaMappingFromRecord(json: unknown, arch: ArchConfig, layer: ConvLayer): E.Either<VaesaError, Mapping> {
  if (!isRecord(json)) return E.left(invalidInput('mapping', json, 'expected an object with temporal:<Level> / spatial:<Level> keys'));
  const drafts: Partial<Record<LevelName, LevelDraft>> = {};
  for (const [key, value] of Object.entries(json)) {
    const m = /^(temporal|spatial):(.+)$/.exec(key);
    if (m === null || !isLevelName(m[2])) {
      return E.left(invalidInput(`mapping.${key}`, value, `unknown key (expected temporal:<Level> or spatial:<Level>, Level one of ${LEVEL_NAMES.join(', ')})`));
    }
    if (!isRecord(value)) return E.left(invalidInput(`mapping.${key}`, value, 'expected { factors, permutation_inner_to_outer }'));
    const factors = factorsFromRecord(value.factors, `mapping.${key}.factors`, layer);
    if (E.isLeft(factors)) return factors;
    const perm = parsePermutation(value.permutation_inner_to_outer ?? value.permutation, `mapping.${key}.permutation_inner_to_outer`);
    if (E.isLeft(perm)) return perm;
    const draft = (drafts[m[2]] ??= {});
    if (m[1] === 'temporal') {
      draft.temporal = factors.right;
      draft.permutation = perm.right;
    } else {
      draft.spatial = factors.right;
      draft.spatialPermutation = perm.right;
    }
  }
  return checkShape(assemble(drafts), arch, layer, 'mapping');
}

/** Parses Timeloop's factor string, e.g. `"R=3 S=3 P=1 Q=7 C=8 K=4 N=1"`. */
function parseFactorString(s: unknown, path: string, layer: ConvLayer): E.Either<VaesaError, DimFactors> {
  if (s === undefined) return E.right(UNIT_FACTORS);
  if (typeof s !== 'string') return E.left(invalidInput(path, s, 'expected a string such as "R=3 S=3 P=1"'));
  const record: Record<string, number> = {};
  for (const token of s.trim().split(/\s+/).filter((t) => t !== '')) {
    const m = /^([A-Za-z]+)=(\d+)$/.exec(token);
    if (m === null) return E.left(invalidInput(path, s, `bad factor "${token}" (expected <Dim>=<integer>)`));
    record[m[1]] = Number(m[2]);
  }
  return factorsFromRecord(record, path, layer);
}

/**
 * Parses Timeloop's map YAML (`mapping:` list of `{ target, type: temporal|spatial|datatype|bypass,
 * factors: "R=3 S=1 ...", permutation: "RSPQCKN" }`), given as text or as an already-parsed object.
 * Permutations are inner to outer, as Timeloop reads them; missing factors are 1. `datatype`/`bypass`
 * directives must agree with the template's fixed keep/bypass rules.
 */
export function parseSimbaMapYaml(input: string | unknown, arch: ArchConfig, layer: ConvLayer): E.Either<VaesaError, Mapping> {
  const directives = mapDirectives(input);
  if (E.isLeft(directives)) return directives;
  const list = directives.right;
  const template = (() => {
    try {
      return buildArchTemplate(arch);
    } catch {
      return undefined;
    }
  })();
  if (template === undefined) return E.left(invalidInput('arch', arch, 'cannot form the Simba template'));
  const drafts: Partial<Record<LevelName, LevelDraft>> = {};
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    const path = `mapping[${i}]`;
    if (!isRecord(item)) return E.left(invalidInput(path, item, 'expected { target, type, ... }'));
    const target = item.target;
    if (typeof target !== 'string' || !isLevelName(target)) {
      return E.left(invalidInput(`${path}.target`, target, `expected one of ${LEVEL_NAMES.join(', ')}`));
    }
    const type = item.type;
    if (type === 'temporal' || type === 'spatial') {
      const factors = parseFactorString(item.factors, `${path}.factors`, layer);
      if (E.isLeft(factors)) return factors;
      const perm = parsePermutation(item.permutation, `${path}.permutation`);
      if (E.isLeft(perm)) return perm;
      const draft = (drafts[target] ??= {});
      if (type === 'temporal') {
        draft.temporal = factors.right;
        draft.permutation = perm.right;
      } else {
        draft.spatial = factors.right;
        draft.spatialPermutation = perm.right;
      }
    } else if (type === 'datatype' || type === 'bypass') {
      const keeps = template.levels[LEVEL_NAMES.indexOf(target)].keeps;
      for (const [field, want] of [['keep', true], ['bypass', false]] as const) {
        const names: unknown = item[field] ?? [];
        if (!Array.isArray(names)) return E.left(invalidInput(`${path}.${field}`, names, 'expected a list of tensor names'));
        for (const n of names as unknown[]) {
          if (n !== 'Weights' && n !== 'Inputs' && n !== 'Outputs') return E.left(invalidInput(`${path}.${field}`, n, 'expected Weights, Inputs or Outputs'));
          if (keeps[n] !== want) {
            return E.left(invalidInput(`${path}.${field}`, n, `the template ${want ? 'bypasses' : 'keeps'} ${n} at ${target}; keep/bypass rules are fixed`));
          }
        }
      }
    } else {
      return E.left(invalidInput(`${path}.type`, type, 'expected temporal, spatial, datatype or bypass'));
    }
  }
  return checkShape(assemble(drafts), arch, layer, 'mapping');
}
