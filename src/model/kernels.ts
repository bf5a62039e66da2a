/**
 * Custom tfjs kernels over the backend's float32 buffers, for the two backends whose tensors live in
 * JavaScript-visible memory (cpu, wasm): JavaScript loops, and on wasm WebAssembly functions working
 * in the backend's own memory (`wasm-kernels.ts`: the transpose, the matrix products). They replace
 * chains of small kernels (or a slow built-in one) where kernel dispatch or a poor implementation
 * costs more than the arithmetic. Any other backend (e.g. a user's tfjs-node-gpu) gets the plain
 * tfjs ops instead.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from './tf';
import { TRANSPOSE_TILE, wasmMatMul, wasmTranspose } from './wasm-kernels';

/** How a kernel reaches float32 numbers: allocate an output tensor, view a tensor's numbers. */
export interface Float32Access {
  allocate(shape: number[]): tf.TensorInfo;
  view(t: tf.TensorInfo): Float32Array;
}

/**
 * Buffer access on the active backend through its public class members (MathBackendCPU's `data`
 * and `makeTensorInfo`, BackendWasm's `makeOutput` and `typedArrayFromHeap`, as their own
 * JavaScript kernels use them); undefined for any other backend, or one that lacks those members.
 * On wasm, allocating can grow the heap, which detaches earlier views: allocate first, then view.
 */
export function float32Access(backend: object): Float32Access | undefined {
  const name = tf.getBackend();
  if (name === 'wasm' && 'makeOutput' in backend && 'typedArrayFromHeap' in backend) {
    const wasm = backend as BackendWasm;
    return { allocate: (shape) => wasm.makeOutput(shape, 'float32'), view: (t) => wasm.typedArrayFromHeap(t) as Float32Array };
  }
  if (name === 'cpu' && 'data' in backend && 'makeTensorInfo' in backend) {
    const cpu = backend as MathBackendCPU;
    return {
      allocate: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(tf.util.sizeFromShape(shape))),
      view: (t) => cpu.data.get(t.dataId).values as Float32Array,
    };
  }
  return undefined;
}

/**
 * True when the active backend gives float32 buffer access (checked each time: another backend may
 * carry a kernel over through `tf.copyRegisteredKernels`); registers `kernelFunc` under `kernelName`
 * for it on first use.
 */
export function customKernelReady(kernelName: string, kernelFunc: tf.KernelFunc): boolean {
  if (float32Access(tf.backend()) === undefined) return false;
  const backendName = tf.getBackend();
  if (tf.getKernel(kernelName, backendName) == null) tf.registerKernel({ kernelName, backendName, kernelFunc });
  return true;
}

/** The active backend's buffer access inside a kernel (the kernel is only registered where it exists). */
export function kernelAccess(kernelName: string, backend: object): Float32Access {
  const access = float32Access(backend);
  if (access === undefined) throw new Error(`${kernelName}: backend ${tf.getBackend()} has no float32 buffer access`);
  return access;
}

const TRANSPOSE_KERNEL = 'VaesaTranspose2D';

const transposeKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const access = kernelAccess(TRANSPOSE_KERNEL, backend);
  const x = inputs.x;
  if (x === undefined) throw new Error(`${TRANSPOSE_KERNEL}: input x missing`);
  const [rows, cols] = x.shape;
  const out = access.allocate([cols, rows]);
  const inWasm = wasmTranspose(backend);
  if (inWasm !== undefined) {
    inWasm(x, out);
    return out;
  }
  const src = access.view(x);
  const dst = access.view(out);
  for (let i0 = 0; i0 < rows; i0 += TRANSPOSE_TILE) {
    const i1 = Math.min(rows, i0 + TRANSPOSE_TILE);
    for (let j0 = 0; j0 < cols; j0 += TRANSPOSE_TILE) {
      const j1 = Math.min(cols, j0 + TRANSPOSE_TILE);
      for (let i = i0; i < i1; i++) {
        const row = i * cols;
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[row + j];
      }
    }
  }
  return out;
};

/**
 * Below this many numbers the backend's own Transpose wins (wasm, `npx tsx bench/train.ts speed`:
 * [128x15] 3.3 µs against 6.2 µs for the custom kernel's extra dispatch; [128x128] 52 against 36 µs).
 */
