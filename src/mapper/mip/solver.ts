/**
 * The HiGHS edge: loading its WebAssembly runtime (asynchronous, once) and solving a `LinearProgram`
 * with it (synchronous). HiGHS is imported lazily, so bundles that never use the MIP mapper do not load it.
 *
 * Where the `.wasm` comes from: in Node, the `highs` package's loader reads `highs.wasm` beside itself
 * (CommonJS: `__dirname`; ES module: `import.meta.url`), i.e. from `node_modules/highs/build`, with no
 * network. In a browser bundle (package.json's `browser` field maps `highs` to dist/highs-browser.mjs, the same
 * loader without its Node branch), it fetches `new URL('highs.wasm', import.meta.url)`, which
 * Vite, webpack 5 and Parcel emit as an asset (esbuild does not: copy the file beside the bundle); any other
 * setup passes `loadMipSolver` the bytes (`wasmBinary`), a compiled module (`wasmModule`) or a `locateFile`.
 */
import * as E from 'fp-ts/Either';
import type { Highs, InitOptions, ModelData } from 'highs';
import type { VaesaError } from '../../common/errors';
import type { LinearProgram } from './linear-program';

/** A loaded HiGHS runtime; get one with `loadMipSolver` and reuse it for every solve. */
export interface MipSolver {
  readonly highs: Highs;
}

/**
 * Where the HiGHS WebAssembly binary comes from when the default lookup (see the module comment) does not
 * fit. The first given of `wasmModule`, `wasmBinary`, `locateFile` is used; with `wasmModule` or
 * `wasmBinary` nothing is fetched or read.
 */
export interface MipSolverLoadOptions {
  /** `highs.wasm` already compiled, a `WebAssembly.Module` (e.g. shared by several loads, or by a Worker's creator). */
  readonly wasmModule?: CompiledWasmModule;
  /** The bytes of `highs.wasm` (e.g. fetched by the app, or imported by a bundler as binary). */
  readonly wasmBinary?: ArrayBuffer | ArrayBufferView;
  /** The URL (browser) or path (Node) to read `file` (`'highs.wasm'`) from, e.g. a bundler's asset URL. */
  readonly locateFile?: (file: string) => string;
}

/**
 * Emscripten's hook for instantiating the binary itself. highs 1.15 declares `wasmBinary` and
 * `wasmModule` in its `InitOptions` but its build ignores them (it reads the file anyway); this hook it honours.
 */
interface EmscriptenInstantiateHook {
  instantiateWasm(imports: object, receiveInstance: (instance: object) => void): Record<string, never>;
}

/**
 * A compiled `WebAssembly.Module`, typed structurally: the project's `lib` (ES2022 without DOM) has no
 * WebAssembly typings, and the published declarations must not depend on a user's `lib` or `@types/node`.
 */
export type CompiledWasmModule = object;

/** The slice of the WebAssembly JS API used here. */
interface WebAssemblyApi {
  /** Bytes give `{ module, instance }`, a compiled module gives the instance. */
  instantiate(source: CompiledWasmModule | ArrayBuffer | ArrayBufferView, imports: object): Promise<object>;
}

async function instantiate(source: CompiledWasmModule | ArrayBuffer | ArrayBufferView, imports: object): Promise<object> {
  const wasm = (globalThis as unknown as { readonly WebAssembly: WebAssemblyApi }).WebAssembly;
  const result = await wasm.instantiate(source, imports);
  // Told apart by shape, not `instanceof`, which fails for bytes from another realm (a Worker, a vm context).
  return 'instance' in result && typeof result.instance === 'object' && result.instance !== null ? result.instance : result;
}

function startHighs(load: (options: InitOptions) => Promise<Highs>, options: MipSolverLoadOptions): Promise<Highs> {
  const source = options.wasmModule ?? options.wasmBinary;
  if (source === undefined) return load(options.locateFile === undefined ? {} : { locateFile: options.locateFile });
  return new Promise<Highs>((resolve, reject) => {
    const init: InitOptions & EmscriptenInstantiateHook = {
      instantiateWasm(imports, receiveInstance) {
        // Emscripten waits for receiveInstance forever; a failed instantiation must reject the load itself.
        instantiate(source, imports).then(receiveInstance).catch(reject);
        return {};
      },
    };
    load(init).then(resolve, reject);
  });
}

/**
 * Loads HiGHS once (about 0.2 s in Node). Resolves to an `IoError` naming `highs.wasm` when the
 * runtime cannot be found or instantiated (never rejects).
 */
