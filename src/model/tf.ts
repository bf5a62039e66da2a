/**
 * The one place that loads TensorFlow.js. `@tensorflow/tfjs-core` stays an external dependency, so
 * the engine (kept on the global object by tfjs) is the one the user's own tfjs imports see.
 * The CommonJS build of tfjs-core does not register gradient functions, so their registration
 * module is imported here and bundled into our build (see tsup.config.ts); it registers into the
 * same global registry. The cpu backend is always available; wasm is loaded on request, and by
 * `ensureDefaultBackend` where no backend is active yet.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { prepareWasmKernels } from './wasm-kernels';

export { tf };

/** Backends this package can load by name; any other registered backend name is used as is. */
export type BackendName = 'cpu' | 'wasm' | (string & {});

/** Options of `useBackend`. */
export interface UseBackendOptions {
  /**
   * Where the wasm backend's binaries (`tfjs-backend-wasm.wasm`, `-simd.wasm`, `-threaded-simd.wasm`, in
   * `@tensorflow/tfjs-backend-wasm/dist`) are served: a URL prefix ending in `/` (e.g. `'/assets/'` or
   * `new URL('.', import.meta.url).href` for "beside the bundle"), or a map from each file name to its URL.
   * Without it a browser fetches them from the page's folder (a Worker: the worker script's folder) and,
   * when they are not there, the backend cannot start. Node reads them from the package; it needs no path.
   * Ignored once the wasm backend has started.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
}

/**
 * Makes `name` the active tfjs backend, loading the wasm backend on first use. Resolves to false
 * when the backend cannot start (then the previous backend stays active).
 */
export async function useBackend(name: BackendName, options: UseBackendOptions = {}): Promise<boolean> {
  if (name === 'wasm') {
    // The import registers the backend's factory; paths must be set before the backend's first start.
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths !== undefined && tf.engine().registry.wasm === undefined) wasm.setWasmPaths(options.wasmPaths);
  }
  const ok = tf.getBackend() === name || (await tf.setBackend(name));
  await tf.ready();
  // Our WebAssembly kernels, compiled asynchronously (a browser's main thread refuses to compile them synchronously).
  if (ok && name === 'wasm') await prepareWasmKernels(tf.backend());
  return ok;
}

/**
 * Starts the library's default backend where none is active yet (the user chose none and no tensor has
 * been made): wasm, or cpu when wasm cannot start (training on cpu is many times slower, docs/model.md).
 * A backend already active, chosen by the user or by `useBackend`, is kept. Resolves to the active name.
 */
export async function ensureDefaultBackend(): Promise<string> {
  if (tf.engine().backendName == null && !(await useBackend('wasm').catch(() => false))) await useBackend('cpu');
  return tf.getBackend();
}
