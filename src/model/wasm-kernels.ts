/**
 * Two kernels' inner loops as a few hundred bytes of WebAssembly that work directly in the wasm
 * backend's memory: Adam's update (SIMD, four lanes at a time) and a tiled matrix transpose.
 * JavaScript loops over that memory are slow on this machine (V8 does not vectorise): Adam's loop
 * costs ~7-10 ns per number (each number reads four arrays and writes three), three times the wasm
 * backend's 12 SIMD ops; here it costs about half a nanosecond, and the transpose half of the
 * JavaScript tiled copy's time (`npx tsx bench/train.ts adam` and `speed` print both).
 *
 * The module is assembled here from named opcodes (WebAssembly binary format 1.0 with the SIMD
 * proposal, standard since Node 16.4) and instantiated on the backend's own `WebAssembly.Memory`,
 * so the functions read their inputs and write their outputs where the backend keeps them: no copies.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { tf } from './tf';

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
}

const webAssembly = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

interface ModuleExports {
  readonly adam: AdamExport;
  readonly transpose: (src: number, dst: number, rows: number, cols: number) => void;
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
  const bytes = moduleBytes([ADAM, TRANSPOSE]);
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
