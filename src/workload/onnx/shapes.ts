/**
 * Shape propagation through an ONNX graph, for models whose `value_info` does not list every
 * intermediate tensor. Each rule gives an operator's output shapes from its input shapes and
 * attributes; small integer tensors (shapes, axes, slice bounds) are also evaluated, since Reshape,
 * Slice, Expand and their kind take their targets from them.
 */
import { DATA_TYPE } from './schema';

/** What is known of one tensor: its static shape, its values when small and known, and whether it is a constant. */
export interface TensorInfo {
  readonly shape: readonly number[];
  /** `TensorProto.DataType` code (0 when unknown). */
  readonly dataType: number;
  /** Row-major values, kept only for tensors of at most `VALUE_LIMIT` elements whose data is known. */
  readonly value?: readonly number[];
  /** An initializer, a Constant, or computed only from those (a weight rather than an activation). */
  readonly constant: boolean;
}

/** The largest tensor whose values are tracked (shape arithmetic only needs small ones). */
export const VALUE_LIMIT = 4096;

/** A node's attributes, already decoded. */
export interface Attributes {
  int(name: string): number | undefined;
  ints(name: string): readonly number[] | undefined;
  float(name: string): number | undefined;
  floats(name: string): readonly number[] | undefined;
  string(name: string): string | undefined;
  tensor(name: string): TensorInfo | undefined;
}

/** One node to propagate: its operator, inputs (undefined when absent or unknown) and the default-domain opset. */
export interface NodeContext {
  readonly opType: string;
  readonly inputs: readonly (TensorInfo | undefined)[];
  /** How many inputs the node names (absent optional inputs are empty names, counted here). */
  readonly inputNames: readonly string[];
  readonly outputCount: number;
  readonly attributes: Attributes;
  readonly opset: number;
}

/** Output infos, or a reason the rule cannot give them. */
export type Propagated = { readonly ok: true; readonly outputs: readonly (TensorInfo | undefined)[] } | { readonly ok: false; readonly reason: string };

export const product = (xs: readonly number[]): number => xs.reduce((p, x) => p * x, 1);

const INTEGER_TYPES = new Set<number>([DATA_TYPE.INT8, DATA_TYPE.INT16, DATA_TYPE.INT32, DATA_TYPE.INT64, DATA_TYPE.UINT8, DATA_TYPE.UINT16, DATA_TYPE.UINT32, DATA_TYPE.UINT64, DATA_TYPE.BOOL]);

function tensor(shape: readonly number[], dataType: number, constant: boolean, value?: readonly number[]): TensorInfo {
  return value !== undefined && value.length === product(shape) && value.length <= VALUE_LIMIT ? { shape, dataType, constant, value } : { shape, dataType, constant };
}

const ok = (...outputs: (TensorInfo | undefined)[]): Propagated => ({ ok: true, outputs });
const fail = (reason: string): Propagated => ({ ok: false, reason });

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** NumPy broadcasting of shapes; undefined when they do not broadcast. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const x = s[s.length - rank + i] ?? 1;
      if (x === 1) continue;
      if (d !== 1 && d !== x) return undefined;
      d = x;
    }
    out.push(d);
  }
  return out;
}

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** The flat index into `shape` (right-aligned, size-1 axes broadcast) of a multi-index of `outShape`. */
function broadcastIndex(index: readonly number[], shape: readonly number[]): number {
  const st = strides(shape);
  const offset = index.length - shape.length;
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat += (shape[i] === 1 ? 0 : index[i + offset]) * st[i];
  return flat;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

/** Element-wise operator with broadcasting; values computed when every input's are known. */
function elementwise(ctx: NodeContext, f?: (xs: number[], integer: boolean) => number, dataType?: number): Propagated {
  const inputs = ctx.inputs.filter((_, i) => ctx.inputNames[i] !== '');
  if (inputs.some((x) => x === undefined)) return ok(undefined);
  const known = inputs as TensorInfo[];
  const shape = broadcastShapes(known.map((x) => x.shape));
  if (shape === undefined) return fail(`inputs of shapes ${known.map((x) => `[${x.shape.join(',')}]`).join(' and ')} do not broadcast`);
  const outType = dataType ?? known.find((x) => x.dataType !== DATA_TYPE.BOOL)?.dataType ?? known[0]?.dataType ?? 0;
  const constant = known.every((x) => x.constant);
  const size = product(shape);
  if (f === undefined || size > VALUE_LIMIT || known.some((x) => x.value === undefined)) return ok(tensor(shape, outType, constant));
  const integer = INTEGER_TYPES.has(known[0].dataType);
  const value: number[] = [];
  for (let i = 0; i < size; i++) {
    const idx = unravel(i, shape);
    value.push(f(known.map((x) => (x.value as readonly number[])[broadcastIndex(idx, x.shape)]), integer));
  }
  return ok(tensor(shape, outType, constant, value));
}

/** Operators whose output has the first input's shape (activations, normalisations, casts, softmax...). */
const SAME_SHAPE = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu', 'Gelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Softplus', 'Softsign', 'Tanh', 'Erf', 'Exp', 'Log',
  'Sqrt', 'Reciprocal', 'Abs', 'Neg', 'Floor', 'Ceil', 'Round', 'Sign', 'Sin', 'Cos', 'Not', 'IsNaN', 'IsInf', 'Clip', 'Softmax', 'LogSoftmax', 'Hardmax',
  'BatchNormalization', 'InstanceNormalization', 'LayerNormalization', 'GroupNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'LRN',
  'Dropout', 'Trilu', 'CumSum', 'Mish', 'Shrink', 'ThresholdedRelu', 'Identity',
]);

