/**
 * A solver-independent mixed-integer linear program: minimise `colCost · x` subject to
 * `rowLower <= A x <= rowUpper` and `colLower <= x <= colUpper`, some columns integer.
 * The CoSA formulation is built as this plain value, so it can be inspected, tested and handed
 * to any MIP solver (HiGHS here, see `solver.ts`).
 */
export interface LinearProgram {
  readonly numCols: number;
  readonly numRows: number;
  readonly colCost: Float64Array;
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  /** 1 for an integer column, 0 for a continuous one. */
  readonly integrality: Int32Array;
  /** Column names, for debugging and for writing the program in LP format. */
  readonly colNames: readonly string[];
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
  readonly rowNames: readonly string[];
  /** The constraint matrix, row-wise (CSR): row `i` is `indices/values[starts[i] .. starts[i+1])`. */
  readonly starts: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** A linear expression: coefficient by column index. */
export type LinearExpr = Map<number, number>;

/** Adds `coef * col` to `expr` (in place) and returns it. */
export function addTerm(expr: LinearExpr, col: number, coef: number): LinearExpr {
  if (coef !== 0) expr.set(col, (expr.get(col) ?? 0) + coef);
  return expr;
}

/** Adds `scale * other` to `expr` (in place) and returns it. */
export function addExpr(expr: LinearExpr, other: LinearExpr, scale = 1): LinearExpr {
  for (const [col, coef] of other) addTerm(expr, col, coef * scale);
  return expr;
}

/** Accumulates columns and rows, then freezes them into a `LinearProgram`. */
export class LinearProgramBuilder {
  private readonly cost: number[] = [];
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];
  private readonly integer: number[] = [];
  private readonly colNames: string[] = [];
  private readonly rowLower: number[] = [];
  private readonly rowUpper: number[] = [];
  private readonly rowNames: string[] = [];
  private readonly starts: number[] = [0];
  private readonly indices: number[] = [];
  private readonly values: number[] = [];

  /** Adds a column and returns its index. */
  addColumn(name: string, lower: number, upper: number, integer: boolean, cost = 0): number {
    if (!(lower <= upper)) throw new RangeError(`LinearProgramBuilder: column ${name} has lower ${lower} > upper ${upper}`);
    this.cost.push(cost);
    this.lower.push(lower);
    this.upper.push(upper);
    this.integer.push(integer ? 1 : 0);
    this.colNames.push(name);
    return this.cost.length - 1;
  }

  /** Adds `coef` to the objective coefficient of `col`. */
  addCost(col: number, coef: number): void {
    this.cost[col] += coef;
  }

  /** Adds every term of `expr`, scaled, to the objective. */
  addCostExpr(expr: LinearExpr, scale = 1): void {
    for (const [col, coef] of expr) this.cost[col] += coef * scale;
  }

  /** Adds the row `lower <= expr <= upper` (use ±Infinity for a one-sided row). */
  addRow(name: string, expr: LinearExpr, lower: number, upper: number): void {
    for (const [col, coef] of expr) {
      if (coef === 0) continue;
      this.indices.push(col);
      this.values.push(coef);
    }
    this.starts.push(this.indices.length);
    this.rowLower.push(lower);
    this.rowUpper.push(upper);
    this.rowNames.push(name);
  }

  build(): LinearProgram {
    return {
      numCols: this.cost.length,
      numRows: this.rowLower.length,
      colCost: Float64Array.from(this.cost),
      colLower: Float64Array.from(this.lower),
      colUpper: Float64Array.from(this.upper),
      integrality: Int32Array.from(this.integer),
      colNames: [...this.colNames],
      rowLower: Float64Array.from(this.rowLower),
      rowUpper: Float64Array.from(this.rowUpper),
      rowNames: [...this.rowNames],
      starts: Int32Array.from(this.starts),
      indices: Int32Array.from(this.indices),
      values: Float64Array.from(this.values),
    };
  }
}

/** The objective value of `x` (no feasibility check). */
export function linearObjectiveValue(lp: LinearProgram, x: ArrayLike<number>): number {
  let total = 0;
  for (let j = 0; j < lp.numCols; j++) total += lp.colCost[j] * x[j];
  return total;
}

/** The program in CPLEX LP text format (what CoSA writes as `debug.lp`), for inspection with any solver. */
export function toLpFormat(lp: LinearProgram): string {
  const term = (coef: number, name: string, first: boolean): string => {
    const sign = coef < 0 ? '-' : first ? '' : '+';
    return `${sign} ${Math.abs(coef)} ${name}`;
  };
  const lines: string[] = ['Minimize', ' obj:'];
  let first = true;
  for (let j = 0; j < lp.numCols; j++) {
    if (lp.colCost[j] === 0) continue;
    lines.push(`  ${term(lp.colCost[j], lp.colNames[j], first)}`);
    first = false;
  }
  lines.push('Subject To');
  for (let i = 0; i < lp.numRows; i++) {
    const parts: string[] = [];
    for (let k = lp.starts[i]; k < lp.starts[i + 1]; k++) parts.push(term(lp.values[k], lp.colNames[lp.indices[k]], parts.length === 0));
    const body = parts.length === 0 ? '0 ' + lp.colNames[0] : parts.join(' ');
    const lo = lp.rowLower[i];
    const hi = lp.rowUpper[i];
    if (lo === hi) lines.push(` ${lp.rowNames[i]}: ${body} = ${lo}`);
    else {
      if (Number.isFinite(lo)) lines.push(` ${lp.rowNames[i]}_lo: ${body} >= ${lo}`);
      if (Number.isFinite(hi)) lines.push(` ${lp.rowNames[i]}_hi: ${body} <= ${hi}`);
    }
  }
  lines.push('Bounds');
  for (let j = 0; j < lp.numCols; j++) {
    const lo = Number.isFinite(lp.colLower[j]) ? String(lp.colLower[j]) : '-inf';
    const hi = Number.isFinite(lp.colUpper[j]) ? String(lp.colUpper[j]) : '+inf';
    lines.push(` ${lo} <= ${lp.colNames[j]} <= ${hi}`);
  }
  const generals = lp.colNames.filter((_, j) => lp.integrality[j] === 1);
  if (generals.length > 0) lines.push('Generals', ` ${generals.join(' ')}`);
  lines.push('End');
  return lines.join('\n');
}
