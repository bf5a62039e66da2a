import * as fs from 'fs';
import * as E from 'fp-ts/Either';
import { LinearProgramBuilder } from '../../../src/mapper/mip/linear-program';
import { loadMipSolver, solveProgram, type MipSolver, type MipSolverLoadOptions } from '../../../src/mapper/mip/solver';

/** maximise x + y (minimise -x - y) with x + y <= 3.5, integers in [0, 10]: optimum -3. */
function smallIntegerProgram() {
  const lp = new LinearProgramBuilder();
  const x = lp.addColumn('x', 0, 10, true, -1);
  const y = lp.addColumn('y', 0, 10, true, -1);
  lp.addRow('sum', new Map([[x, 1], [y, 1]]), -Infinity, 3.5);
  return lp.build();
}

async function loadedOrThrow(options: MipSolverLoadOptions): Promise<MipSolver> {
  const loaded = await loadMipSolver(options);
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  return loaded.right;
}

describe('loadMipSolver', () => {
  const bytes = fs.readFileSync(require.resolve('highs/runtime'));
  // A locateFile that leads nowhere: the load succeeds only if the given binary is used and nothing is read.
  const nowhere = () => '/nonexistent/highs.wasm';

  it('loads from bytes a bundle supplies itself (wasmBinary), without reading any file, and solves a small integer program', async () => {
    const solver = await loadedOrThrow({ wasmBinary: bytes, locateFile: nowhere });
    const outcome = solveProgram(solver, smallIntegerProgram(), { timeLimitSeconds: 5 });
    expect(outcome._tag === 'Solved' && outcome.objective).toBe(-3);
    expect(outcome._tag === 'Solved' && outcome.optimal).toBe(true);
  });

  it('loads from a compiled module (wasmModule), and from an ArrayBuffer of the bytes', async () => {
    // The project's `lib` has no WebAssembly typings; the runtime has the API.
    const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WebAssembly.Module> } }).WebAssembly;
    const compiled = await wasm.compile(bytes);
    const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    for (const options of [{ wasmModule: compiled, locateFile: nowhere }, { wasmBinary: arrayBuffer, locateFile: nowhere }]) {
      const outcome = solveProgram(await loadedOrThrow(options), smallIntegerProgram(), { timeLimitSeconds: 5 });
      expect(outcome._tag === 'Solved' && outcome.objective).toBe(-3);
    }
  });

  it('resolves to an IoError naming highs.wasm, without rejecting, when the binary cannot be found', async () => {
    const loaded = await loadMipSolver({ locateFile: nowhere });
    expect(E.isLeft(loaded) && loaded.left._tag).toBe('IoError');
    expect(E.isLeft(loaded) && loaded.left._tag === 'IoError' && loaded.left.path).toBe('highs.wasm');
  });

  it('resolves to an IoError, without hanging, when the given bytes are not WebAssembly', async () => {
    const loaded = await loadMipSolver({ wasmBinary: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) });
    expect(E.isLeft(loaded) && loaded.left._tag).toBe('IoError');
  });
});

describe('solveProgram', () => {
  it('reports an infeasible program as Infeasible', async () => {
    const loaded = await loadMipSolver();
    if (E.isLeft(loaded)) throw new Error(loaded.left._tag);
    const lp = new LinearProgramBuilder();
    const x = lp.addColumn('x', 0, 1, true, 1);
    lp.addRow('impossible', new Map([[x, 2]]), 3, Infinity);
    expect(solveProgram(loaded.right, lp.build(), { timeLimitSeconds: 5 })._tag).toBe('Infeasible');
  });
});