type Rule = (ctx: NodeContext) => Propagated;

function first(ctx: NodeContext): TensorInfo | undefined {
  return ctx.inputs[0];
}

/** An input's values as integers, or undefined when not known. */
function intsOf(x: TensorInfo | undefined): readonly number[] | undefined {
  return x?.value?.map((v) => Math.trunc(v));
}

/** An operator's axes, from its attribute (older opsets) or its second input (newer ones). */
function axesOf(ctx: NodeContext, inputIndex: number): readonly number[] | undefined | 'unknown' {
  const fromAttr = ctx.attributes.ints('axes');
  if (fromAttr !== undefined) return fromAttr;
  if ((ctx.inputNames[inputIndex] ?? '') === '') return undefined;
  return intsOf(ctx.inputs[inputIndex]) ?? 'unknown';
}

function reduce(ctx: NodeContext, axesInput: boolean): Propagated {
  const x = first(ctx);
  if (x === undefined) return ok(undefined);
  const rank = x.shape.length;
  const axes = axesInput ? axesOf(ctx, 1) : ctx.attributes.ints('axes');
  if (axes === 'unknown') return fail('its axes are computed at run time');
  const keep = (ctx.attributes.int('keepdims') ?? 1) === 1;
  const noopWithEmpty = (ctx.attributes.int('noop_with_empty_axes') ?? 0) === 1;
  if (axes === undefined || axes.length === 0) {
    if (noopWithEmpty) return ok(tensor(x.shape, x.dataType, x.constant));
    return ok(tensor(keep ? x.shape.map(() => 1) : [], x.dataType, x.constant));
  }
  const set = new Set(axes.map((a) => normAxis(a, rank)));
  const shape = keep ? x.shape.map((d, i) => (set.has(i) ? 1 : d)) : x.shape.filter((_, i) => !set.has(i));
  return ok(tensor(shape, x.dataType, x.constant));
}

/** Output length of a sliding window (Conv, pooling) along one axis. */
export function windowOutput(input: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number, autoPad: string, ceilMode: boolean): number {
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(input / stride);
  const span = (kernel - 1) * dilation + 1;
  const pads = autoPad === 'VALID' ? 0 : padBegin + padEnd;
  const round = ceilMode ? Math.ceil : Math.floor;
  return round((input + pads - span) / stride) + 1;
}

/** Spatial output sizes of a window over the trailing axes of `x`. */
export function windowShape(x: readonly number[], kernel: readonly number[], attributes: Attributes): number[] {
  const n = kernel.length;
  const stridesAttr = attributes.ints('strides') ?? kernel.map(() => 1);
  const dilations = attributes.ints('dilations') ?? kernel.map(() => 1);
  const pads = attributes.ints('pads') ?? new Array<number>(2 * n).fill(0);
  const autoPad = attributes.string('auto_pad') ?? 'NOTSET';
  const ceilMode = (attributes.int('ceil_mode') ?? 0) === 1;
  const spatial = x.slice(x.length - n);
  return spatial.map((d, i) => windowOutput(d, kernel[i], stridesAttr[i], dilations[i], pads[i], pads[i + n], autoPad, ceilMode));
}

