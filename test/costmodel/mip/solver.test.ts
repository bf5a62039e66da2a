import * as fs from 'fs';
import * as E from 'fp-ts/Either';
import { LinearProgramBuilder } from '../../../src/costmodel/mip/linear-program';
import { loadMipSolver, solveProgram } from '../../../src/costmodel/mip/solver';

describe('loadMipSolver', () => {
  it('loads from bytes a bundle supplies itself (wasmBinary), and solves a small integer program', async () => {
    const bytes = fs.readFileSync(require.resolve('highs/runtime'));
    const loaded = await loadMipSolver({ wasmBinary: bytes });
    if (E.isLeft(loaded)) throw new Error(loaded.left._tag);
    // maximise x + y (minimise -x - y) with x + y <= 3.5, integers in [0, 10]
    const lp = new LinearProgramBuilder();
    const x = lp.addColumn('x', 0, 10, true, -1);
    const y = lp.addColumn('y', 0, 10, true, -1);
    lp.addRow('sum', new Map([[x, 1], [y, 1]]), -Infinity, 3.5);
    const outcome = solveProgram(loaded.right, lp.build(), { timeLimitSeconds: 5 });
    expect(outcome._tag === 'Solved' && outcome.objective).toBe(-3);
    expect(outcome._tag === 'Solved' && outcome.optimal).toBe(true);
  });

  it('resolves to an IoError naming highs.wasm, without rejecting, when the binary cannot be found', async () => {
    const loaded = await loadMipSolver({ locateFile: () => '/nonexistent/highs.wasm' });
    expect(E.isLeft(loaded) && loaded.left._tag).toBe('IoError');
    expect(E.isLeft(loaded) && loaded.left._tag === 'IoError' && loaded.left.path).toBe('highs.wasm');
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
