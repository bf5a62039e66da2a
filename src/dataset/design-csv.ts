/**
 * The dataset CSV of any design space (VAESA's columns stay for Simba's space, see ./csv.ts):
 * one column per design parameter, in the space's order, then the layer as Timeloop's problem
 * (`shape`, `bounds`, `coefficients`), then `cycles`, `energy` (pJ) and optionally `area` (mm²).
 *
 * ```
 * peX,peY,sramKiB,shape,bounds,coefficients,cycles,energy
 * 8,16,64,CNN-Layer,R=3 S=3 P=14 Q=14 C=64 K=128 N=1,Wstride=2 Hstride=2,123456,7.89e9
 * ```
 * `bounds` lists every dimension as `name=value`, space-separated; `coefficients` lists the
 * coefficients that differ from 1 (empty when none). `shape` is a built-in shape's name:
 * `CNN-Layer` (read back as a `ConvLayer`), `GroupedConv`, `DepthwiseConv`, `GEMM`, or `BatchedGEMM`
 * (both operands activations, as attention's products) / `BatchedGEMM+Weights` (a weight operand).
 * A custom shape has no row form (its projections are not in the file).
 */
import * as E from 'fp-ts/Either';
import { parseError, type VaesaError } from '../common/errors';
import { designFromVector, isValidDesign, type Design, type DesignSpace } from '../hardware/space';
import {
  BATCHED_MATMUL_SHAPE,
  CONV2D_SHAPE,
  DEPTHWISE_CONV_SHAPE,
  GROUPED_CONV_SHAPE,
  MATMUL_SHAPE,
  validateProblem,
  type Problem,
  type ProblemKind,
  type ProblemShape,
} from '../workload/problem';
import { convLayer, type ConvLayer } from '../workload/layer';
import { isProblem, type Layer } from '../workload/lower';
import type { DatasetRow } from './row';
import { createCsvLineReader, type CsvLineReader } from './csv-lines';
import { decimalCell } from './csv';

/** The columns after the design's parameters, in order. */
export const DESIGN_CSV_LAYER_COLUMNS = ['shape', 'bounds', 'coefficients'] as const;
export const DESIGN_CSV_METRIC_COLUMNS = ['cycles', 'energy'] as const;
const AREA = 'area';

const CONV_COEFFICIENTS: readonly [string, keyof ConvLayer][] = [
  ['Wstride', 'strideW'],
  ['Hstride', 'strideH'],
  ['Wdilation', 'dilationW'],
  ['Hdilation', 'dilationH'],
];

/** The header line of a space's generic dataset CSV (without newline). */
export function designCsvHeader(space: DesignSpace, withArea: boolean): string {
  return [...space.params.map((p) => p.name), ...DESIGN_CSV_LAYER_COLUMNS, ...DESIGN_CSV_METRIC_COLUMNS, ...(withArea ? [AREA] : [])].join(',');
}

/** The built-in shapes a row may hold, by the `shape` cell; `BatchedGEMM` with activation operands, `+Weights` without. */
const SHAPES: readonly { readonly cell: string; readonly kind: ProblemKind; readonly shape: ProblemShape; readonly weightsAreActivations: boolean }[] = [
  { cell: CONV2D_SHAPE.name, kind: 'conv2d', shape: CONV2D_SHAPE, weightsAreActivations: false },
  { cell: GROUPED_CONV_SHAPE.name, kind: 'grouped-conv', shape: GROUPED_CONV_SHAPE, weightsAreActivations: false },
  { cell: DEPTHWISE_CONV_SHAPE.name, kind: 'depthwise-conv', shape: DEPTHWISE_CONV_SHAPE, weightsAreActivations: false },
  { cell: MATMUL_SHAPE.name, kind: 'matmul', shape: MATMUL_SHAPE, weightsAreActivations: false },
  { cell: BATCHED_MATMUL_SHAPE.name, kind: 'batched-matmul', shape: BATCHED_MATMUL_SHAPE, weightsAreActivations: true },
  { cell: `${BATCHED_MATMUL_SHAPE.name}+Weights`, kind: 'batched-matmul', shape: BATCHED_MATMUL_SHAPE, weightsAreActivations: false },
];

