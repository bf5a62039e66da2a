/**
 * Small dense linear algebra for the Gaussian process: symmetric matrices as row-major
 * `Float64Array`s of size n*n. Sizes here are at most a few hundred, so plain loops are fine.
 */

/** A lower-triangular Cholesky factor with the jitter that had to be added to the diagonal. */
export interface Cholesky {
  readonly n: number;
  /** Row-major n*n, lower triangle filled, upper triangle zero. */
  readonly lower: Float64Array;
  /** Amount added to the diagonal to make the factorisation succeed (0 when none was needed). */
  readonly jitter: number;
}

/**
 * Cholesky factor of a symmetric positive (semi)definite matrix. When the matrix is not numerically
 * positive definite, jitter (starting at 1e-10 of the mean diagonal, x10 each try) is added to the
 * diagonal; throws after `maxTries` failures, which means the input was not a covariance matrix.
 */
export function cholesky(matrix: Float64Array, n: number, maxTries = 8): Cholesky {
  let meanDiagonal = 0;
  for (let i = 0; i < n; i++) meanDiagonal += matrix[i * n + i];
  meanDiagonal = n > 0 ? Math.abs(meanDiagonal) / n : 1;
  let jitter = 0;
  for (let attempt = 0; attempt <= maxTries; attempt++) {
    const lower = tryCholesky(matrix, n, jitter);
    if (lower !== undefined) return { n, lower, jitter };
    jitter = jitter === 0 ? 1e-10 * (meanDiagonal || 1) : jitter * 10;
  }
  throw new RangeError(`cholesky: matrix is not positive definite even with jitter ${jitter / 10}`);
}

function tryCholesky(a: Float64Array, n: number, jitter: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] + jitter;
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0) || !Number.isFinite(d)) return undefined;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** Solves L x = b (forward substitution). */
export function solveLower(chol: Cholesky, b: ArrayLike<number>): Float64Array {
  const { n, lower: l } = chol;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** Solves L^T x = b (back substitution). */
export function solveUpper(chol: Cholesky, b: ArrayLike<number>): Float64Array {
  const { n, lower: l } = chol;
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** Solves A x = b given the Cholesky factor of A. */
export function choleskySolve(chol: Cholesky, b: ArrayLike<number>): Float64Array {
  return solveUpper(chol, solveLower(chol, b));
}

/**
 * A^-1 (row-major n*n) from the Cholesky factor of A: L⁻¹ by forward substitution, then
 * A⁻¹ = L⁻ᵀ L⁻¹ using the triangular structure (about n³/3 multiply-adds in all).
 */
export function choleskyInverse(chol: Cholesky): Float64Array {
  const { n, lower: l } = chol;
  // u = (L⁻¹)ᵀ, row-major upper triangular: every inner loop below walks rows, not columns, which
  // matters once n is a few hundred.
  const u = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const row = j * n;
    u[row + j] = 1 / l[row + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      const li = i * n;
      for (let k = j; k < i; k++) s -= l[li + k] * u[row + k];
      u[row + i] = s / l[li + i];
    }
  }
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      const ui = i * n;
      const uj = j * n;
      for (let k = j; k < n; k++) s += u[ui + k] * u[uj + k];
      inverse[i * n + j] = s;
      inverse[j * n + i] = s;
    }
  }
  return inverse;
}

/** log det A = 2 sum log L_ii. */
export function choleskyLogDet(chol: Cholesky): number {
  let s = 0;
  for (let i = 0; i < chol.n; i++) s += Math.log(chol.lower[i * chol.n + i]);
  return 2 * s;
}

/**
 * Eigen-decomposition of a symmetric n x n matrix (row-major) by cyclic Jacobi rotations: eigenvalues
 * and the eigenvectors as the columns of `vectors` (row-major), so that A = V diag(values) Vᵀ.
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]), vectors: v };
}