function pool(ctx: NodeContext): Propagated {
  const x = first(ctx);
  if (x === undefined) return ok(undefined);
  const kernel = ctx.attributes.ints('kernel_shape');
  if (kernel === undefined) return fail('no kernel_shape');
  const out = tensor([...x.shape.slice(0, x.shape.length - kernel.length), ...windowShape(x.shape, kernel, ctx.attributes)], x.dataType, x.constant);
  return ctx.outputCount > 1 ? ok(out, tensor(out.shape, DATA_TYPE.INT64, x.constant)) : ok(out);
}

/** NumPy matmul's output shape (1-D operands promoted and their axis dropped). */
export function matmulShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  if (a2[a2.length - 1] !== b2[b2.length - 2]) return undefined;
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
  if (batch === undefined) return undefined;
  const out = [...batch, ...(a.length === 1 ? [] : [a2[a2.length - 2]]), ...(b.length === 1 ? [] : [b2[b2.length - 1]])];
  return out;
}

function sliceValues(x: TensorInfo, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps: readonly number[]): TensorInfo {
  const rank = x.shape.length;
  const begin = x.shape.map(() => 0);
  const step = x.shape.map(() => 1);
  const count = x.shape.slice();
  axes.forEach((a0, j) => {
    const a = normAxis(a0, rank);
    const dim = x.shape[a];
    const s = steps[j] ?? 1;
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let st = starts[j] < 0 ? starts[j] + dim : starts[j];
    let en = ends[j] < 0 ? ends[j] + dim : ends[j];
    if (s > 0) {
      st = clamp(st, 0, dim);
      en = clamp(en, 0, dim);
      count[a] = Math.max(0, Math.ceil((en - st) / s));
    } else {
      st = clamp(st, 0, dim - 1);
      en = clamp(en, -1, dim - 1);
      count[a] = Math.max(0, Math.ceil((en - st) / s));
    }
    begin[a] = st;
    step[a] = s;
  });
  if (x.value === undefined) return tensor(count, x.dataType, x.constant);
  const st = strides(x.shape);
  const value: number[] = [];
  const size = product(count);
  for (let i = 0; i < size; i++) {
    const idx = unravel(i, count);
    value.push(x.value[idx.reduce((f, v, k) => f + (begin[k] + v * step[k]) * st[k], 0)]);
  }
  return tensor(count, x.dataType, x.constant, value);
}

function transpose(x: TensorInfo, perm: readonly number[]): TensorInfo {
  const shape = perm.map((p) => x.shape[p]);
  if (x.value === undefined) return tensor(shape, x.dataType, x.constant);
  const st = strides(x.shape);
  const value: number[] = [];
  for (let i = 0; i < product(shape); i++) {
    const idx = unravel(i, shape);
    value.push(x.value[perm.reduce((f, p, k) => f + idx[k] * st[p], 0)]);
  }
  return tensor(shape, x.dataType, x.constant, value);
}