/** The `shape`, `bounds` and `coefficients` cells of a layer; a custom shape is a programmer error (RangeError). */
function layerCells(layer: Layer): string {
  if (!isProblem(layer)) {
    const bounds = CONV2D_SHAPE.dimensions.map((d) => `${d}=${layer[d as keyof ConvLayer]}`).join(' ');
    const coefficients = CONV_COEFFICIENTS.filter(([, f]) => layer[f] !== 1)
      .map(([name, f]) => `${name}=${layer[f]}`)
      .join(' ');
    return `${CONV2D_SHAPE.name},${bounds},${coefficients}`;
  }
  const entry = SHAPES.find((s) => s.kind === layer.kind && s.shape.name === layer.shape.name && (s.kind !== 'batched-matmul' || s.weightsAreActivations === layer.weightsAreActivations));
  if (entry === undefined) throw new RangeError(`formatDesignCsvRow: the ${layer.shape.name} shape has no CSV form (built-in shapes only: ${SHAPES.map((s) => s.cell).join(', ')})`);
  const bounds = layer.shape.dimensions.map((d) => `${d}=${layer.bounds[d]}`).join(' ');
  const coefficients = Object.keys(layer.shape.coefficients)
    .filter((c) => (layer.coefficients[c] ?? 1) !== 1)
    .map((c) => `${c}=${layer.coefficients[c]}`)
    .join(' ');
  return `${entry.cell},${bounds},${coefficients}`;
}

/** One data line (without newline). Numbers use JavaScript's shortest round-trip form. */
export function formatDesignCsvRow<P extends string>(space: DesignSpace<P>, row: DatasetRow<P, Layer>, withArea: boolean): string {
  let line = `${space.params.map((p) => row.arch[p.name]).join(',')},${layerCells(row.layer)},${row.cycles},${row.energy}`;
  if (withArea) {
    if (row.area === undefined) throw new RangeError('formatDesignCsvRow: the area column needs rows with area');
    line += `,${row.area}`;
  }
  return line;
}

/** What a generic header says: the parameter columns and whether `area` follows. */
export interface DesignCsvLayout {
  readonly source: string;
  readonly params: readonly string[];
  readonly withArea: boolean;
}

/** Whether a header line is a generic dataset CSV's (its layer and metric columns are there). */
export function isDesignCsvHeader(line: string): boolean {
  const cells = stripCr(line).split(',');
  const tail = [...DESIGN_CSV_LAYER_COLUMNS, ...DESIGN_CSV_METRIC_COLUMNS].join(',');
  return cells.slice(-5).join(',') === tail || cells.slice(-6, -1).join(',') === tail;
}

/** Reads the header; with `space`, the parameter columns must be its parameters in order. */
export function parseDesignCsvHeader(line: string, source: string, space?: DesignSpace): E.Either<VaesaError, DesignCsvLayout> {
  const cells = stripCr(line).split(',');
  const withArea = cells[cells.length - 1] === AREA;
  const fixed = DESIGN_CSV_LAYER_COLUMNS.length + DESIGN_CSV_METRIC_COLUMNS.length + (withArea ? 1 : 0);
  const params = cells.slice(0, cells.length - fixed);
  if (!isDesignCsvHeader(line) || params.length === 0) {
    return E.left(parseError(source, `header: expected <parameters>,${DESIGN_CSV_LAYER_COLUMNS.join(',')},${DESIGN_CSV_METRIC_COLUMNS.join(',')}[,${AREA}], found ${stripCr(line)}`, 1));
  }
  if (space !== undefined) {
    const names = space.params.map((p) => p.name);
    for (let i = 0; i < Math.max(names.length, params.length); i++) {
      if (params[i] !== names[i]) {
        return E.left(parseError(source, `header: expected column ${i + 1} to be ${names[i] ?? DESIGN_CSV_LAYER_COLUMNS[0]} (the space ${space.name}), found ${params[i] ?? DESIGN_CSV_LAYER_COLUMNS[0]}`, 1));
      }
    }
  }
  return E.right({ source, params, withArea });
}

/** Parses one data line; with `space`, the design must be valid in it. */
export function parseDesignCsvRow(line: string, layout: DesignCsvLayout, lineNo: number, space?: DesignSpace): E.Either<VaesaError, DatasetRow<string, Layer>> {
  const cells = stripCr(line).split(',');
  const n = layout.params.length;
  const expected = n + DESIGN_CSV_LAYER_COLUMNS.length + DESIGN_CSV_METRIC_COLUMNS.length + (layout.withArea ? 1 : 0);
  const fail = (message: string, column?: string) => E.left(parseError(layout.source, message, lineNo, column));
  if (cells.length !== expected) return fail(`expected ${expected} columns, found ${cells.length}`);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = decimalCell(cells[i]);
    if (!Number.isFinite(v)) return fail(`must be a finite number (got ${JSON.stringify(cells[i])})`, layout.params[i]);
    values.push(v);
  }
  const arch: Design<string> = Object.fromEntries(layout.params.map((name, i) => [name, values[i]]));
  if (space !== undefined) {
    const validity = isValidDesign(space, designFromVector(space, values));
    if (!validity.ok) return fail(validity.reason, validity.param);
  }
  const layer = parseLayer(cells[n], cells[n + 1], cells[n + 2]);
  if (typeof layer === 'string') return fail(layer, layer.startsWith('coefficient') ? 'coefficients' : layer.startsWith('shape') ? 'shape' : 'bounds');
  const cycles = decimalCell(cells[n + 3]);
  if (!(cycles > 0 && Number.isFinite(cycles))) return fail(`must be a positive number (got ${JSON.stringify(cells[n + 3])})`, 'cycles');
  const energy = decimalCell(cells[n + 4]);
  if (!(energy > 0 && Number.isFinite(energy))) return fail(`must be a positive number (got ${JSON.stringify(cells[n + 4])})`, 'energy');
  if (!layout.withArea) return E.right({ arch, layer, cycles, energy });
  const area = decimalCell(cells[n + 5]);
  if (!(area >= 0 && Number.isFinite(area))) return fail(`must be a non-negative number (got ${JSON.stringify(cells[n + 5])})`, AREA);
  return E.right({ arch, layer, cycles, energy, area });
}

