import { cholesky, choleskyInverse, choleskyLogDet, choleskySolve } from '../../src/search/linalg';

// A = B Bᵀ + I for a fixed B, symmetric positive definite
const n = 5;
const b = Array.from({ length: n * n }, (_, k) => Math.sin(k + 1));
const a = new Float64Array(n * n);
for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
  let s = i === j ? 1 : 0;
  for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
  a[i * n + j] = s;
}

describe('cholesky', () => {
  const chol = cholesky(a, n);

  it('reconstructs A = L Lᵀ without jitter for a positive definite matrix', () => {
    expect(chol.jitter).toBe(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += chol.lower[i * n + k] * chol.lower[j * n + k];
      expect(s).toBeCloseTo(a[i * n + j], 12);
    }
  });

  it('solves, inverts and gives log det consistently', () => {
    const x = choleskySolve(chol, [1, 2, 3, 4, 5]);
    for (let i = 0; i < n; i++) expect(a.slice(i * n, (i + 1) * n).reduce((s, v, j) => s + v * x[j], 0)).toBeCloseTo(i + 1, 10);
    const inv = choleskyInverse(chol);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * inv[k * n + j];
      expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
    }
    // det of [[2,1],[1,2]] = 3
    expect(choleskyLogDet(cholesky(Float64Array.from([2, 1, 1, 2]), 2))).toBeCloseTo(Math.log(3), 14);
  });

  it('adds jitter to a singular covariance and refuses a non-covariance', () => {
    const singular = Float64Array.from([1, 1, 1, 1]);
    expect(cholesky(singular, 2).jitter).toBeGreaterThan(0);
    expect(() => cholesky(Float64Array.from([1, 0, 0, -1]), 2)).toThrow(RangeError);
  });
});