const RULES: Record<string, Rule> = {
  Add: (c) => elementwise(c, ([a, b]) => a + b),
  Sub: (c) => elementwise(c, ([a, b]) => a - b),
  Mul: (c) => elementwise(c, ([a, b]) => a * b),
  Div: (c) => elementwise(c, ([a, b], integer) => (integer ? Math.trunc(a / b) : a / b)),
  Mod: (c) => elementwise(c, ([a, b]) => a - Math.floor(a / b) * b),
  Pow: (c) => elementwise(c, ([a, b]) => a ** b),
  Max: (c) => elementwise(c, (xs) => Math.max(...xs)),
  Min: (c) => elementwise(c, (xs) => Math.min(...xs)),
  Sum: (c) => elementwise(c, (xs) => xs.reduce((s, x) => s + x, 0)),
  Mean: (c) => elementwise(c),
  Equal: (c) => elementwise(c, ([a, b]) => Number(a === b), DATA_TYPE.BOOL),
  Less: (c) => elementwise(c, ([a, b]) => Number(a < b), DATA_TYPE.BOOL),
  LessOrEqual: (c) => elementwise(c, ([a, b]) => Number(a <= b), DATA_TYPE.BOOL),
  Greater: (c) => elementwise(c, ([a, b]) => Number(a > b), DATA_TYPE.BOOL),
  GreaterOrEqual: (c) => elementwise(c, ([a, b]) => Number(a >= b), DATA_TYPE.BOOL),
  And: (c) => elementwise(c, ([a, b]) => Number(a !== 0 && b !== 0), DATA_TYPE.BOOL),
  Or: (c) => elementwise(c, ([a, b]) => Number(a !== 0 || b !== 0), DATA_TYPE.BOOL),
  Xor: (c) => elementwise(c, ([a, b]) => Number((a !== 0) !== (b !== 0)), DATA_TYPE.BOOL),
  Where: (c) => {
    const r = elementwise(c, ([cond, a, b]) => (cond !== 0 ? a : b));
    if (!r.ok || r.outputs[0] === undefined || c.inputs[1] === undefined) return r;
    const out = r.outputs[0];
    return ok(tensor(out.shape, c.inputs[1].dataType, out.constant, out.value));
  },
  Cast: (c) => {
    const x = first(c);
    if (x === undefined) return ok(undefined);
    const to = c.attributes.int('to') ?? x.dataType;
    const value = x.value?.map((v) => (to === DATA_TYPE.BOOL ? Number(v !== 0) : INTEGER_TYPES.has(to) ? Math.trunc(v) : v));
    return ok(tensor(x.shape, to, x.constant, value));
  },
  Shape: (c) => {
    const x = first(c);
    if (x === undefined) return ok(undefined);
    const rank = x.shape.length;
    const start = normAxis(c.attributes.int('start') ?? 0, rank);
    const endAttr = c.attributes.int('end');
    const end = endAttr === undefined ? rank : normAxis(endAttr, rank);
    const dims = x.shape.slice(Math.max(0, start), Math.min(rank, end));
    return ok(tensor([dims.length], DATA_TYPE.INT64, true, dims));
  },
  Size: (c) => {
    const x = first(c);
    return ok(x === undefined ? undefined : tensor([], DATA_TYPE.INT64, true, [product(x.shape)]));
  },
  Constant: (c) => {
    const t = c.attributes.tensor('value');
    if (t !== undefined) return ok(t);
    const ints = c.attributes.ints('value_ints');
    if (ints !== undefined) return ok(tensor([ints.length], DATA_TYPE.INT64, true, ints));
    const int = c.attributes.int('value_int');
    if (int !== undefined) return ok(tensor([], DATA_TYPE.INT64, true, [int]));
    const floats = c.attributes.floats('value_floats');
    if (floats !== undefined) return ok(tensor([floats.length], DATA_TYPE.FLOAT, true, floats));
    const float = c.attributes.float('value_float');
    if (float !== undefined) return ok(tensor([], DATA_TYPE.FLOAT, true, [float]));
    return fail('a Constant with no value this importer reads');
  },
  ConstantOfShape: (c) => {
    const shape = intsOf(first(c));
    if (shape === undefined) return first(c) === undefined ? ok(undefined) : fail('its shape is computed at run time');
    const fill = c.attributes.tensor('value');
    const v = fill?.value?.[0] ?? 0;
    return ok(tensor(shape, fill?.dataType ?? DATA_TYPE.FLOAT, true, product(shape) <= VALUE_LIMIT ? new Array<number>(product(shape)).fill(v) : undefined));
  },
  Range: (c) => {
    const [start, limit, delta] = c.inputs.map((x) => x?.value?.[0]);
    if (start === undefined || limit === undefined || delta === undefined) return c.inputs.some((x) => x === undefined) ? ok(undefined) : fail('its bounds are computed at run time');
    const n = Math.max(0, Math.ceil((limit - start) / delta));
    return ok(tensor([n], c.inputs[0]?.dataType ?? DATA_TYPE.INT64, c.inputs.every((x) => x?.constant === true), Array.from({ length: Math.min(n, VALUE_LIMIT + 1) }, (_, i) => start + i * delta)));
  },
  Gather: (c) => {
    const [data, indices] = c.inputs;
    if (data === undefined || indices === undefined) return ok(undefined);
    const axis = normAxis(c.attributes.int('axis') ?? 0, data.shape.length);
    const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
    const constant = data.constant && indices.constant;
    if (data.value === undefined || indices.value === undefined || product(shape) > VALUE_LIMIT) return ok(tensor(shape, data.dataType, constant));
    const outer = product(data.shape.slice(0, axis));
    const inner = product(data.shape.slice(axis + 1));
    const dim = data.shape[axis];
    const value: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const i0 of indices.value) {
        const i = i0 < 0 ? i0 + dim : i0;
        for (let k = 0; k < inner; k++) value.push(data.value[(o * dim + i) * inner + k]);
      }
    }
    return ok(tensor(shape, data.dataType, constant, value));
  },
  Unsqueeze: (c) => {
    const x = first(c);
    if (x === undefined) return ok(undefined);
    const axes = axesOf(c, 1);
    if (axes === 'unknown' || axes === undefined) return fail('its axes are computed at run time');
    const rank = x.shape.length + axes.length;
    const set = new Set(axes.map((a) => normAxis(a, rank)));
    const shape: number[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : x.shape[j++]);
    return ok(tensor(shape, x.dataType, x.constant, x.value));
  },
  Squeeze: (c) => {
    const x = first(c);
    if (x === undefined) return ok(undefined);
    const axes = axesOf(c, 1);
    if (axes === 'unknown') return fail('its axes are computed at run time');
    const set = new Set((axes ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => normAxis(a, x.shape.length)));
    return ok(tensor(x.shape.filter((_, i) => !set.has(i)), x.dataType, x.constant, x.value));
  },
  Reshape: (c) => {
    const [x, target] = c.inputs;
    if (x === undefined || target === undefined) return ok(undefined);
    const t0 = intsOf(target);
    if (t0 === undefined) return fail('its target shape is computed at run time');
    const allowZero = (c.attributes.int('allowzero') ?? 0) === 1;
    const shape = t0.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
    const minus = shape.indexOf(-1);
    if (minus >= 0) shape[minus] = product(x.shape) / product(shape.filter((_, i) => i !== minus));
    if (product(shape) !== product(x.shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) return fail(`cannot reshape [${x.shape.join(',')}] to [${t0.join(',')}]`);
    return ok(tensor(shape, x.dataType, x.constant, x.value));
  },
  Flatten: (c) => {
    const x = first(c);
    if (x === undefined) return ok(undefined);
    const axis = normAxis(c.attributes.int('axis') ?? 1, x.shape.length);
    return ok(tensor([product(x.shape.slice(0, axis)), product(x.shape.slice(axis))], x.dataType, x.constant, x.value));
  },
  Transpose: (c) => {
    const x = first(c);
    if (x === undefined) return ok(undefined);
    const perm = c.attributes.ints('perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    return ok(transpose(x, perm));
  },
  Concat: (c) => {
    const xs = c.inputs;
    if (xs.some((x) => x === undefined) || xs.length === 0) return ok(undefined);
    const known = xs as TensorInfo[];
    const rank = known[0].shape.length;
    const axis = normAxis(c.attributes.int('axis') ?? 0, rank);
    const shape = known[0].shape.slice();
    shape[axis] = known.reduce((s, x) => s + x.shape[axis], 0);
    const constant = known.every((x) => x.constant);
    if (known.some((x) => x.value === undefined) || product(shape) > VALUE_LIMIT) return ok(tensor(shape, known[0].dataType, constant));
    const outer = product(shape.slice(0, axis));
    const value: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const x of known) {
        const chunk = product(x.shape.slice(axis));
        value.push(...(x.value as readonly number[]).slice(o * chunk, (o + 1) * chunk));
      }
    }
    return ok(tensor(shape, known[0].dataType, constant, value));
  },
  Slice: (c) => {
    const x = first(c);
    if (x === undefined) return ok(undefined);
    let starts: readonly number[] | undefined;
    let ends: readonly number[] | undefined;
    let axes: readonly number[] | undefined;
    let steps: readonly number[] | undefined;
    if (c.opset < 10) {
      starts = c.attributes.ints('starts');
      ends = c.attributes.ints('ends');
      axes = c.attributes.ints('axes');
    } else {
      starts = intsOf(c.inputs[1]);
      ends = intsOf(c.inputs[2]);
      axes = (c.inputNames[3] ?? '') === '' ? undefined : intsOf(c.inputs[3]);
      steps = (c.inputNames[4] ?? '') === '' ? undefined : intsOf(c.inputs[4]);
      if (((c.inputNames[3] ?? '') !== '' && axes === undefined) || ((c.inputNames[4] ?? '') !== '' && steps === undefined)) return fail('its axes or steps are computed at run time');
    }
    if (starts === undefined || ends === undefined) return fail('its starts or ends are computed at run time');
    return ok(sliceValues(x, starts, ends, axes ?? starts.map((_, i) => i), steps ?? starts.map(() => 1)));
  },
  Split: (c) => {
    const x = first(c);
    if (x === undefined) return ok(undefined);
    const axis = normAxis(c.attributes.int('axis') ?? 0, x.shape.length);
    const dim = x.shape[axis];
    let sizes = c.attributes.ints('split') ?? ((c.inputNames[1] ?? '') === '' ? undefined : intsOf(c.inputs[1]));
    if (sizes === undefined && (c.inputNames[1] ?? '') !== '') return fail('its split sizes are computed at run time');
    if (sizes === undefined) {
      const parts = c.attributes.int('num_outputs') ?? c.outputCount;
      const each = Math.ceil(dim / parts);
      sizes = Array.from({ length: parts }, (_, i) => Math.min(each, dim - i * each));
    }
    let begin = 0;
    return ok(
      ...sizes.map((s) => {
        const part = sliceValues(x, [begin], [begin + s], [axis], [1]);
        begin += s;
        return part;
      }),
    );
  },
  Expand: (c) => {
    const [x, shapeInput] = c.inputs;
    if (x === undefined || shapeInput === undefined) return ok(undefined);
    const target = intsOf(shapeInput);
    if (target === undefined) return fail('its target shape is computed at run time');
    const shape = broadcastShapes([x.shape, target]);
    if (shape === undefined) return fail(`cannot expand [${x.shape.join(',')}] to [${target.join(',')}]`);
    return elementwiseTo(x, shape);
  },
  Tile: (c) => {
    const [x, repeats] = c.inputs;
    if (x === undefined || repeats === undefined) return ok(undefined);
    const r = intsOf(repeats);
    if (r === undefined) return fail('its repeats are computed at run time');
    return ok(tensor(x.shape.map((d, i) => d * r[i]), x.dataType, x.constant && repeats.constant));
  },
  Pad: (c) => {
    const x = first(c);
    if (x === undefined) return ok(undefined);
    const pads = c.opset < 11 ? c.attributes.ints('pads') : intsOf(c.inputs[1]);
    if (pads === undefined) return fail('its pads are computed at run time');
    const rank = x.shape.length;
    const axes = c.opset >= 18 && (c.inputNames[3] ?? '') !== '' ? intsOf(c.inputs[3]) : x.shape.map((_, i) => i);
    if (axes === undefined) return fail('its axes are computed at run time');
    const shape = x.shape.slice();
    axes.forEach((a, j) => {
      const ax = normAxis(a, rank);
      shape[ax] += pads[j] + pads[j + axes.length];
    });
    return ok(tensor(shape, x.dataType, x.constant));
  },
  Resize: (c) => {
    const x = first(c);
    if (x === undefined) return ok(undefined);
    const sizes = (c.inputNames[3] ?? '') === '' ? undefined : intsOf(c.inputs[3]);
    if (sizes !== undefined && sizes.length > 0) return ok(tensor(sizes, x.dataType, x.constant));
    const scales = c.inputs[c.opset >= 11 ? 2 : 1]?.value;
    if (scales === undefined || scales.length === 0) return fail('its scales or sizes are computed at run time');
    return ok(tensor(x.shape.map((d, i) => Math.floor(d * scales[i])), x.dataType, x.constant));
  },
  Upsample: (c) => {
    const x = first(c);
    const scales = c.attributes.floats('scales') ?? c.inputs[1]?.value;
    if (x === undefined) return ok(undefined);
    if (scales === undefined) return fail('its scales are computed at run time');
    return ok(tensor(x.shape.map((d, i) => Math.floor(d * scales[i])), x.dataType, x.constant));
  },
  MatMul: (c) => {
    const [a, b] = c.inputs;
    if (a === undefined || b === undefined) return ok(undefined);
    const shape = matmulShape(a.shape, b.shape);
    if (shape === undefined) return fail(`operands [${a.shape.join(',')}] and [${b.shape.join(',')}] do not multiply`);
    return ok(tensor(shape, a.dataType, a.constant && b.constant));
  },
  Gemm: (c) => {
    const [a, b] = c.inputs;
    if (a === undefined || b === undefined) return ok(undefined);
    const M = (c.attributes.int('transA') ?? 0) === 1 ? a.shape[1] : a.shape[0];
    const N = (c.attributes.int('transB') ?? 0) === 1 ? b.shape[0] : b.shape[1];
    return ok(tensor([M, N], a.dataType, a.constant && b.constant));
  },
  Conv: (c) => {
    const [x, w] = c.inputs;
    if (x === undefined || w === undefined) return ok(undefined);
    const kernel = c.attributes.ints('kernel_shape') ?? w.shape.slice(2);
    return ok(tensor([x.shape[0], w.shape[0], ...windowShape(x.shape, kernel, c.attributes)], x.dataType, x.constant && w.constant));
  },
  ConvTranspose: (c) => {
    const [x, w] = c.inputs;
    if (x === undefined || w === undefined) return ok(undefined);
    const kernel = c.attributes.ints('kernel_shape') ?? w.shape.slice(2);
    const n = kernel.length;
    const group = c.attributes.int('group') ?? 1;
    const outShape = c.attributes.ints('output_shape');
    const spatial = x.shape.slice(x.shape.length - n);
    const st = c.attributes.ints('strides') ?? kernel.map(() => 1);
    const dil = c.attributes.ints('dilations') ?? kernel.map(() => 1);
    const pads = c.attributes.ints('pads') ?? new Array<number>(2 * n).fill(0);
    const extra = c.attributes.ints('output_padding') ?? kernel.map(() => 0);
    const autoPad = c.attributes.string('auto_pad') ?? 'NOTSET';
    const sizes =
      outShape?.slice(outShape.length - n) ??
      spatial.map((d, i) => (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? d * st[i] : st[i] * (d - 1) + extra[i] + (kernel[i] - 1) * dil[i] + 1 - pads[i] - pads[i + n]));
    return ok(tensor([x.shape[0], w.shape[1] * group, ...sizes], x.dataType, x.constant && w.constant));
  },
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: (c) => global(c),
  GlobalMaxPool: (c) => global(c),
  GlobalLpPool: (c) => global(c),
  ReduceMean: (c) => reduce(c, c.opset >= 18),
  ReduceMax: (c) => reduce(c, c.opset >= 18),
  ReduceMin: (c) => reduce(c, c.opset >= 18),
  ReduceProd: (c) => reduce(c, c.opset >= 18),
  ReduceL1: (c) => reduce(c, c.opset >= 18),
  ReduceL2: (c) => reduce(c, c.opset >= 18),
  ReduceLogSum: (c) => reduce(c, c.opset >= 18),
  ReduceLogSumExp: (c) => reduce(c, c.opset >= 18),
  ReduceSumSquare: (c) => reduce(c, c.opset >= 18),
  ReduceSum: (c) => reduce(c, c.opset >= 13),
  ArgMax: (c) => argReduce(c),
  ArgMin: (c) => argReduce(c),
};

