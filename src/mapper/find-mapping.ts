import type { Objective } from '../common/objective';
import * as E from 'fp-ts/Either';
import { decodeWith, invalidInput, type VaesaError } from '../common/errors';
import { createRng } from '../common/rng';
import type { ArchSpec } from '../costmodel/spec';
import type { Problem } from '../workload/problem';
import { isProblem, layerProblem, type Layer } from '../workload/lower';
import { findGenericMapping, type GenericFoundMapping, type GenericMappingOptions } from './generic/find-mapping';
import type { ArchConfig } from '../hardware/arch';
import { parseDesign, simbaSpace } from '../hardware/space';
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

const COST_MODEL_NAMES: readonly CostModelName[] = ['pat', 'accelergy'];
const MAPPER_NAMES: readonly MapperName[] = ['search', 'mip'];

/** `value` when it is one of `choices`, else a Left naming the option (an unknown name used to fall back to a default silently). */
function checkChoice(option: string, value: unknown, choices: readonly string[]): E.Either<VaesaError, void> {
  return choices.includes(value as string) ? E.right(undefined) : E.left(invalidInput(`options.${option}`, value, `must be one of ${choices.join(', ')}`));
}

/** A Left for an unknown model, objective or mapper name or a non-finite seed (no silent defaults). */
export function checkMappingOptions(options: Pick<FindMappingOptions, 'model' | 'objective' | 'mapper' | 'seed' | 'effort'>): E.Either<VaesaError, void> {
  const checks: (() => E.Either<VaesaError, unknown>)[] = [
    () => (options.model === undefined ? E.right(undefined) : checkChoice('model', options.model, COST_MODEL_NAMES)),
    () => (options.objective === undefined ? E.right(undefined) : checkChoice('objective', options.objective, OBJECTIVES)),
    () => (options.mapper === undefined || typeof options.mapper === 'function' ? E.right(undefined) : checkChoice('mapper', options.mapper, MAPPER_NAMES)),
    () => (options.seed === undefined || Number.isFinite(options.seed) ? E.right(undefined) : E.left(invalidInput('options.seed', options.seed, 'must be a finite number'))),
    () => resolveEffort(options.effort),
  ];
  for (const check of checks) {
    const result = check();
    if (E.isLeft(result)) return result;
  }
  return E.right(undefined);
}

/**
 * The arch as a design of Simba's space (every parameter on its grid: `macs` a multiple of 128 up to
 * 4096, `meshX` a power of two...), named by field and value when it is not.
 */
export function checkSimbaArch(arch: ArchConfig): E.Either<VaesaError, ArchConfig> {
  return parseDesign(simbaSpace, arch, 'arch');
}

