/**
 * Kernels' inner loops as about 5 KB of WebAssembly that work directly in the wasm backend's
 * memory: Adam's update (SIMD, four lanes at a time), a tiled matrix transpose and a SIMD matrix
 * product. JavaScript loops over that memory are slow on this machine (V8 does not vectorise):
 * Adam's loop costs ~7-10 ns per number (each number reads four arrays and writes three), three
 * times the wasm backend's 12 SIMD ops; here it costs about half a nanosecond, and the transpose
 * half of the JavaScript tiled copy's time (`npx tsx bench/train.ts adam` and `speed` print both).
 * The product beats the backend's own (XNNPACK) on the training step's shapes, more so with weights
 * that change every call (`speed` prints each product of a step).
 *
 * The module is assembled here from named opcodes (WebAssembly binary format 1.0 with the SIMD
 * proposal, standard since Node 16.4) and instantiated on the backend's own `WebAssembly.Memory`,
 * so the functions read their inputs and write their outputs where the backend keeps them: no copies.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type * as tf from '@tensorflow/tfjs-core';

/** The scalars of one Adam update: the moments' decay rates, the bias-corrected step size and epsilon. */
export interface AdamUpdateScalars {
  readonly beta1: number;
  readonly beta2: number;
  readonly stepSize: number;
  readonly epsilon: number;
}

/** One variable's update: reads x, g, m, v and writes x', m', v' (new tensors of the same size). */
export type WasmAdamUpdate = (
  inputs: { x: tf.TensorInfo; g: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo },
  outputs: { x: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo },
  scalars: AdamUpdateScalars,
) => void;

type AdamExport = (
  x: number,
  g: number,
  m: number,
  v: number,
  xOut: number,
  mOut: number,
  vOut: number,
  count: number,
  beta1: number,
  oneMinusBeta1: number,
  beta2: number,
  oneMinusBeta2: number,
  stepSize: number,
  epsilon: number,
) => void;

/**
 * The part of the WebAssembly JavaScript API used here (this package compiles against the ES2022 lib
 * without DOM types, which declare it); Node has provided it since v8.
 */
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, object>>) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
  instantiate(bytes: Uint8Array, imports: Record<string, Record<string, object>>): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

const webAssembly = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

interface ModuleExports {
  readonly adam: AdamExport;
  readonly transpose: (src: number, dst: number, rows: number, cols: number) => void;
  readonly gemm: (...args: number[]) => void;
}

const instances = new WeakMap<object, ModuleExports | null>();

/**
 * The module's functions bound to `backend`'s memory, or undefined when `backend` is not the wasm
 * backend, does not expose its memory (`wasm.asm.memory`, Emscripten's export) or the runtime
 * lacks WebAssembly SIMD.
 */
function moduleFor(backend: object): ModuleExports | undefined {
  const memory = backendMemory(backend);
  if (webAssembly === undefined || memory === undefined) return undefined;
  if (!instances.has(memory)) instances.set(memory, instantiate(webAssembly, memory));
  return instances.get(memory) ?? undefined;
}

/**
 * Compiles and instantiates the module for `backend` asynchronously, so that the kernels are
 * available where synchronous compilation is refused: a browser's main thread does not compile a
 * module over 4 KB synchronously (this one is about 5 KB), and there the kernels would otherwise fall
 * back to the tfjs ops. `useBackend('wasm')` and `trainVaesa` call it; in Node (and in workers) the
 * synchronous path works as well. Resolves to whether the kernels are available on `backend`.
 */
export async function prepareWasmKernels(backend: object): Promise<boolean> {
  const memory = backendMemory(backend);
  if (webAssembly === undefined || memory === undefined) return false;
  if (instances.get(memory)) return true;
  const bytes = moduleBytes(MODULE_FUNCTIONS);
  let exports: ModuleExports | null = null;
  if (webAssembly.validate(bytes)) {
    try {
      exports = (await webAssembly.instantiate(bytes, { env: { memory } })).instance.exports as unknown as ModuleExports;
    } catch {
      exports = null;
    }
  }
  instances.set(memory, exports);
  return exports !== null;
}

function offsetOf(backend: object, t: tf.TensorInfo): number {
  return (backend as BackendWasm).getMemoryOffset(t.dataId);
}

/** The SIMD Adam update in `backend`'s memory; undefined as `moduleFor` (callers then use their JavaScript loop). */
export function wasmAdamUpdate(backend: object): WasmAdamUpdate | undefined {
  const adam = moduleFor(backend)?.adam;
  if (adam === undefined) return undefined;
  const at = (t: tf.TensorInfo) => offsetOf(backend, t);
  return (inputs, outputs, { beta1, beta2, stepSize, epsilon }) => {
    const count = inputs.x.shape.reduce((a, b) => a * b, 1);
    adam(at(inputs.x), at(inputs.g), at(inputs.m), at(inputs.v), at(outputs.x), at(outputs.m), at(outputs.v), count, beta1, 1 - beta1, beta2, 1 - beta2, stepSize, epsilon);
  };
}

