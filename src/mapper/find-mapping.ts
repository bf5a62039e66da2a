import type { Objective } from '../common/objective';
import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import { createRng } from '../common/rng';
import type { ArchSpec } from '../costmodel/spec';
import type { Problem } from '../workload/problem';
import { isProblem, layerProblem, type Layer } from '../workload/lower';
import { findGenericMapping, type GenericFoundMapping, type GenericMappingOptions } from './generic/find-mapping';
import { ArchConfigCodec, type ArchConfig } from '../hardware/arch';
import { ConvLayerCodec, layerName, type ConvLayer } from '../workload/layer';
import { buildArchTemplate, SIMBA_MAPPER_SETTINGS, type ArchTemplate } from '../costmodel/arch-template';
import { estimateArea } from '../costmodel/area';
import type { CostModelName, MappingCost } from '../costmodel/cost';
import { costFromEvaluator, describeProblem } from '../costmodel/evaluate';
import { EvaluatorWorkspace, MappingEvaluator } from '../costmodel/loop-analysis';
import * as layout from '../costmodel/mapping';
import { packMapping, unpackMapping, type Mapping, type PackedMapping } from '../costmodel/mapping';
import { mipMapper } from './mip/mapper';
import { findGenericMappingMip } from './mip/generic-mapper';
import { OBJECTIVES } from '../common/objective';
import type { MipSolver } from './mip/solver';
import type { MapperFunction, MapperName } from './mapper';
import {
  createShapeContext,
  DEFAULT_SEARCH_EFFORT,
  rankValue,
  SEARCH_EFFORTS,
  searchMappings,
  shapeTemplate,
  type LayerPool,
  type SearchEffort,
  type SearchEffortName,
  type ShapeContext,
} from './search/search';

export interface FindMappingOptions {
  /** Energy setup: `'pat'` (default, VAESA's) or `'accelergy'`. */
  readonly model?: CostModelName;
  /** What to minimise: `'edp'` (default), `'latency'` (cycles) or `'energy'`. */
  readonly objective?: Objective;
  /** `'search'` (default) or a custom `MapperFunction`. */
  readonly mapper?: MapperName | MapperFunction;
  /** Seed of the search's random choices (default 0); the same seed always gives the same mapping. */
  readonly seed?: number;
  /** Reuses work across calls and archs (see `createMappingCache`); results are identical with or without it. */
  readonly cache?: MappingCache;
  /** Search effort: a name of `SEARCH_EFFORTS` (`'default'`, `'fast'`) or explicit knobs (default `DEFAULT_SEARCH_EFFORT`). */
  readonly effort?: SearchEffort | SearchEffortName;
  /** The loaded HiGHS solver (`await loadMipSolver()`) that `mapper: 'mip'` needs. */
  readonly mipSolver?: MipSolver;
}

/** The mapper's answer: the mapping and its exact cost (Timeloop's model). */
export interface FoundMapping {
  readonly mapping: Mapping;
  readonly packed: PackedMapping;
  readonly cost: MappingCost;
}

/**
 * Work shared across calls: per (setup, layer, MAC count) the spatial unrollings and the estimator (no
 * buffer size changes them), and per full query the answer. Create one per dataset run or search and pass
 * it as `options.cache`. Not thread-safe across workers (each worker makes its own).
 */
export interface MappingCache {
  readonly shapes: Map<string, ShapeContext>;
  /** Per (setup, layer, effort), the layer's pool of orders, shared by its shapes. */
  readonly layerPools: Map<string, LayerPool>;
  readonly answers: Map<string, FoundMapping>;
  /** Answers kept at most (oldest dropped first); shapes are few and always kept. */
  readonly maxAnswers: number;
  /** Scratch memory of the exact evaluations, shared by every call using this cache. */
  readonly workspace: EvaluatorWorkspace;
}

export function createMappingCache(maxAnswers = 10_000): MappingCache {
  return { shapes: new Map(), layerPools: new Map(), answers: new Map(), maxAnswers, workspace: new EvaluatorWorkspace() };
}

