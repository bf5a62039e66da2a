import * as fs from 'fs';
import * as path from 'path';
import * as E from 'fp-ts/Either';
import { CONV2D_SHAPE, problemMacs } from '../../src/workload/problem';
import { parseTimeloopProblem } from '../../src/workload/timeloop-problem';
import { GENERIC_DIR, genericRunsAvailable } from '../costmodel/generic-runs';

const leftOf = <A>(e: E.Either<unknown, A>): unknown => (E.isLeft(e) ? e.left : undefined);

const gemm = `problem:
  shape:
    name: GEMM
    dimensions: [M, N, K]
    data-spaces:
    - name: Weights
      projection: [[[K]], [[N]]]
    - name: Inputs
      projection: [[[M]], [[K]]]
    - name: Outputs
      projection: [[[M]], [[N]]]
      read-write: true
  instance: {M: 4, N: 3, K: 2}
`;

describe('parseTimeloopProblem', () => {
  it('reads the built-in cnn-layer shape with strides', () => {
    const p = parseTimeloopProblem('problem:\n  shape: cnn-layer\n  instance: {R: 3, S: 3, P: 7, Q: 7, C: 8, K: 16, N: 1, Wstride: 2}\n');
    expect(E.isRight(p) && p.right.shape).toBe(CONV2D_SHAPE);
    expect(E.isRight(p) && p.right.kind).toBe('conv2d');
    expect(E.isRight(p) && p.right.coefficients).toEqual({ Wstride: 2, Hstride: 1, Wdilation: 1, Hdilation: 1 });
    expect(E.isRight(p) && problemMacs(p.right)).toBe(3 * 3 * 7 * 7 * 8 * 16);
  });

  it('reads an embedded shape: dimensions, projections, read-write', () => {
    const p = parseTimeloopProblem(gemm);
    if (E.isLeft(p)) throw new Error(JSON.stringify(p.left));
    expect(p.right.kind).toBe('custom');
    expect(p.right.shape.dimensions).toEqual(['M', 'N', 'K']);
    expect(p.right.shape.dataSpaces.map((d) => [d.name, d.projection.map((r) => r.map((t) => t.dim).join('+')).join(','), d.readWrite])).toEqual([
      ['Weights', 'K,N', false],
      ['Inputs', 'M,K', false],
      ['Outputs', 'M,N', true],
    ]);
    expect(p.right.bounds).toEqual({ M: 4, N: 3, K: 2 });
  });

  (genericRunsAvailable() ? it : it.skip)('reads all nine problem files of the generic reference, with their coefficients', () => {
    const dir = path.join(GENERIC_DIR, 'arch', 'problems');
    const files = fs.readdirSync(dir);
    expect(files).toHaveLength(9);
    for (const f of files) {
      const p = parseTimeloopProblem(fs.readFileSync(path.join(dir, f), 'utf8'), f);
      expect(E.isRight(p)).toBe(true);
    }
    const depthwise = parseTimeloopProblem(fs.readFileSync(path.join(dir, 'depthwise3x3.yaml'), 'utf8'));
    if (E.isLeft(depthwise)) throw new Error('depthwise');
    expect(depthwise.right.shape.dataSpaces[1].projection[1]).toEqual([
      { dim: 'R', coefficient: 'Wdilation' },
      { dim: 'P', coefficient: 'Wstride' },
    ]);
    expect(problemMacs(depthwise.right)).toBe(64 * 3 * 3 * 28 * 28);
  });

  it('names the field and value of bad input', () => {
    expect(leftOf(parseTimeloopProblem(gemm.replace('[[[K]], [[N]]]', '[[[K]], [[Z]]]')))).toMatchObject({ path: 'problem.shape.data-spaces[0].projection[1][0]', value: 'Z' });
    expect(leftOf(parseTimeloopProblem(gemm.replace('{M: 4, N: 3, K: 2}', '{M: 4, N: 3}')))).toMatchObject({ path: 'problem.instance.K' });
    expect(leftOf(parseTimeloopProblem(gemm.replace('{M: 4, N: 3, K: 2}', '{M: 4, N: 3, K: 2, X: 1}')))).toMatchObject({ path: 'problem.instance.X', value: 1 });
    expect(leftOf(parseTimeloopProblem(gemm.replace('{M: 4, N: 3, K: 2}', '{M: 4, N: 0, K: 2}')))).toMatchObject({ path: 'problem.bounds.N', value: 0 });
    expect(leftOf(parseTimeloopProblem(gemm.replace('      read-write: true', '      readwrite: true')))).toMatchObject({ path: 'problem.shape.data-spaces[2].readwrite' });
    expect(leftOf(parseTimeloopProblem(gemm.replace('      read-write: true\n', '')))).toMatchObject({ path: 'problem.shape.dataSpaces' });
    expect(leftOf(parseTimeloopProblem('problem:\n  shape: matmul-layer\n  instance: {M: 1}'))).toMatchObject({ path: 'problem.shape', value: 'matmul-layer' });
    expect(leftOf(parseTimeloopProblem('problem: [1,\n  2', 'x.yaml'))).toMatchObject({ _tag: 'ParseError', source: 'x.yaml' });
  });
});