/** Writes the transpose of the [rows x cols] float32 matrix `x` into `out` in `backend`'s memory; undefined as `moduleFor`. */
export function wasmTranspose(backend: object): ((x: tf.TensorInfo, out: tf.TensorInfo) => void) | undefined {
  const transpose = moduleFor(backend)?.transpose;
  if (transpose === undefined) return undefined;
  return (x, out) => transpose(offsetOf(backend, x), offsetOf(backend, out), x.shape[0], x.shape[1]);
}

/**
 * From this many rows of C, a transposed A is first copied (the tiled transpose) into the scratch
 * block as [m x k] rather than read in place: its k-th row starts m floats after the (k-1)-th, and
 * from 4 KB apart every step of k touches another page and the same cache set. Measured once
 * (28 Nov, load ~1.3, both forms timed by a throwaway script): Aᵀ·B for A [64 x 1024] and B
 * [64 x 1024] 26 GFLOP/s in place, 47 copied (A [64 x 2048]: 25 and 48); A [128 x 256], B
 * [128 x 256]: 51 in place, 46 copied; A [64 x 512]: 45 either way.
 */
const TRANSPOSED_A_COPY_MIN_ROWS = 1024;

/** How `wasmMatMul` reads its operands: either may be read transposed; a bias row may be added. */
export interface MatMulOperands {
  readonly a: tf.TensorInfo;
  readonly b: tf.TensorInfo;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly bias?: tf.TensorInfo;
  /** When given, each output x becomes max(x, 0) + rectifierSlope · min(x, 0): ReLU for 0, LeakyReLU otherwise. */
  readonly rectifierSlope?: number;
  /** When given, receives 1ᵀ · op(B), the sums of op(B)'s columns (summed from the copied panels: one pass over B). */
  readonly columnSumsOut?: tf.TensorInfo;
}

/**
 * C = op(A) · op(B) (+ bias on every row, then optionally rectified) for float32 row-major matrices
 * in `backend`'s memory, op being the transpose where asked; `out` is C [m x n]. A register-blocked
 * SIMD product (4 x 8 outputs per step, multiply then add: relaxed SIMD's FMA is not on by default
 * in Node 20) that reads a transposed operand where it lies, so no transpose precedes it. B is
 * copied panel by panel (8 columns, every k) into a contiguous scratch block the micro-kernel then
 * reads 32 bytes per k: reading B in place was up to 25% slower (its rows 1 KB apart share a few
 * cache sets). Each block of 4 rows is multiplied with two panels in turn, so whole 64-byte lines
 * of C are written together (one panel at a time ran [64x6]·[6x1024] at 16 GFLOP/s, C's rows 4 KB
 * apart: now 31). A transposed A of 1,024 rows or more is copied first
 * (`TRANSPOSED_A_COPY_MIN_ROWS`). Undefined as `moduleFor`.
 */
export function wasmMatMul(backend: object): ((operands: MatMulOperands, out: tf.TensorInfo) => void) | undefined {
  const module = moduleFor(backend);
  if (module === undefined) return undefined;
  const { gemm, transpose } = module;
  const wasm = backend as BackendWasm;
  return ({ a, b, transposeA, transposeB, bias, rectifierSlope, columnSumsOut }, out) => {
    const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const n = transposeB ? b.shape[0] : b.shape[1];
    const copyA = transposeA && m >= TRANSPOSED_A_COPY_MIN_ROWS;
    const scratch = wasm.makeOutput([matMulScratchBytes(k) / 4 + (copyA ? m * k : 0)], 'float32');
    const at = (t: tf.TensorInfo) => offsetOf(backend, t);
    let aAt = at(a);
    if (copyA) {
      const copied = at(scratch) + matMulScratchBytes(k);
      transpose(aAt, copied, k, m);
      aAt = copied;
    }
    // byte strides of A(i, k) along i and k, and of B(k, j) along k and j
    const [aRow, aK] = transposeA && !copyA ? [4, 4 * m] : [4 * k, 4];
    const [bK, bCol] = transposeB ? [4, 4 * k] : [4 * n, 4];
    gemm(aAt, at(b), at(out), bias === undefined ? 0 : at(bias), at(scratch), m, k, n, aRow, aK, bK, bCol, rectifierSlope === undefined ? 0 : 1, rectifierSlope ?? 0, columnSumsOut === undefined ? 0 : at(columnSumsOut));
    wasm.disposeData(scratch.dataId);
  };
}