function global(c: NodeContext): Propagated {
  const x = first(c);
  return ok(x === undefined ? undefined : tensor([...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)], x.dataType, x.constant));
}

function argReduce(c: NodeContext): Propagated {
  const x = first(c);
  if (x === undefined) return ok(undefined);
  const axis = normAxis(c.attributes.int('axis') ?? 0, x.shape.length);
  const keep = (c.attributes.int('keepdims') ?? 1) === 1;
  return ok(tensor(keep ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis), DATA_TYPE.INT64, x.constant));
}

function elementwiseTo(x: TensorInfo, shape: readonly number[]): Propagated {
  if (x.value === undefined || product(shape) > VALUE_LIMIT) return ok(tensor(shape, x.dataType, x.constant));
  const value: number[] = [];
  for (let i = 0; i < product(shape); i++) value.push(x.value[broadcastIndex(unravel(i, shape), x.shape)]);
  return ok(tensor(shape, x.dataType, x.constant, value));
}

/** Propagates one default-domain node; an operator without a rule is reported as such. */
export function propagate(ctx: NodeContext): Propagated {
  if (SAME_SHAPE.has(ctx.opType)) {
    const x = first(ctx);
    if (x === undefined) return ok(undefined);
    const same = tensor(x.shape, x.dataType, x.constant && ctx.inputs.every((i, k) => ctx.inputNames[k] === '' || i?.constant === true));
    // Identity and Dropout pass values through; the others compute what shapes never depend on.
    return ok(ctx.opType === 'Identity' ? x : same, ...(ctx.outputCount > 1 ? [tensor(x.shape, DATA_TYPE.BOOL, x.constant)] : []));
  }
  const rule = RULES[ctx.opType];
  return rule === undefined ? fail(`no shape rule for ${ctx.opType}`) : rule(ctx);
}
