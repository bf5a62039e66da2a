/**
 * Test fixture, not a test: a minimal browser app using the MIP mapper. `browser-bundle.test.ts` bundles it
 * with esbuild for the browser and runs the bundle in `browser-sandbox.mjs` (no Node globals). It imports the
 * library's main entry, as an app's `import ... from 'vaesa'` does.
 */
import * as E from 'fp-ts/Either';
import { convLayer, findMappingMip, formatError, loadMipSolver, type ArchConfig, type ConvLayer, type MipSolverLoadOptions } from '../../../src/index';

/** How the app gets `highs.wasm`: the loader's default (beside the bundle), bytes the app fetched, or a URL. */
export type WasmSource = { readonly kind: 'default' } | { readonly kind: 'bytes'; readonly url: string } | { readonly kind: 'locateFile'; readonly url: string };

export interface BrowserSolveRequest {
  readonly wasm: WasmSource;
  readonly arch: ArchConfig;
  readonly layer: Pick<ConvLayer, 'R' | 'S' | 'P' | 'Q' | 'C' | 'K' | 'N' | 'strideW' | 'strideH'>;
}

/** Plain JSON, so it crosses the sandbox boundary as text. */
export type BrowserSolveResult =
  | { readonly _tag: 'LoadFailed'; readonly error: string; readonly errorTag: string }
  | { readonly _tag: 'SolveFailed'; readonly error: string }
  | { readonly _tag: 'Solved'; readonly objective: number; readonly optimal: boolean; readonly mapping: unknown };

async function loadOptions(wasm: WasmSource): Promise<MipSolverLoadOptions> {
  switch (wasm.kind) {
    case 'default':
      return {};
    case 'bytes':
      return { wasmBinary: new Uint8Array(await (await fetch(wasm.url)).arrayBuffer()) };
    case 'locateFile':
      return { locateFile: () => wasm.url };
  }
}

export async function solveInBrowser(request: BrowserSolveRequest): Promise<BrowserSolveResult> {
  const loaded = await loadMipSolver(await loadOptions(request.wasm));
  if (E.isLeft(loaded)) return { _tag: 'LoadFailed', error: formatError(loaded.left), errorTag: loaded.left._tag };
  // The test checks optimality, not speed: a loaded machine must not turn it into a timeout.
  const result = findMappingMip(loaded.right, request.arch, convLayer(request.layer), { relativeGap: 0, timeLimitSeconds: 60 });
  if (E.isLeft(result)) return { _tag: 'SolveFailed', error: formatError(result.left) };
  return { _tag: 'Solved', objective: result.right.objective, optimal: result.right.optimal, mapping: result.right.mapping };
}