function backendMemory(backend: object): object | undefined {
  if (webAssembly === undefined || !('getMemoryOffset' in backend) || !('wasm' in backend)) return undefined;
  const module = (backend as { wasm: unknown }).wasm;
  if (typeof module !== 'object' || module === null || !('asm' in module)) return undefined;
  const exports = (module as { asm: unknown }).asm;
  if (typeof exports !== 'object' || exports === null || !('memory' in exports)) return undefined;
  const memory = (exports as { memory: unknown }).memory;
  return memory instanceof webAssembly.Memory ? memory : undefined;
}

/**
 * The module on `memory`, or null when the runtime rejects it: no SIMD (validation fails), or a
 * memory the module's unshared import does not accept (the threaded wasm build's shared memory).
 */
function instantiate(api: WebAssemblyApi, memory: object): ModuleExports | null {
  const bytes = moduleBytes(MODULE_FUNCTIONS);
  if (!api.validate(bytes)) return null;
  try {
    return new api.Instance(new api.Module(bytes), { env: { memory } }).exports as unknown as ModuleExports;
  } catch {
    return null;
  }
}

// --- assembling the module ------------------------------------------------------------------

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  get: (local: number) => [0x20, local],
  set: (local: number) => [0x21, local],
  i32Const: (value: number) => [0x41, ...sleb128(value)],
  i32Add: [0x6a],
  i32And: [0x71],
  i32Shl: [0x74],
  i32Mul: [0x6c],
  i32LtU: [0x49],
  select: [0x1b],
  i32Load: [0x28, 2, 0],
  i32Store: [0x36, 2, 0],
  i32GeU: [0x4f],
};

/** The arithmetic of one lane type: float32 scalars or four-lane float32 vectors (SIMD prefix 0xfd). */
interface Lanes {
  readonly bytes: number;
  readonly load: number[];
  readonly store: number[];
  readonly add: number[];
  readonly sub: number[];
  readonly mul: number[];
  readonly div: number[];
  readonly sqrt: number[];
}

const simd = (code: number) => [0xfd, ...uleb128(code)];
const SCALAR: Lanes = { bytes: 4, load: [0x2a, 2, 0], store: [0x38, 2, 0], add: [0x92], sub: [0x93], mul: [0x94], div: [0x95], sqrt: [0x91] };
const VECTOR: Lanes = {
  bytes: 16,
  load: [...simd(0x00), 4, 0],
  store: [...simd(0x0b), 4, 0],
  add: simd(0xe4),
  sub: simd(0xe5),
  mul: simd(0xe6),
  div: simd(0xe7),
  sqrt: simd(0xe3),
};

// Parameters: byte offsets x, g, m, v, xOut, mOut, vOut; count; beta1, 1-beta1, beta2, 1-beta2, stepSize, epsilon.
const [X, G, M, V, X_OUT, M_OUT, V_OUT, COUNT] = [0, 1, 2, 3, 4, 5, 6, 7];
const SCALARS = [8, 9, 10, 11, 12, 13];
const PARAMS = [I32, I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32];
// Locals: byte position, end of the vector part, end; the six scalars splatted to vectors; g, m', v' per lane type.
const [POS, VECTOR_END, END] = [14, 15, 16];
const SPLATS = [17, 18, 19, 20, 21, 22];
const LANE_LOCALS = { vector: { g: 23, m: 24, v: 25 }, scalar: { g: 26, m: 27, v: 28 } };
const LOCALS: [number, number][] = [
  [3, I32],
  [9, V128],
  [3, F32],
];

/**
 * One loop over byte positions from `start` to `end` in steps of `lanes.bytes`, each step computing
 * m' = m*b1 + g*(1-b1), v' = v*b2 + (g*g)*(1-b2), x' = x - step*(m' / (sqrt(v') + eps)),
 * every operation rounded to float32 in that order (as the JavaScript kernel and the tfjs ops).
 */
function updateLoop(lanes: Lanes, start: readonly number[], end: number, scalars: readonly number[], locals: { g: number; m: number; v: number }): number[] {
  const [b1, c1, b2, c2, step, eps] = scalars;
  const addressOf = (array: number) => [...op.get(array), ...op.get(POS), ...op.i32Add];
  const load = (array: number) => [...addressOf(array), ...lanes.load];
  return forLoop(POS, start, end, lanes.bytes, [
    ...load(G), ...op.set(locals.g),
    ...load(M), ...op.get(b1), ...lanes.mul, ...op.get(locals.g), ...op.get(c1), ...lanes.mul, ...lanes.add, ...op.set(locals.m),
    ...load(V), ...op.get(b2), ...lanes.mul, ...op.get(locals.g), ...op.get(locals.g), ...lanes.mul, ...op.get(c2), ...lanes.mul, ...lanes.add, ...op.set(locals.v),
    ...addressOf(M_OUT), ...op.get(locals.m), ...lanes.store,
    ...addressOf(V_OUT), ...op.get(locals.v), ...lanes.store,
    ...addressOf(X_OUT),
    ...load(X), ...op.get(step), ...op.get(locals.m), ...op.get(locals.v), ...lanes.sqrt, ...op.get(eps), ...lanes.add, ...lanes.div, ...lanes.mul, ...lanes.sub,
    ...lanes.store,
  ]);
}