// Local copies: imported bindings are getters under CommonJS interop, too slow for the per-call loops below.
const NUM_DIMS = layout.NUM_DIMS;
const NUM_LEVELS = layout.NUM_LEVELS;
const PACKED_LENGTH = layout.PACKED_LENGTH;
const PACKED_LEVEL_STRIDE = layout.PACKED_LEVEL_STRIDE;
const PACKED_PERMUTATION = layout.PACKED_PERMUTATION;
const PACKED_SPATIAL = layout.PACKED_SPATIAL;
const PACKED_SPATIAL_PERMUTATION = layout.PACKED_SPATIAL_PERMUTATION;
const PACKED_TEMPORAL = layout.PACKED_TEMPORAL;

function requireMipSolver(solver: MipSolver | undefined): MipSolver {
  if (solver === undefined) throw new RangeError("findMapping: mapper 'mip' needs options.mipSolver (from await loadMipSolver())");
  return solver;
}

const COST_MODEL_NAMES: readonly CostModelName[] = ['pat', 'accelergy'];
const MAPPER_NAMES: readonly MapperName[] = ['search', 'mip'];

/** A named option outside its choices is a programmer error (it used to fall back to a default silently). */
function checkChoice(option: string, value: unknown, choices: readonly string[]): void {
  if (!choices.includes(value as string)) throw new RangeError(`findMapping: ${option} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
}

/** Throws a RangeError for an unknown model, objective or mapper name or a non-finite seed (no silent defaults). */
export function checkMappingOptions(options: Pick<FindMappingOptions, 'model' | 'objective' | 'mapper' | 'seed'>): void {
  if (options.model !== undefined) checkChoice('model', options.model, COST_MODEL_NAMES);
  if (options.objective !== undefined) checkChoice('objective', options.objective, OBJECTIVES);
  if (options.mapper !== undefined && typeof options.mapper !== 'function') checkChoice('mapper', options.mapper, MAPPER_NAMES);
  if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new RangeError(`findMapping: seed must be a finite number, got ${String(options.seed)}`);
}

function checkInputs(arch: ArchConfig, layer: ConvLayer): void {
  if (!ArchConfigCodec.is(arch)) throw new RangeError(`findMapping: invalid arch ${JSON.stringify(arch)}: every field must be a positive integer`);
  if (!ConvLayerCodec.is(layer)) throw new RangeError(`findMapping: invalid layer ${JSON.stringify(layer)}: every dimension, stride and dilation must be a positive integer`);
}

/** The mapping with every loop at DRAM and no fan-out: valid whenever a single word of each tensor fits. */
function dramOnlyMapping(layer: ConvLayer): PackedMapping {
  const packed = new Int32Array(PACKED_LENGTH);
  const bounds = [layer.R, layer.S, layer.P, layer.Q, layer.C, layer.K, layer.N];
  for (let l = 0; l < NUM_LEVELS; l++) {
    const base = l * PACKED_LEVEL_STRIDE;
    for (let d = 0; d < NUM_DIMS; d++) {
      packed[base + PACKED_TEMPORAL + d] = l === NUM_LEVELS - 1 ? bounds[d] : 1;
      packed[base + PACKED_SPATIAL + d] = 1;
      packed[base + PACKED_PERMUTATION + d] = d;
      packed[base + PACKED_SPATIAL_PERMUTATION + d] = d;
    }
  }
  return packed;
}

/** The effort an option names or gives, checked: a wrong name or knob is a programmer error (RangeError). */
function resolveEffort(effort: SearchEffort | SearchEffortName | undefined): SearchEffort {
  if (effort === undefined) return DEFAULT_SEARCH_EFFORT;
  if (typeof effort === 'string') {
    if (!Object.prototype.hasOwnProperty.call(SEARCH_EFFORTS, effort)) {
      throw new RangeError(`findMapping: effort must be one of ${Object.keys(SEARCH_EFFORTS).join(', ')} or a SearchEffort, got "${String(effort)}"`);
    }
    return SEARCH_EFFORTS[effort];
  }
  for (const knob of Object.keys(DEFAULT_SEARCH_EFFORT) as (keyof SearchEffort)[]) {
    const value = effort[knob];
    const least = knob === 'unrollings' || knob === 'finalists' || knob === 'poolMacCounts' || knob === 'poolProfiles' ? 1 : 0;
    if (!(Number.isInteger(value) && value >= least)) throw new RangeError(`findMapping: effort.${knob} must be an integer >= ${least}, got ${String(value)}`);
  }
  return effort;
}

function effortKey(e: SearchEffort): string {
  return [e.unrollings, e.seededUnrollings, e.starts, e.moves, e.finalists, e.poolStarts, e.poolMoves, e.poolOrders, e.poolMacCounts, e.poolProfiles].join(',');
}

/**
 * The shape context of `layer` on `template`'s MAC count, from `cache` (made and kept there on first use,
 * with the layer's pool, which builds its profile shapes through the same cache).
 */
function shapeContext(layer: ConvLayer, template: ArchTemplate, model: CostModelName, effort: SearchEffort, cache: MappingCache): ShapeContext {
  const layerKey = `${model}|${layerName(layer)}|${effortKey(effort)}`;
  const cachedShape = (macsTemplate: ArchTemplate, pool: LayerPool): ShapeContext => {
    const key = `${layerKey}|${macsTemplate.macs}`;
    let ctx = cache.shapes.get(key);
    if (ctx === undefined) {
      ctx = createShapeContext(layer, macsTemplate, effort, pool);
      cache.shapes.set(key, ctx);
    }
    return ctx;
  };
  let pool = cache.layerPools.get(layerKey);
  if (pool === undefined) {
    const created: LayerPool = { shapeOf: (macs) => cachedShape(shapeTemplate(macs, model), created), settings: SIMBA_MAPPER_SETTINGS, orders: new Map() };
    cache.layerPools.set(layerKey, created);
    pool = created;
  }
  return cachedShape(template, pool);
}

/**
 * The best mapping the chosen mapper finds for `layer` on `arch` (default: the `'search'` mapper, objective
 * EDP, setup `'pat'`), costed exactly. Always returns a valid mapping; throws a RangeError for an invalid
 * arch or layer, or when not even one word of each tensor fits the buffers.
 */
export function findSimbaMapping(arch: ArchConfig, layer: ConvLayer, options: FindMappingOptions = {}): FoundMapping {
  checkInputs(arch, layer);
  const model = options.model ?? 'pat';
  const objective = options.objective ?? 'edp';
  const seed = options.seed ?? 0;
  const effort = resolveEffort(options.effort);
  const mapper = options.mapper ?? 'search';
  checkMappingOptions(options);
  const cache = options.cache;
  const answerKey =
    cache !== undefined && typeof mapper === 'string'
      ? [model, objective, seed, mapper, effortKey(effort), layerName(layer), arch.meshX, arch.macs, arch.accumulationBuffer, arch.weightBuffer, arch.inputBuffer, arch.globalBuffer].join('|')
      : undefined;
  if (answerKey !== undefined) {
    const hit = cache?.answers.get(answerKey);
    if (hit !== undefined) return copyOfFound(hit);
  }
  let template: ArchTemplate;
  try {
    template = buildArchTemplate(arch, { model });
  } catch (e) {
    throw new RangeError(`findMapping: invalid arch ${JSON.stringify(arch)}: ${(e as Error).message}`);
  }
  const custom = mapper === 'mip' ? mipMapper(requireMipSolver(options.mipSolver)) : mapper;
  const proposals: PackedMapping[] =
    typeof custom === 'function'
      ? custom(arch, layer, { model, objective, seed }).map((m) => (m instanceof Int32Array ? m : packMapping(m)))
      : searchMappings(shapeContext(layer, template, model, effort, cache ?? createMappingCache()), template, objective, createRng(seed), effort);
  proposals.push(dramOnlyMapping(layer));

  // Each proposal is costed exactly on the arch itself (a few microseconds each, next to the search's
  // milliseconds), and the best by the objective wins.
  const evaluator = new MappingEvaluator(template, layer, cache?.workspace);
  let best: PackedMapping | undefined;
  let bestValue = Infinity;
  let firstProblem = '';
  for (const packed of proposals) {
    const problem = evaluator.check(packed);
    if (problem !== undefined) {
      firstProblem ||= describeProblem(problem);
      continue;
    }
    evaluator.evaluate(packed);
    const value = rankValue(objective, evaluator.cycles, evaluator.energy);
    if (value < bestValue) {
      bestValue = value;
      best = packed;
    }
  }
  if (best === undefined) throw new RangeError(`findMapping: no valid mapping of ${layerName(layer)} on ${JSON.stringify(arch)}: ${firstProblem}`);
  evaluator.check(best);
  evaluator.evaluate(best);
  const found: FoundMapping = { mapping: unpackMapping(best), packed: best, cost: costFromEvaluator(evaluator, estimateArea(arch)) };
  if (cache !== undefined && answerKey !== undefined) {
    if (cache.answers.size >= cache.maxAnswers) {
      const oldest = cache.answers.keys().next();
      if (!oldest.done) cache.answers.delete(oldest.value);
    }
    // The cache keeps its own copy and hands out copies: a caller editing its result cannot change the next answer.
    cache.answers.set(answerKey, copyOfFound(found));
  }
  return found;
}

function copyOfFound(found: FoundMapping): FoundMapping {
  return { mapping: structuredClone(found.mapping), packed: found.packed.slice(), cost: structuredClone(found.cost) };
}

/** Whether an arch is an `ArchSpec` (any accelerator) rather than the Simba template's `ArchConfig`. */
export function isArchSpec(arch: ArchConfig | ArchSpec): arch is ArchSpec {
  return 'levels' in arch;
}

/** Options of `findMapping` / `evaluateLayer` / `evaluateNetwork` on an `ArchSpec`: the generic search's, or the MIP's. */
export interface ArchMappingOptions extends GenericMappingOptions {
  /**
   * `'search'` (default: `findGenericMapping`) or `'mip'` (CoSA's MIP: `findGenericMappingMip`, needs
   * `mipSolver`; `seed`, `effort` and `cache` do not apply to it).
   */
  readonly mapper?: MapperName;
  /** The loaded HiGHS solver (`await loadMipSolver()`) that `mapper: 'mip'` needs. */
  readonly mipSolver?: MipSolver;
  /** HiGHS wall-clock limit per layer for `mapper: 'mip'`, seconds (default `DEFAULT_MIP_TIME_LIMIT_SECONDS`). */
  readonly timeLimitSeconds?: number;
}

/**
 * The chosen mapper's best mapping of `problem` on any `arch`: the generic search, or with `mapper: 'mip'`
 * CoSA's MIP. Invalid input (an unknown mapper, `'mip'` without a solver) comes back as `InvalidInput`,
 * nothing that fits as `Infeasible`.
 */
export function findArchMapping(arch: ArchSpec, problem: Problem, options: ArchMappingOptions = {}): E.Either<VaesaError, GenericFoundMapping> {
  const mapper = options.mapper ?? 'search';
  if (mapper === 'search') return findGenericMapping(arch, problem, options);
  if (mapper !== 'mip') return E.left(invalidInput('mapper', typeof mapper === 'function' ? 'a function' : mapper, `on an ArchSpec the mapper is one of ${MAPPER_NAMES.join(', ')}`));
  const { mipSolver } = options;
  if (mipSolver === undefined) return E.left(invalidInput('mipSolver', mipSolver, "mapper 'mip' needs options.mipSolver (from await loadMipSolver())"));
  return E.map(({ mapping, cost }: GenericFoundMapping): GenericFoundMapping => ({ mapping, cost }))(
    findGenericMappingMip(arch, problem, { mipSolver, objective: options.objective, constraints: options.constraints, timeLimitSeconds: options.timeLimitSeconds }),
  );
}

/**
 * The best mapping of a layer on an arch. On the Simba template (`ArchConfig` + `ConvLayer`): the
 * chosen mapper (default the tuned `'search'`), as `findSimbaMapping`, throwing a RangeError for an
 * invalid arch or layer. On any `ArchSpec` with any problem (a `ConvLayer` is read as a `conv2d`
 * problem): the generic search (`findGenericMapping`) or with `mapper: 'mip'` CoSA's MIP
 * (`findGenericMappingMip`), returning `Left` for invalid input or an `Infeasible` problem.
 */
export function findMapping(arch: ArchConfig, layer: ConvLayer, options?: FindMappingOptions): FoundMapping;
export function findMapping(arch: ArchSpec, layer: Layer, options?: ArchMappingOptions): E.Either<VaesaError, GenericFoundMapping>;
export function findMapping(
  arch: ArchConfig | ArchSpec,
  layer: Layer,
  options: FindMappingOptions | ArchMappingOptions = {},
): FoundMapping | E.Either<VaesaError, GenericFoundMapping> {
  if (isArchSpec(arch)) return findArchMapping(arch, layerProblem(layer), options as ArchMappingOptions);
  if (isProblem(layer)) throw new RangeError('findMapping: a Problem on the Simba ArchConfig is mapped per lowered convolution (evaluateLayer lowers it), or pass simbaArch(config) for the generic mapper');
  return findSimbaMapping(arch, layer, options as FindMappingOptions);
}
