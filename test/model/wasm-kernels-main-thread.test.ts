// A browser's main thread refuses to compile a WebAssembly module over 4 KB synchronously (Chrome:
// "WebAssembly.Module is disallowed on the main thread, if the buffer size is larger than 4KB");
// this file simulates that runtime (its own module registry: a fresh wasm backend and kernel cache).
import { tf, useBackend } from '../../src/model/tf';
import { prepareWasmKernels, wasmMatMul } from '../../src/model/wasm-kernels';

const webAssembly = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
const SyncModule = webAssembly.Module;

describe('wasm kernels where synchronous compilation of large modules is refused', () => {
  beforeAll(() => {
    webAssembly.Module = function (bytes: Uint8Array) {
      if (bytes.length > 4096) throw new RangeError('WebAssembly.Module is disallowed on the main thread, if the buffer size is larger than 4KB');
      return new SyncModule(bytes);
    } as unknown as typeof SyncModule;
  });
  afterAll(async () => {
    webAssembly.Module = SyncModule;
    await tf.setBackend('cpu');
  });

  it('are unavailable through the synchronous path, and available once prepared asynchronously (as useBackend does)', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(wasmMatMul(tf.backend())).toBeUndefined();
    expect(await prepareWasmKernels(tf.backend())).toBe(true);
    expect(await useBackend('wasm')).toBe(true);
    const product = wasmMatMul(tf.backend());
    expect(product).toBeDefined();
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, 0], [0, 1], [2, -1]]);
    const out = tf.zeros([2, 2]);
    product?.({ a, b, transposeA: false, transposeB: false }, out);
    // [1 + 6, 2 - 3] and [4 + 12, 5 - 6]
    expect(Array.from(out.dataSync())).toEqual([7, -1, 16, -1]);
    tf.dispose([a, b, out]);
  });
});