function adamBody(): number[] {
  const splat = SCALARS.flatMap((param, i) => [...op.get(param), ...simd(0x13), ...op.set(SPLATS[i])]); // f32x4.splat
  return [
    ...op.get(COUNT), ...op.i32Const(-4), ...op.i32And, ...op.i32Const(2), ...op.i32Shl, ...op.set(VECTOR_END),
    ...op.get(COUNT), ...op.i32Const(2), ...op.i32Shl, ...op.set(END),
    ...splat,
    ...updateLoop(VECTOR, op.i32Const(0), VECTOR_END, SPLATS, LANE_LOCALS.vector),
    // the numbers after the last multiple of four, from where the four-lane loop stopped
    ...updateLoop(SCALAR, op.get(POS), END, SCALARS, LANE_LOCALS.scalar),
    ...op.end,
  ];
}

/** A function of the module: its exported name, parameter and local types (`[count, type]` runs), body. */
interface WasmFunction {
  readonly name: string;
  readonly params: readonly number[];
  readonly locals: readonly (readonly [number, number])[];
  readonly body: readonly number[];
}

const ADAM: WasmFunction = { name: 'adam', params: PARAMS, locals: LOCALS, body: adamBody() };

/** `for (counter = start; counter < end; counter += step) body` over unsigned i32 locals. */
function forLoop(counter: number, start: readonly number[], end: number, step: number, body: readonly number[]): number[] {
  return [
    ...start, ...op.set(counter),
    ...op.block,
    ...op.loop,
    ...op.get(counter), ...op.get(end), ...op.i32GeU, ...op.brIf(1),
    ...body,
    ...op.get(counter), ...op.i32Const(step), ...op.i32Add, ...op.set(counter),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

/** `target = min(target + step, limit)` over unsigned i32 locals, with `target` first set to `from`. */
function tileEnd(target: number, from: number, step: number, limit: number): number[] {
  return [
    ...op.get(from), ...op.i32Const(step), ...op.i32Add, ...op.set(target),
    ...op.get(target), ...op.get(limit), ...op.get(target), ...op.get(limit), ...op.i32LtU, ...op.select, ...op.set(target),
  ];
}

/**
 * Side of the square tiles a transposition copies: a tile's destination rows stay in the first-level
 * cache (an untiled copy of [256x256] writes 256 rows 1 KB apart, which share a few cache sets).
 */
export const TRANSPOSE_TILE = 16;

// transpose(src, dst, rows, cols): dst[j][i] = src[i][j], float32 matrices at byte offsets src and dst.
const [SRC, DST, ROWS, COLS] = [0, 1, 2, 3];
const [COLUMN_STRIDE, FROM, TO, ROW_TILE, COL_TILE, ROW, COL, ROW_END, COL_END] = [4, 5, 6, 7, 8, 9, 10, 11, 12];
const byteOffset = (base: number, outer: number, stride: number, inner: number) => [
  ...op.get(base), ...op.get(outer), ...op.get(stride), ...op.i32Mul, ...op.get(inner), ...op.i32Add, ...op.i32Const(2), ...op.i32Shl, ...op.i32Add,
];
const TRANSPOSE: WasmFunction = {
  name: 'transpose',
  params: [I32, I32, I32, I32],
  locals: [[9, I32]],
  body: [
    ...op.get(ROWS), ...op.i32Const(2), ...op.i32Shl, ...op.set(COLUMN_STRIDE),
    ...forLoop(ROW_TILE, op.i32Const(0), ROWS, TRANSPOSE_TILE, [
      ...tileEnd(ROW_END, ROW_TILE, TRANSPOSE_TILE, ROWS),
      ...forLoop(COL_TILE, op.i32Const(0), COLS, TRANSPOSE_TILE, [
        ...tileEnd(COL_END, COL_TILE, TRANSPOSE_TILE, COLS),
        ...forLoop(ROW, op.get(ROW_TILE), ROW_END, 1, [
          ...byteOffset(SRC, ROW, COLS, COL_TILE), ...op.set(FROM),
          ...byteOffset(DST, COL_TILE, ROWS, ROW), ...op.set(TO),
          ...forLoop(COL, op.get(COL_TILE), COL_END, 1, [
            ...op.get(TO), ...op.get(FROM), ...op.i32Load, ...op.i32Store, // copies the bits as they are
            ...op.get(FROM), ...op.i32Const(4), ...op.i32Add, ...op.set(FROM),
            ...op.get(TO), ...op.get(COLUMN_STRIDE), ...op.i32Add, ...op.set(TO),
          ]),
        ]),
      ]),
    ]),
    ...op.end,
  ],
};

// --- the matrix product ---------------------------------------------------------------------

/**
 * Columns of C a panel covers: the micro-kernel's 8 columns are two four-lane vectors. Each panel of
 * B (k rows of 8 numbers, zero-padded when narrower) is first copied into a contiguous scratch block,
 * so the micro-kernel reads 32 consecutive bytes per k whether B is read directly or transposed.
 */
const MATMUL_PANEL = 8;

/** Rows of C one micro-kernel step computes: 4 rows x 8 columns = 8 vector accumulators (x86 has 16 vector registers). */
const MATMUL_ROWS = 4;

/** Scratch bytes `gemm` needs for inner dimension `k`: two panels' bias rows and packed panels, a 4 x 8 tile for narrow panels. */
function matMulScratchBytes(k: number): number {
  return 4 * MATMUL_PANEL * (2 * (k + 1) + MATMUL_ROWS);
}

// gemm(a, b, c, bias, scratch, m, k, n, aRowStride, aKStride, bKStride, bColStride, rectify, slope, columnSums):
// C[i][j] = bias[j] + sum_k A(i, k) B(k, j) for a row-major [m x n] C, with A(i, k) at a + i aRowStride + k aKStride
// and B(k, j) at b + k bKStride + j bColStride (byte strides: either operand read directly or transposed);
// bias 0 means none; with rectify 1, C[i][j] is then replaced by max(C, 0) + slope min(C, 0); unless
// columnSums is 0, the sums over k of B(k, j) are written there (n numbers).
const [GA, GB, GC, GBIAS, GSCRATCH, GM, GK, GN, A_ROW_STRIDE, A_K_STRIDE, B_K_STRIDE, B_COL_STRIDE, RECTIFY, SLOPE, COLUMN_SUMS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const [ROW_I, BPTR, TILE_TMP, A_PTR0, C_PTR, GCOL, GSRC, GDST] = [15, 16, 17, 18, 22, 23, 24, 25];
/** The locals of one of the two panels a row block is multiplied with: scratch block, first column, width, end of the packed panel. */
interface PanelSlot {
  readonly base: number;
  readonly j: number;
  readonly w: number;
  readonly end: number;
}
const SLOTS: readonly PanelSlot[] = [
  { base: 26, j: 27, w: 28, end: 29 },
  { base: 30, j: 31, w: 32, end: 33 },
];
const A_PTRS = [A_PTR0, A_PTR0 + 1, A_PTR0 + 2, A_PTR0 + 3];
const ACCUMULATORS = [34, 35, 36, 37, 38, 39, 40, 41]; // row r, vector c at 2 r + c
const [B_LOW, B_HIGH, A_SPLAT, SLOPE_SPLAT] = [42, 43, 44, 45];

/** `op` and the further opcodes the product needs. */
const ops = {
  ...op,
  if: [0x04, 0x40],
  else: [0x05],
  i32Sub: [0x6b],
  i32Eq: [0x46],
  i32Ne: [0x47],
  i32GtU: [0x4b],
  i32LtU: [0x49],
  i32Eqz: [0x45],
  f32Load: (offset: number) => [0x2a, 2, ...uleb128(offset)],
  f32Store: (offset: number) => [0x38, 2, ...uleb128(offset)],
  i32LoadAt: (offset: number) => [0x28, 2, ...uleb128(offset)],
  i32StoreAt: (offset: number) => [0x36, 2, ...uleb128(offset)],
  v128Load: (offset: number) => [...simd(0x00), 4, ...uleb128(offset)],
  v128Store: (offset: number) => [...simd(0x0b), 4, ...uleb128(offset)],
  loadSplat: (offset: number) => [...simd(0x09), 2, ...uleb128(offset)], // v128.load32_splat
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
  f32x4Min: simd(0xe8),
  f32x4Max: simd(0xe9),
};

/** `while (condition) body`, the condition an i32 expression. */
function whileLoop(condition: readonly number[], body: readonly number[]): number[] {
  return [...ops.block, ...ops.loop, ...condition, ...ops.i32Eqz, ...ops.brIf(1), ...body, ...ops.br(0), ...ops.end, ...ops.end];
}

/** `local += step` (step a local). */
const addTo = (local: number, step: readonly number[]) => [...ops.get(local), ...step, ...ops.i32Add, ...ops.set(local)];

/** One step of `rows` x 8 outputs of C at row ROW_I, in `slot`'s panel: accumulate over k, then store (narrow panels through TILE_TMP). */
function microKernel(rows: number, slot: PanelSlot): number[] {
  const acc = (r: number, c: number) => ACCUMULATORS[2 * r + c];
  const rowsOf = (f: (r: number) => number[]) => Array.from({ length: rows }, (_, r) => f(r)).flat();
  const nBytes = [...ops.get(GN), ...ops.i32Const(2), ...ops.i32Shl];
  return [
    ...ops.get(GA), ...ops.get(ROW_I), ...ops.get(A_ROW_STRIDE), ...ops.i32Mul, ...ops.i32Add, ...ops.set(A_PTRS[0]),
    ...rowsOf((r) => (r === 0 ? [] : [...ops.get(A_PTRS[r - 1]), ...ops.get(A_ROW_STRIDE), ...ops.i32Add, ...ops.set(A_PTRS[r])])),
    // start from the bias row (zeros without a bias)
    ...rowsOf((r) => [...ops.get(slot.base), ...ops.v128Load(0), ...ops.set(acc(r, 0)), ...ops.get(slot.base), ...ops.v128Load(16), ...ops.set(acc(r, 1))]),
    ...ops.get(slot.base), ...ops.i32Const(32), ...ops.i32Add, ...ops.set(BPTR),
    ...whileLoop([...ops.get(BPTR), ...ops.get(slot.end), ...ops.i32LtU], [
      ...ops.get(BPTR), ...ops.v128Load(0), ...ops.set(B_LOW),
      ...ops.get(BPTR), ...ops.v128Load(16), ...ops.set(B_HIGH),
      ...rowsOf((r) => [
        ...ops.get(A_PTRS[r]), ...ops.loadSplat(0), ...ops.set(A_SPLAT),
        ...ops.get(acc(r, 0)), ...ops.get(A_SPLAT), ...ops.get(B_LOW), ...ops.f32x4Mul, ...ops.f32x4Add, ...ops.set(acc(r, 0)),
        ...ops.get(acc(r, 1)), ...ops.get(A_SPLAT), ...ops.get(B_HIGH), ...ops.f32x4Mul, ...ops.f32x4Add, ...ops.set(acc(r, 1)),
        ...addTo(A_PTRS[r], ops.get(A_K_STRIDE)),
      ]),
      ...addTo(BPTR, ops.i32Const(32)),
    ]),
    // rectified: max(x, 0) + slope min(x, 0), as ReLU (slope 0: +0 for negatives) and LeakyReLU compute it
    ...ops.get(RECTIFY),
    ...ops.if,
    ...ACCUMULATORS.slice(0, 2 * rows).flatMap((v) => [
      ...ops.get(v), ...ops.v128Zero, ...ops.f32x4Max, ...ops.get(SLOPE_SPLAT), ...ops.get(v), ...ops.v128Zero, ...ops.f32x4Min, ...ops.f32x4Mul, ...ops.f32x4Add, ...ops.set(v),
    ]),
    ...ops.end,
    ...ops.get(GC), ...ops.get(ROW_I), ...ops.get(GN), ...ops.i32Mul, ...ops.get(slot.j), ...ops.i32Add, ...ops.i32Const(2), ...ops.i32Shl, ...ops.i32Add, ...ops.set(C_PTR),
    ...ops.get(slot.w), ...ops.i32Const(MATMUL_PANEL), ...ops.i32Eq,
    ...ops.if,
    ...rowsOf((r) => [
      ...ops.get(C_PTR), ...ops.get(acc(r, 0)), ...ops.v128Store(0),
      ...ops.get(C_PTR), ...ops.get(acc(r, 1)), ...ops.v128Store(16),
      ...addTo(C_PTR, nBytes),
    ]),
    ...ops.else,
    ...rowsOf((r) => [...ops.get(TILE_TMP), ...ops.get(acc(r, 0)), ...ops.v128Store(32 * r), ...ops.get(TILE_TMP), ...ops.get(acc(r, 1)), ...ops.v128Store(32 * r + 16)]),
    ...rowsOf((r) => [
      ...forLoop(GCOL, ops.i32Const(0), slot.w, 1, [
        ...ops.get(C_PTR), ...ops.get(GCOL), ...ops.i32Const(2), ...ops.i32Shl, ...ops.i32Add,
        ...ops.get(TILE_TMP), ...ops.get(GCOL), ...ops.i32Const(2), ...ops.i32Shl, ...ops.i32Add, ...ops.f32Load(32 * r),
        ...ops.f32Store(0),
      ]),
      ...addTo(C_PTR, nBytes),
    ]),
    ...ops.end,
  ];
}

/** Sets up `slot`'s panel: its width, the bias row, and B's panel copied into the slot's scratch block. */
function panelSetup(slot: PanelSlot): number[] {
  const packedStart = [...ops.get(slot.base), ...ops.i32Const(32), ...ops.i32Add];
  const contiguousRows = [...ops.get(B_COL_STRIDE), ...ops.i32Const(4), ...ops.i32Eq];
  const fullWidth = [...ops.get(slot.w), ...ops.i32Const(MATMUL_PANEL), ...ops.i32Eq];
  return [
    // W = min(8, n - j), 0 when j >= n
    ...ops.get(GN), ...ops.get(slot.j), ...ops.i32Sub, ...ops.set(slot.w),
    ...ops.i32Const(MATMUL_PANEL), ...ops.get(slot.w), ...ops.get(slot.w), ...ops.i32Const(MATMUL_PANEL), ...ops.i32GtU, ...ops.select, ...ops.set(slot.w),
    ...ops.get(slot.w), ...ops.i32Const(0), ...ops.get(slot.j), ...ops.get(GN), ...ops.i32LtU, ...ops.select, ...ops.set(slot.w), // none past the last column
    ...ops.get(slot.base), ...ops.v128Zero, ...ops.v128Store(0),
    ...ops.get(slot.base), ...ops.v128Zero, ...ops.v128Store(16),
    ...ops.get(GBIAS),
    ...ops.if,
    ...forLoop(GCOL, ops.i32Const(0), slot.w, 1, [
      ...ops.get(slot.base), ...ops.get(GCOL), ...ops.i32Const(2), ...ops.i32Shl, ...ops.i32Add,
      ...ops.get(GBIAS), ...ops.get(slot.j), ...ops.get(GCOL), ...ops.i32Add, ...ops.i32Const(2), ...ops.i32Shl, ...ops.i32Add, ...ops.f32Load(0),
      ...ops.f32Store(0),
    ]),
    ...ops.end,
    ...packedStart, ...ops.get(GK), ...ops.i32Const(5), ...ops.i32Shl, ...ops.i32Add, ...ops.set(slot.end),
    ...fullWidth, ...contiguousRows, ...ops.i32And,
    ...ops.if,
    // two vectors per row of B
    ...ops.get(GB), ...ops.get(slot.j), ...ops.i32Const(2), ...ops.i32Shl, ...ops.i32Add, ...ops.set(GSRC),
    ...packedStart, ...ops.set(GDST),
    ...whileLoop([...ops.get(GDST), ...ops.get(slot.end), ...ops.i32LtU], [
      ...ops.get(GDST), ...ops.get(GSRC), ...ops.v128Load(0), ...ops.v128Store(0),
      ...ops.get(GDST), ...ops.get(GSRC), ...ops.v128Load(16), ...ops.v128Store(16),
      ...addTo(GSRC, ops.get(B_K_STRIDE)),
      ...addTo(GDST, ops.i32Const(32)),
    ]),
    ...ops.else,
    // one number at a time, column by column (a transposed B's columns are contiguous); zeros beyond the width
    ...ops.get(slot.w), ...ops.i32Const(MATMUL_PANEL), ...ops.i32Ne,
    ...ops.if,
    ...packedStart, ...ops.set(GDST),
    ...whileLoop([...ops.get(GDST), ...ops.get(slot.end), ...ops.i32LtU], [...ops.get(GDST), ...ops.v128Zero, ...ops.v128Store(0), ...addTo(GDST, ops.i32Const(16))]),
    ...ops.end,
    ...forLoop(GCOL, ops.i32Const(0), slot.w, 1, [
      ...ops.get(GB), ...ops.get(slot.j), ...ops.get(GCOL), ...ops.i32Add, ...ops.get(B_COL_STRIDE), ...ops.i32Mul, ...ops.i32Add, ...ops.set(GSRC),
      ...packedStart, ...ops.get(GCOL), ...ops.i32Const(2), ...ops.i32Shl, ...ops.i32Add, ...ops.set(GDST),
      ...whileLoop([...ops.get(GDST), ...ops.get(slot.end), ...ops.i32LtU], [
        ...ops.get(GDST), ...ops.get(GSRC), ...ops.i32LoadAt(0), ...ops.i32StoreAt(0),
        ...addTo(GSRC, ops.get(B_K_STRIDE)),
        ...addTo(GDST, ops.i32Const(32)),
      ]),
    ]),
    ...ops.end,
    ...ops.get(COLUMN_SUMS),
    ...ops.if,
    ...panelColumnSums(slot),
    ...ops.end,
  ];
}

/** Writes the sums over k of the packed panel's columns (B's, zero-padded) to COLUMN_SUMS from column j (narrow panels through TILE_TMP). */
function panelColumnSums(slot: PanelSlot): number[] {
  return [
    ...ops.v128Zero, ...ops.set(B_LOW),
    ...ops.v128Zero, ...ops.set(B_HIGH),
    ...ops.get(slot.base), ...ops.i32Const(32), ...ops.i32Add, ...ops.set(GSRC),
    ...whileLoop([...ops.get(GSRC), ...ops.get(slot.end), ...ops.i32LtU], [
      ...ops.get(B_LOW), ...ops.get(GSRC), ...ops.v128Load(0), ...ops.f32x4Add, ...ops.set(B_LOW),
      ...ops.get(B_HIGH), ...ops.get(GSRC), ...ops.v128Load(16), ...ops.f32x4Add, ...ops.set(B_HIGH),
      ...addTo(GSRC, ops.i32Const(32)),
    ]),
    ...ops.get(TILE_TMP), ...ops.get(B_LOW), ...ops.v128Store(0),
    ...ops.get(TILE_TMP), ...ops.get(B_HIGH), ...ops.v128Store(16),
    ...forLoop(GCOL, ops.i32Const(0), slot.w, 1, [
      ...ops.get(COLUMN_SUMS), ...ops.get(slot.j), ...ops.get(GCOL), ...ops.i32Add, ...ops.i32Const(2), ...ops.i32Shl, ...ops.i32Add,
      ...ops.get(TILE_TMP), ...ops.get(GCOL), ...ops.i32Const(2), ...ops.i32Shl, ...ops.i32Add, ...ops.f32Load(0),
      ...ops.f32Store(0),
    ]),
  ];
}

const GEMM: WasmFunction = {
  name: 'gemm',
  params: [...new Array<number>(13).fill(I32), F32, I32],
  locals: [
    [19, I32],
    [12, V128],
  ],
  body: [
    ...ops.get(SLOPE), ...simd(0x13), ...ops.set(SLOPE_SPLAT), // f32x4.splat
    // scratch: a block per slot (bias row and packed panel, 32 (k + 1) bytes), then the narrow tile
    ...ops.get(GSCRATCH), ...ops.set(SLOTS[0].base),
    ...ops.get(GSCRATCH), ...ops.get(GK), ...ops.i32Const(1), ...ops.i32Add, ...ops.i32Const(5), ...ops.i32Shl, ...ops.i32Add, ...ops.set(SLOTS[1].base),
    ...ops.get(SLOTS[1].base), ...ops.get(GK), ...ops.i32Const(1), ...ops.i32Add, ...ops.i32Const(5), ...ops.i32Shl, ...ops.i32Add, ...ops.set(TILE_TMP),
    ...forLoop(SLOTS[0].j, ops.i32Const(0), GN, 2 * MATMUL_PANEL, [
      ...ops.get(SLOTS[0].j), ...ops.i32Const(MATMUL_PANEL), ...ops.i32Add, ...ops.set(SLOTS[1].j),
      ...panelSetup(SLOTS[0]),
      ...panelSetup(SLOTS[1]),
      ...ops.i32Const(0), ...ops.set(ROW_I),
      ...whileLoop([...ops.get(ROW_I), ...ops.i32Const(MATMUL_ROWS), ...ops.i32Add, ...ops.get(GM), ...ops.i32GtU, ...ops.i32Eqz], [...bothPanels(MATMUL_ROWS), ...addTo(ROW_I, ops.i32Const(MATMUL_ROWS))]),
      ...whileLoop([...ops.get(ROW_I), ...ops.get(GM), ...ops.i32LtU], [...bothPanels(1), ...addTo(ROW_I, ops.i32Const(1))]),
    ]),
    ...ops.end,
  ],
};

/** The module's functions, in the order of their indices. */
const MODULE_FUNCTIONS: readonly WasmFunction[] = [ADAM, TRANSPOSE, GEMM];

/**
 * The row block times both panels, the second when it has columns: together they write whole
 * 64-byte lines of C, so a line is not evicted half written (C's rows 4 KB apart share a cache set).
 */
function bothPanels(rows: number): number[] {
  return [...microKernel(rows, SLOTS[0]), ...ops.get(SLOTS[1].w), ...ops.if, ...microKernel(rows, SLOTS[1]), ...ops.end];
}

function moduleBytes(functions: readonly WasmFunction[]): Uint8Array {
  const name = (s: string) => vector([...s].map((c) => [c.charCodeAt(0)]));
  const code = (f: WasmFunction) => {
    const body = [...vector(f.locals.map(([count, type]) => [...uleb128(count), type])), ...f.body];
    return [...uleb128(body.length), ...body];
  };
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vector(functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector([])]))), // types: (params) -> ()
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // import env.memory, at least one page
    ...section(3, vector(functions.map((_, i) => [i]))), // function i has type i
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, i]))), // exported under its name
    ...section(10, vector(functions.map(code))),
  ]);
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb128(content.length), ...content];
}

/** A WebAssembly vector: element count, then the elements. */
function vector(items: readonly (readonly number[])[]): number[] {
  return [...uleb128(items.length), ...items.flat()];
}

function uleb128(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    out.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return out;
}

function sleb128(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