/** The layer of `shape`, `bounds` and `coefficients` cells (a `ConvLayer` for `CNN-Layer`), or the reason it is not one. */
function parseLayer(shapeCell: string, bounds: string, coefficients: string): Layer | string {
  const entry = SHAPES.find((s) => s.cell === shapeCell);
  if (entry === undefined) return `shape ${JSON.stringify(shapeCell)} is not one of ${SHAPES.map((s) => s.cell).join(', ')}`;
  const { shape } = entry;
  const dims: Record<string, number> = {};
  for (const cell of bounds.split(' ').filter((s) => s !== '')) {
    const [name, value] = cell.split('=');
    const v = decimalCell(value ?? '');
    if (!shape.dimensions.includes(name) || !(Number.isInteger(v) && v > 0)) return `bounds: ${JSON.stringify(cell)} is not <dimension>=<positive integer> of ${shape.dimensions.join(' ')}`;
    dims[name] = v;
  }
  const missing = shape.dimensions.find((d) => dims[d] === undefined);
  if (missing !== undefined) return `bounds: ${missing} is missing`;
  const coefs: Record<string, number> = {};
  for (const cell of coefficients.split(' ').filter((s) => s !== '')) {
    const [name, value] = cell.split('=');
    const v = decimalCell(value ?? '');
    if (!(name in shape.coefficients) || !(Number.isInteger(v) && v > 0)) {
      return `coefficients: ${JSON.stringify(cell)} is not one of ${Object.keys(shape.coefficients).join(', ') || '(none)'}=<positive integer>`;
    }
    coefs[name] = v;
  }
  if (entry.kind === 'conv2d') {
    const field = (name: string): number | undefined => coefs[name];
    const strides = Object.fromEntries(CONV_COEFFICIENTS.filter(([name]) => field(name) !== undefined).map(([name, f]) => [f, coefs[name]]));
    return convLayer({ R: dims.R, S: dims.S, P: dims.P, Q: dims.Q, C: dims.C, K: dims.K, N: dims.N, ...strides });
  }
  const problem: Problem = { kind: entry.kind, shape, bounds: dims, coefficients: coefs, weightsAreActivations: entry.weightsAreActivations };
  const valid = validateProblem(problem, 'bounds');
  return E.isLeft(valid) ? `bounds: ${valid.left._tag === 'InvalidInput' ? valid.left.message : 'invalid'}` : valid.right;
}

/** The line without a trailing CR, and without a byte-order mark on the header. */
function stripCr(line: string): string {
  const text = line.startsWith('\uFEFF') ? line.slice(1) : line;
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

export interface DesignCsvReadOptions {
  /** Name for messages (the file path). */
  readonly source: string;
  /** The space the designs belong to: its parameters must be the columns, and designs valid in it. */
  readonly space?: DesignSpace;
  /** Skip bad data lines, counting them, instead of failing on the first. */
  readonly skipBadRows?: boolean;
}

/** An incremental reader of a generic dataset CSV. */
export function createDesignCsvReader(options: DesignCsvReadOptions): CsvLineReader<DatasetRow<string, Layer>> {
  return createCsvLineReader(
    options,
    (line) => parseDesignCsvHeader(line, options.source, options.space),
    (line, layout, lineNo) => parseDesignCsvRow(line, layout, lineNo, options.space),
  );
}

/** A whole generic dataset CSV text: header and one line per row, each ending with a newline. */
export function formatDesignCsv<P extends string>(space: DesignSpace<P>, rows: Iterable<DatasetRow<P, Layer>>, withArea: boolean): string {
  const lines = [designCsvHeader(space, withArea)];
  for (const r of rows) lines.push(formatDesignCsvRow(space, r, withArea));
  return `${lines.join('\n')}\n`;
}