const CUSTOM_TRANSPOSE_MIN_SIZE = 4096;

/**
 * The transpose of a float32 matrix. On cpu and wasm, from 4,096 numbers, a tiled copy: on wasm in
 * WebAssembly (`wasmTranspose`), about 3.5x faster than wasm's own Transpose at the dense layers'
 * shapes; on cpu (or a wasm runtime without SIMD) a JavaScript loop, 10x cpu's own and 1.7x wasm's
 * (`npx tsx bench/train.ts speed` prints the active backend's two); `tf.transpose` otherwise.
 * Differentiable (its gradient is the transpose of the gradient).
 */
export function transposeMatrix(x: tf.Tensor2D): tf.Tensor2D {
  if (x.dtype !== 'float32' || x.size < CUSTOM_TRANSPOSE_MIN_SIZE || !customKernelReady(TRANSPOSE_KERNEL, transposeKernel)) return tf.transpose(x);
  if (tf.getGradient(TRANSPOSE_KERNEL) == null) {
    tf.registerGradient({ kernelName: TRANSPOSE_KERNEL, gradFunc: (dy) => ({ x: () => transposeMatrix(dy as tf.Tensor2D) }) });
  }
  return tf.engine().runKernel<tf.Tensor2D>(TRANSPOSE_KERNEL, { x });
}

const MATMUL_KERNEL = 'VaesaMatMul';

const matMulKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const product = wasmMatMul(backend);
  const { a, b, bias } = inputs;
  if (product === undefined || a === undefined || b === undefined) throw new Error(`${MATMUL_KERNEL}: needs the wasm backend's memory and inputs a, b`);
  const transposeA = attrs?.transposeA === true;
  const transposeB = attrs?.transposeB === true;
  const rectifierSlope = attrs?.rectify === true ? Number(attrs.slope) : undefined;
  const out = kernelAccess(MATMUL_KERNEL, backend).allocate([transposeA ? a.shape[1] : a.shape[0], transposeB ? b.shape[0] : b.shape[1]]);
  product({ a, b, transposeA, transposeB, bias, rectifierSlope }, out);
  return out;
};

/**
 * How `wasmProduct` reads its operands (each may be read transposed), an optional bias added to
 * every row, and an optional rectifier applied last: max(x, 0) + slope · min(x, 0) (ReLU for slope
 * 0, LeakyReLU otherwise; the same float32 numbers as tfjs's ops).
 */
export interface ProductOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
  readonly bias?: tf.Tensor1D;
  readonly rectifierSlope?: number;
}

/**
 * op(a) · op(b) (+ bias) as one WebAssembly SIMD kernel on the wasm backend (`wasmMatMul`), or
 * undefined on any other backend, or when the module cannot run there (callers keep their tfjs
 * path). On the `fast` training step's wide products it runs ~48 GFLOP/s, 1.3x XNNPACK's product
 * with the same weights and 1.7x with fresh ones (the thin ones: about level, and one outer product
 * slower; `npx tsx bench/train.ts speed` prints every shape), and it reads transposed operands in
 * place, so the backward pass needs no transposes. Differentiable.
 */
export function wasmProduct(a: tf.Tensor2D, b: tf.Tensor2D, options: ProductOptions = {}): tf.Tensor2D | undefined {
  const { transposeA = false, transposeB = false, bias, rectifierSlope } = options;
  if (transposeA && transposeB) throw new RangeError('wasmProduct: at most one operand can be read transposed');
  const float32 = a.dtype === 'float32' && b.dtype === 'float32' && (bias === undefined || bias.dtype === 'float32');
  if (!float32 || wasmMatMul(tf.backend()) === undefined || !customKernelReady(MATMUL_KERNEL, matMulKernel)) return undefined;
  const [inner, innerB] = [transposeA ? a.shape[0] : a.shape[1], transposeB ? b.shape[1] : b.shape[0]];
  const columns = transposeB ? b.shape[0] : b.shape[1];
  if (inner !== innerB || (bias !== undefined && bias.shape[0] !== columns)) {
    throw new RangeError(`wasmProduct: shapes [${a.shape}]${transposeA ? 'ᵀ' : ''} · [${b.shape}]${transposeB ? 'ᵀ' : ''} + [${bias?.shape ?? ''}] do not match`);
  }
  if (tf.getGradient(MATMUL_KERNEL) == null) {
    tf.registerGradient({ kernelName: MATMUL_KERNEL, inputsToSave: ['a', 'b'], outputsToSave: [true], gradFunc: productGradient });
  }
  const attrs = { transposeA, transposeB, rectify: rectifierSlope !== undefined, slope: rectifierSlope ?? 0 } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel<tf.Tensor2D>(MATMUL_KERNEL, bias === undefined ? { a, b } : { a, b, bias }, attrs);
}