export async function loadMipSolver(options: MipSolverLoadOptions = {}): Promise<E.Either<VaesaError, MipSolver>> {
  try {
    const module = await import('highs');
    const highs = await startHighs(module.default, options);
    return E.right({ highs });
  } catch (e) {
    return E.left({ _tag: 'IoError', path: 'highs.wasm', message: `cannot load the HiGHS solver: ${e instanceof Error ? e.message : String(e)}` });
  }
}

export interface SolveOptions {
  /** Wall-clock limit for HiGHS, seconds. */
  readonly timeLimitSeconds: number;
  /** Relative optimality gap at which HiGHS stops (its default is 1e-4). */
  readonly relativeGap?: number;
}

/** How a solve ended. */
export type SolveOutcome =
  | {
      readonly _tag: 'Solved';
      readonly values: Float64Array;
      readonly objective: number;
      /** False when the time limit stopped HiGHS with a feasible, unproven solution. */
      readonly optimal: boolean;
      readonly seconds: number;
    }
  | { readonly _tag: 'Infeasible'; readonly seconds: number }
  | { readonly _tag: 'Timeout'; readonly seconds: number }
  | { readonly _tag: 'SolverError'; readonly message: string };

/** HiGHS model status codes (`highs.constants.modelStatus`) this module distinguishes. */
const STATUS = { optimal: 7, infeasible: 8, unboundedOrInfeasible: 9, timeLimit: 13, iterationLimit: 14, solutionLimit: 16, interrupted: 17 } as const;
/** HiGHS `primal_solution_status` of a feasible point. */
const FEASIBLE_SOLUTION = 2;

/**
 * HiGHS settings for small, tight mapping programs: its primal heuristics (sub-MIPs, feasibility jump,
 * restarts) cost more than the branching they save here (measured in `bench/mip.ts`).
 */
const SMALL_MIP_OPTIONS = {
  output_flag: false,
  mip_heuristic_effort: 0,
  mip_allow_restart: false,
  mip_heuristic_run_rins: false,
  mip_heuristic_run_rens: false,
  mip_heuristic_run_feasibility_jump: false,
  mip_heuristic_run_root_reduced_cost: false,
} as const;

function toModelData(highs: Highs, lp: LinearProgram): ModelData {
  const finite = (a: Float64Array): Float64Array => a.map((v) => (v === Infinity ? highs.infinity : v === -Infinity ? -highs.infinity : v));
  return {
    numCols: lp.numCols,
    numRows: lp.numRows,
    colCost: lp.colCost,
    colLower: finite(lp.colLower),
    colUpper: finite(lp.colUpper),
    rowLower: finite(lp.rowLower),
    rowUpper: finite(lp.rowUpper),
    matrix: { format: 'csr', numRows: lp.numRows, numCols: lp.numCols, starts: lp.starts, indices: lp.indices, values: lp.values },
    integrality: lp.integrality as ModelData['integrality'],
  };
}

/** Solves `lp` (minimisation) with HiGHS. Never throws for solver trouble: it becomes `SolverError`. */
export function solveProgram(solver: MipSolver, lp: LinearProgram, options: SolveOptions): SolveOutcome {
  const { highs } = solver;
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  let model: ReturnType<Highs['createModel']> | undefined;
  try {
    model = highs.createModel(toModelData(highs, lp));
    model.options.set({ ...SMALL_MIP_OPTIONS, time_limit: Math.max(0, options.timeLimitSeconds), mip_rel_gap: options.relativeGap ?? 1e-4 });
    model.run();
    const status: number = model.getModelStatus();
    const hasSolution = model.info.get('primal_solution_status') === FEASIBLE_SOLUTION;
    if (status === STATUS.optimal || (hasSolution && isLimit(status))) {
      return { _tag: 'Solved', values: Float64Array.from(model.getSolution().colValue), objective: model.getObjectiveValue(), optimal: status === STATUS.optimal, seconds: seconds() };
    }
    if (status === STATUS.infeasible || status === STATUS.unboundedOrInfeasible) return { _tag: 'Infeasible', seconds: seconds() };
    if (isLimit(status)) return { _tag: 'Timeout', seconds: seconds() };
    return { _tag: 'SolverError', message: `HiGHS ended with model status ${status}` };
  } catch (e) {
    return { _tag: 'SolverError', message: `HiGHS failed: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    model?.dispose();
  }
}

function isLimit(status: number): boolean {
  return status === STATUS.timeLimit || status === STATUS.iterationLimit || status === STATUS.solutionLimit || status === STATUS.interrupted;
}