function checkSimbaLayer(layer: ConvLayer): E.Either<VaesaError, ConvLayer> {
  return decodeWith(ConvLayerCodec, layer, 'layer');
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

/** The effort an option names or gives, or a Left naming the bad name or knob. */
function resolveEffort(effort: SearchEffort | SearchEffortName | undefined): E.Either<VaesaError, SearchEffort> {
  if (effort === undefined) return E.right(DEFAULT_SEARCH_EFFORT);
  if (typeof effort === 'string') {
    if (!Object.prototype.hasOwnProperty.call(SEARCH_EFFORTS, effort)) {
      return E.left(invalidInput('options.effort', effort, `must be one of ${Object.keys(SEARCH_EFFORTS).join(', ')} or a SearchEffort`));
    }
    return E.right(SEARCH_EFFORTS[effort]);
  }
  for (const knob of Object.keys(DEFAULT_SEARCH_EFFORT) as (keyof SearchEffort)[]) {
    const value = effort[knob];
    const least = knob === 'unrollings' || knob === 'finalists' || knob === 'poolMacCounts' || knob === 'poolProfiles' ? 1 : 0;
    if (!(Number.isInteger(value) && value >= least)) return E.left(invalidInput(`options.effort.${knob}`, value, `must be an integer >= ${least}`));
  }
  return E.right(effort);
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

/** `FindMappingOptions` with defaults applied and every value checked. */
export interface ResolvedMappingOptions {
  readonly model: CostModelName;
  readonly objective: Objective;
  readonly seed: number;
  readonly effort: SearchEffort;
  readonly mapper: MapperName | MapperFunction;
  readonly cache?: MappingCache;
  readonly mipSolver?: MipSolver;
}

/** The options with defaults applied, or a Left naming the first bad option and its value. */
export function resolveMappingOptions(options: FindMappingOptions): E.Either<VaesaError, ResolvedMappingOptions> {
  const checked = checkMappingOptions(options);
  if (E.isLeft(checked)) return checked;
  const mapper = options.mapper ?? 'search';
  if (mapper === 'mip' && options.mipSolver === undefined) {
    return E.left(invalidInput('options.mipSolver', undefined, "mapper 'mip' needs the loaded solver (options.mipSolver = await loadMipSolver())"));
  }
  const effort = resolveEffort(options.effort);
  if (E.isLeft(effort)) return effort;
  return E.right({
    model: options.model ?? 'pat',
    objective: options.objective ?? 'edp',
    seed: options.seed ?? 0,
    effort: effort.right,
    mapper,
    ...(options.cache === undefined ? {} : { cache: options.cache }),
    ...(options.mipSolver === undefined ? {} : { mipSolver: options.mipSolver }),
  });
}

/**
 * The best mapping the chosen mapper finds for `layer` on `arch` (default: the `'search'` mapper, objective
 * EDP, setup `'pat'`), costed exactly; `Left` for an arch off Simba's grid, an invalid layer or option, or
 * (`Infeasible`) when not even one word of each tensor fits the buffers.
 */
export function findSimbaMapping(arch: ArchConfig, layer: ConvLayer, options: FindMappingOptions = {}): E.Either<VaesaError, FoundMapping> {
  const checkedArch = checkSimbaArch(arch);
  if (E.isLeft(checkedArch)) return checkedArch;
  const checkedLayer = checkSimbaLayer(layer);
  if (E.isLeft(checkedLayer)) return checkedLayer;
  const resolved = resolveMappingOptions(options);
  if (E.isLeft(resolved)) return resolved;
  return mapSimbaLayer(arch, layer, resolved.right);
}

/**
 * `findSimbaMapping` for inputs already checked (a design of Simba's space, a valid layer, resolved
 * options): the search and exact costing without the checks, for the evaluator's hot loop.
 */
export function mapSimbaLayer(arch: ArchConfig, layer: ConvLayer, options: ResolvedMappingOptions): E.Either<VaesaError, FoundMapping> {
  const { model, objective, seed, effort, mapper, cache } = options;
  const answerKey =
    cache !== undefined && typeof mapper === 'string'
      ? [model, objective, seed, mapper, effortKey(effort), layerName(layer), arch.meshX, arch.macs, arch.accumulationBuffer, arch.weightBuffer, arch.inputBuffer, arch.globalBuffer].join('|')
      : undefined;
  if (answerKey !== undefined) {
    const hit = cache?.answers.get(answerKey);
    if (hit !== undefined) return E.right(copyOfFound(hit));
  }
  const template = buildArchTemplate(arch, { model });
  const custom = mapper === 'mip' ? mipMapper(requireSolver(options.mipSolver)) : mapper;
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
  if (best === undefined) return E.left({ _tag: 'Infeasible', message: `no valid mapping of ${layerName(layer)} on ${JSON.stringify(arch)}: ${firstProblem}` });
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
  return E.right(found);
}

function requireSolver(solver: MipSolver | undefined): MipSolver {
  if (solver === undefined) throw new Error("mapSimbaLayer: mapper 'mip' without a solver (resolveMappingOptions checks it)");
  return solver;
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
  /** HiGHS wall-clock limit per solve for `mapper: 'mip'`, seconds (default `DEFAULT_MIP_TIME_LIMIT_SECONDS`); a layer takes one or two solves. */
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
 * The best mapping of a layer on an arch, or a `Left` naming the bad field and value (an unknown option,
 * an arch off Simba's grid, an invalid layer) or `Infeasible` when nothing fits. On the Simba template
 * (`ArchConfig` + `ConvLayer`): the chosen mapper (default the tuned `'search'`), as `findSimbaMapping`.
 * On any `ArchSpec` with any problem (a `ConvLayer` is read as a `conv2d` problem): the generic search
 * (`findGenericMapping`) or with `mapper: 'mip'` CoSA's MIP (`findGenericMappingMip`).
 *
 * @example
 * ```ts
 * import { findMapping, simbaDefaultArch, convLayer, formatError } from 'vaesa';
 * const found = findMapping(simbaDefaultArch, convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 256, K: 256, N: 1 }), { objective: 'latency' });
 * if (found._tag === 'Left') throw new Error(formatError(found.left));
 * console.log(found.right.cost.cycles, found.right.mapping);
 * ```
 */
export function findMapping(arch: ArchConfig, layer: ConvLayer, options?: FindMappingOptions): E.Either<VaesaError, FoundMapping>;
export function findMapping(arch: ArchSpec, layer: Layer, options?: ArchMappingOptions): E.Either<VaesaError, GenericFoundMapping>;
export function findMapping(
  arch: ArchConfig | ArchSpec,
  layer: Layer,
  options: FindMappingOptions | ArchMappingOptions = {},
): E.Either<VaesaError, FoundMapping | GenericFoundMapping> {
  if (isArchSpec(arch)) return findArchMapping(arch, layerProblem(layer), options as ArchMappingOptions);
  if (isProblem(layer)) {
    return E.left(invalidInput('layer', layer, 'a Problem on the Simba ArchConfig is mapped per lowered convolution (evaluateLayer lowers it), or pass simbaArch(config) for the generic mapper'));
  }
  return findSimbaMapping(arch, layer, options as FindMappingOptions);
}