/** Gradients of Y = rectify(C), C = op(A) · op(B) + bias, from dY: dC = dY · Y's slope, then products of the same kind. */
const productGradient: tf.GradFunc = (dy, saved, attrs) => {
  const [a, b, out] = saved as tf.Tensor2D[];
  const { transposeA, transposeB, rectify, slope } = attrs as unknown as { transposeA: boolean; transposeB: boolean; rectify: boolean; slope: number };
  const dc = (rectify ? tf.mul(dy as tf.Tensor2D, tf.step(out, slope)) : dy) as tf.Tensor2D;
  const product = (x: tf.Tensor2D, y: tf.Tensor2D, options: ProductOptions) => {
    const result = wasmProduct(x, y, options);
    if (result === undefined) throw new Error(`${MATMUL_KERNEL}: its gradient needs the backend it ran on`);
    return result;
  };
  // C = A B: dA = dC Bᵀ, dB = Aᵀ dC; C = Aᵀ B: dA = B dCᵀ, dB = A dC; C = A Bᵀ: dA = dC B, dB = dCᵀ A
  const da = () => (transposeA ? product(b, dc, { transposeB: true }) : product(dc, b, { transposeB: !transposeB }));
  const db = () => (transposeA ? product(a, dc, {}) : transposeB ? product(dc, a, { transposeA: true }) : product(a, dc, { transposeA: true }));
  return { a: da, b: db, bias: () => tf.sum(dc, 0) };
};

const WEIGHT_GRADIENTS_KERNEL = 'VaesaDenseWeightGradients';

const weightGradientsKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const product = wasmMatMul(backend);
  const { x, dz } = inputs;
  if (product === undefined || x === undefined || dz === undefined) throw new Error(`${WEIGHT_GRADIENTS_KERNEL}: needs the wasm backend's memory and inputs x, dz`);
  const access = kernelAccess(WEIGHT_GRADIENTS_KERNEL, backend);
  const dkernel = access.allocate([x.shape[1], dz.shape[1]]);
  const dbias = access.allocate([dz.shape[1]]);
  product({ a: x, b: dz, transposeA: true, transposeB: false, columnSumsOut: dbias }, dkernel);
  return [dkernel, dbias];
};

/**
 * A dense layer's weight gradients from its input x [rows x inputs] and the gradient dz [rows x
 * units] of its pre-activation: dkernel = xᵀ · dz and dbias = 1ᵀ · dz, in one WebAssembly kernel
 * on wasm (the column sums are taken from the panels of dz the product copies anyway); undefined
 * where `wasmProduct` is. Not differentiable (a backward pass's own result).
 */
export function wasmWeightGradients(x: tf.Tensor2D, dz: tf.Tensor2D): { dkernel: tf.Tensor2D; dbias: tf.Tensor1D } | undefined {
  if (x.dtype !== 'float32' || dz.dtype !== 'float32' || wasmMatMul(tf.backend()) === undefined) return undefined;
  if (x.shape[0] !== dz.shape[0]) throw new RangeError(`wasmWeightGradients: x [${x.shape}] and dz [${dz.shape}] have different row counts`);
  if (!customKernelReady(WEIGHT_GRADIENTS_KERNEL, weightGradientsKernel)) return undefined;
  const [dkernel, dbias] = tf.engine().runKernel(WEIGHT_GRADIENTS_KERNEL, { x, dz }) as tf.Tensor[];
  return { dkernel: dkernel as tf.Tensor2D, dbias: dbias as tf.Tensor1D };
}
