/**
 * VAESA's CSV formats, pure: the training file (one row per design and layer, the layer in `prob_0..prob_8`)
 * and the per-layer file (the same without `prob_*`, the layer given by the file name).
 * VAESA's loader picks columns by position, so the column order here is exact.
 */
import * as E from 'fp-ts/Either';
import { invalidInput, parseError, type VaesaError } from '../common/errors';
import { archId, type ArchConfig } from '../hardware/arch';
import { convLayer, type ConvLayer } from '../workload/layer';
import type { DatasetRow } from './row';
import { createCsvLineReader, parseCsvText, type CsvLineReader, type CsvRead } from './csv-lines';

export { MAX_REPORTED_ERRORS } from './csv-lines';

/** The columns every VAESA file starts with, in order. */
export const VAESA_ARCH_COLUMNS = [
  'name',
  'unique_cycle_sum',
  'unique_energy_sum',
  'arith_meshX',
  'arith_ins',
  'mem0_ins',
  'mem0_ent',
  'mem1_ins',
  'mem1_ent',
  'mem2_ins',
  'mem2_ent',
  'mem3_ins',
  'mem3_ent',
  'mem4_ins',
  'mem4_ent',
] as const;

/** The layer columns of the training file: `[R, S, P, Q, C, K, N, Wstride, Hstride]`. */
export const VAESA_LAYER_COLUMNS = ['prob_0', 'prob_1', 'prob_2', 'prob_3', 'prob_4', 'prob_5', 'prob_6', 'prob_7', 'prob_8'] as const;

/** Our optional trailing column (mm²); VAESA's loader ignores columns after `prob_8`. */
export const AREA_COLUMN = 'area';

/**
 * Largest cycles, energy (pJ) or area (mm²) a cell may hold: far above any real accelerator, and small
 * enough that an EDP (cycles x energy) stays finite.
 */
const MAX_MEASURE = 1e100;
/** Largest design parameter, instance count or layer dimension a cell may hold. */
const MAX_COUNT = 2 ** 31 - 1;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Instance counts of the Simba template's memory levels (fixed by the architecture, not searched):
 * Registers one per MAC with 1 entry, AccumulationBuffer and WeightBuffer 128, InputBuffer 64, GlobalBuffer 1.
 */
const ACCUMULATION_INSTANCES = 128;
const WEIGHT_INSTANCES = 128;
const INPUT_INSTANCES = 64;
const GLOBAL_INSTANCES = 1;

export interface VaesaCsvColumns {
  /** Whether the layer is in `prob_0..prob_8` (training file) or given by the file name (per-layer file). */
  readonly withLayer: boolean;
  /** Whether a trailing `area` column follows. */
  readonly withArea: boolean;
}

/** The header line (without newline). */
export function vaesaHeader(columns: VaesaCsvColumns): string {
  return [...VAESA_ARCH_COLUMNS, ...(columns.withLayer ? VAESA_LAYER_COLUMNS : []), ...(columns.withArea ? [AREA_COLUMN] : [])].join(',');
}

/** One data line (without newline). Numbers use JavaScript's shortest round-trip form. */
export function formatVaesaRow(row: DatasetRow, columns: VaesaCsvColumns): string {
  const a = row.arch;
  let line = `${archId(a)},${row.cycles},${row.energy},${a.meshX},${a.macs},${a.macs},1,${ACCUMULATION_INSTANCES},${a.accumulationBuffer},${WEIGHT_INSTANCES},${a.weightBuffer},${INPUT_INSTANCES},${a.inputBuffer},${GLOBAL_INSTANCES},${a.globalBuffer}`;
  if (columns.withLayer) {
    const l = row.layer;
    line += `,${l.R},${l.S},${l.P},${l.Q},${l.C},${l.K},${l.N},${l.strideW},${l.strideH}`;
  }
  if (columns.withArea) {
    if (row.area === undefined) throw new RangeError(`formatVaesaRow: the area column needs rows with area (${archId(a)})`);
    line += `,${row.area}`;
  }
  return line;
}

/** A whole file: header and one line per row, each ending with a newline. */
export function formatVaesaCsv(rows: Iterable<DatasetRow>, columns: VaesaCsvColumns): string {
  const lines = [vaesaHeader(columns)];
  for (const r of rows) lines.push(formatVaesaRow(r, columns));
  return `${lines.join('\n')}\n`;
}

/** What a header says about the lines below it. */
export interface VaesaCsvLayout extends VaesaCsvColumns {
  readonly source: string;
  /** The layer of every row of a per-layer file. */
  readonly fileLayer?: ConvLayer;
}

/**
 * Reads the header line. A file without `prob_*` columns needs `fileLayer` (from its name, see
 * `layerFromFileName`); a training file ignores it.
 */
export function parseVaesaHeader(line: string, source: string, fileLayer?: ConvLayer): E.Either<VaesaError, VaesaCsvLayout> {
  // A byte-order mark (spreadsheets write one) is not part of the first column's name.
  const cells = stripCr(line.startsWith('\uFEFF') ? line.slice(1) : line).split(',');
  for (let i = 0; i < VAESA_ARCH_COLUMNS.length; i++) {
    if (cells[i] !== VAESA_ARCH_COLUMNS[i]) {
      return E.left(parseError(source, `header: expected column ${i + 1} to be ${VAESA_ARCH_COLUMNS[i]}, found ${shownCell(cells[i])}`, 1));
    }
  }
  let next = VAESA_ARCH_COLUMNS.length;
  const withLayer = cells[next] === VAESA_LAYER_COLUMNS[0];
  if (withLayer) {
    for (let i = 0; i < VAESA_LAYER_COLUMNS.length; i++) {
      if (cells[next + i] !== VAESA_LAYER_COLUMNS[i]) {
        return E.left(parseError(source, `header: expected column ${next + i + 1} to be ${VAESA_LAYER_COLUMNS[i]}, found ${shownCell(cells[next + i])}`, 1));
      }
    }
    next += VAESA_LAYER_COLUMNS.length;
  }
  const withArea = cells[next] === AREA_COLUMN;
  if (withArea) next++;
  if (cells.length !== next) return E.left(parseError(source, `header: unexpected column ${shownCell(cells[next])}`, 1));
  if (!withLayer && fileLayer === undefined) {
    return E.left(parseError(source, 'a per-layer file (no prob_* columns) needs its layer, e.g. from a file name R_S_P_Q_C_K_N_Wstride_Hstride_Wdilation_Hdilation.csv', 1));
  }
  return E.right({ source, withLayer, withArea, ...(withLayer ? {} : { fileLayer }) });
}

/** A cell as messages show it: quoted (so odd characters show), cut short (a binary file has long "cells"). */
function shownCell(cell: string | undefined): string {
  if (cell === undefined) return 'nothing';
  const quoted = JSON.stringify(cell);
  return quoted.length > 40 ? `${quoted.slice(0, 37)}..."` : quoted;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Number of cells a data line of `layout` has. */
function cellCount(layout: VaesaCsvColumns): number {
  return VAESA_ARCH_COLUMNS.length + (layout.withLayer ? VAESA_LAYER_COLUMNS.length : 0) + (layout.withArea ? 1 : 0);
}

function columnName(layout: VaesaCsvColumns, index: number): string {
  if (index < VAESA_ARCH_COLUMNS.length) return VAESA_ARCH_COLUMNS[index];
  const i = index - VAESA_ARCH_COLUMNS.length;
  return layout.withLayer && i < VAESA_LAYER_COLUMNS.length ? VAESA_LAYER_COLUMNS[i] : AREA_COLUMN;
}

/** Checks of each column after `name`, in column order; used to name the first bad cell of a rejected line. */
type CellCheck = { readonly ok: (v: number) => boolean; readonly message: string };
const POSITIVE: CellCheck = { ok: isPositiveMeasure, message: `must be a positive decimal number up to ${MAX_MEASURE}` };
const POSITIVE_INT: CellCheck = { ok: isPositiveInt, message: `must be a positive integer up to ${MAX_COUNT}` };
const NON_NEGATIVE: CellCheck = { ok: (v) => v >= 0 && v <= MAX_MEASURE, message: `must be a non-negative decimal number up to ${MAX_MEASURE}` };

function cellCheck(layout: VaesaCsvColumns, index: number): CellCheck {
  if (index <= 2) return POSITIVE;
  if (index < cellCount(layout) - (layout.withArea ? 1 : 0)) return POSITIVE_INT;
  return NON_NEGATIVE;
}

/**
 * Parses one data line (1-based `lineNo` for messages). Cycles and energy must be positive numbers,
 * design parameters, instance counts and layer dimensions positive integers, area non-negative.
 * The `name` column is not checked. This is the hot loop of reading large files: a line of plain digits
 * is read in one pass by `scanRow`; any other line (CRLF, `32.0`, a bad cell) takes the general path
 * below, which gives the same row or names the first bad cell.
 */
export function parseVaesaRow(line: string, layout: VaesaCsvLayout, lineNo: number): E.Either<VaesaError, DatasetRow> {
  const scanned = scanRow(line, layout);
  if (scanned !== undefined) return E.right(scanned);
  const cells = (line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line).split(',');
  const expected = cellCount(layout);
  if (cells.length !== expected) {
    return E.left(parseError(layout.source, `expected ${expected} columns, found ${cells.length}`, lineNo, cells.length < expected ? columnName(layout, cells.length) : undefined));
  }
  const cycles = decimalCell(cells[1]);
  const energy = decimalCell(cells[2]);
  const meshX = decimalCell(cells[3]);
  const macs = decimalCell(cells[4]);
  const accumulationBuffer = decimalCell(cells[8]);
  const weightBuffer = decimalCell(cells[10]);
  const inputBuffer = decimalCell(cells[12]);
  const globalBuffer = decimalCell(cells[14]);
  let ok =
    isPositiveMeasure(cycles) &&
    isPositiveMeasure(energy) &&
    isPositiveInt(meshX) &&
    isPositiveInt(macs) &&
    isPositiveInt(accumulationBuffer) &&
    isPositiveInt(weightBuffer) &&
    isPositiveInt(inputBuffer) &&
    isPositiveInt(globalBuffer) &&
    isPositiveInt(decimalCell(cells[5])) &&
    isPositiveInt(decimalCell(cells[6])) &&
    isPositiveInt(decimalCell(cells[7])) &&
    isPositiveInt(decimalCell(cells[9])) &&
    isPositiveInt(decimalCell(cells[11])) &&
    isPositiveInt(decimalCell(cells[13]));
  let layer = layout.fileLayer as ConvLayer;
  if (ok && layout.withLayer) {
    const R = decimalCell(cells[15]);
    const S = decimalCell(cells[16]);
    const P = decimalCell(cells[17]);
    const Q = decimalCell(cells[18]);
    const C = decimalCell(cells[19]);
    const K = decimalCell(cells[20]);
    const N = decimalCell(cells[21]);
    const strideW = decimalCell(cells[22]);
    const strideH = decimalCell(cells[23]);
    ok = isPositiveInt(R) && isPositiveInt(S) && isPositiveInt(P) && isPositiveInt(Q) && isPositiveInt(C) && isPositiveInt(K) && isPositiveInt(N) && isPositiveInt(strideW) && isPositiveInt(strideH);
    layer = { R, S, P, Q, C, K, N, strideW, strideH, dilationW: 1, dilationH: 1 };
  }
  const area = layout.withArea ? decimalCell(cells[expected - 1]) : 0;
  if (!ok || !(area >= 0 && area <= MAX_MEASURE)) {
    for (let i = 1; i < expected; i++) {
      const check = cellCheck(layout, i);
      if (!check.ok(decimalCell(cells[i]))) {
        return E.left(parseError(layout.source, `${check.message} (got ${shownCell(cells[i])})`, lineNo, columnName(layout, i)));
      }
    }
  }
  const arch: ArchConfig = { meshX, macs, accumulationBuffer, weightBuffer, inputBuffer, globalBuffer };
  return E.right(layout.withArea ? { arch, layer, cycles, energy, area } : { arch, layer, cycles, energy });
}

/** A left-to-right reader of one line's comma-separated cells. */
class CellScanner {
  private pos = 0;
  constructor(private readonly line: string) {}

  /** Moves past the next cell; false if it is the last one. */
  skip(): boolean {
    const j = this.line.indexOf(',', this.pos);
    this.pos = j + 1;
    return j >= 0;
  }

  /**
   * The next cell if it is 1 to 15 ASCII digits (exact in a double, so equal to `Number`'s reading) of
   * at most `MAX_COUNT`, ending where it should (a comma, or the line's end when `last`); else NaN.
   */
  digits(last: boolean): number {
    const s = this.line;
    const start = this.pos;
    let i = start;
    let v = 0;
    let c = s.charCodeAt(i);
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = s.charCodeAt(++i);
    }
    this.pos = i + 1;
    return i > start && i - start <= 15 && v <= MAX_COUNT && (last ? i === s.length : c === 44) ? v : Number.NaN;
  }

  /** The next cell as a decimal number (NaN if empty, missing or not decimal, see `toNumber`). */
  number(last: boolean): number {
    const s = this.line;
    const end = last ? s.length : s.indexOf(',', this.pos);
    const v = end > this.pos ? decimalCell(s.slice(this.pos, end)) : Number.NaN;
    this.pos = end + 1;
    return v;
  }
}

/** `parseVaesaRow`'s one-pass reading of a well-formed line of plain digits; undefined for anything else. */
function scanRow(line: string, layout: VaesaCsvLayout): DatasetRow | undefined {
  const c = new CellScanner(line);
  if (!c.skip()) return undefined;
  const more = layout.withLayer || layout.withArea;
  const cycles = c.number(false);
  const energy = c.number(false);
  const meshX = c.digits(false);
  const macs = c.digits(false);
  const registers = c.digits(false);
  const registerEntries = c.digits(false);
  const accumulationInstances = c.digits(false);
  const accumulationBuffer = c.digits(false);
  const weightInstances = c.digits(false);
  const weightBuffer = c.digits(false);
  const inputInstances = c.digits(false);
  const inputBuffer = c.digits(false);
  const globalInstances = c.digits(false);
  const globalBuffer = c.digits(!more);
  // A NaN anywhere fails these comparisons; digit runs are integers >= 0, so > 0 means a positive integer.
  const ok =
    isPositiveMeasure(cycles) &&
    isPositiveMeasure(energy) &&
    meshX > 0 &&
    macs > 0 &&
    registers > 0 &&
    registerEntries > 0 &&
    accumulationInstances > 0 &&
    accumulationBuffer > 0 &&
    weightInstances > 0 &&
    weightBuffer > 0 &&
    inputInstances > 0 &&
    inputBuffer > 0 &&
    globalInstances > 0 &&
    globalBuffer > 0;
  if (!ok) return undefined;
  const arch: ArchConfig = { meshX, macs, accumulationBuffer, weightBuffer, inputBuffer, globalBuffer };
  let layer = layout.fileLayer as ConvLayer;
  if (layout.withLayer) {
    const R = c.digits(false);
    const S = c.digits(false);
    const P = c.digits(false);
    const Q = c.digits(false);
    const C = c.digits(false);
    const K = c.digits(false);
    const N = c.digits(false);
    const strideW = c.digits(false);
    const strideH = c.digits(!layout.withArea);
    if (!(R > 0 && S > 0 && P > 0 && Q > 0 && C > 0 && K > 0 && N > 0 && strideW > 0 && strideH > 0)) return undefined;
    layer = { R, S, P, Q, C, K, N, strideW, strideH, dilationW: 1, dilationH: 1 };
  }
  if (!layout.withArea) return { arch, layer, cycles, energy };
  const area = c.number(true);
  return area >= 0 && area <= MAX_MEASURE ? { arch, layer, cycles, energy, area } : undefined;
}

/** A cell as a plain decimal number (`12`, `1.5`, `2.5e+9`); NaN for anything else (empty, `Infinity`, `0x10`, ` 1`). */
export function decimalCell(cell: string): number {
  return DECIMAL.test(cell) ? Number(cell) : Number.NaN;
}

function isPositiveMeasure(v: number): boolean {
  return v > 0 && v <= MAX_MEASURE;
}

function isPositiveInt(v: number): boolean {
  return Number.isInteger(v) && v > 0 && v <= MAX_COUNT;
}

/** The rows of a VAESA file and what was skipped. */
export type VaesaCsvRead = CsvRead<DatasetRow>;

export interface VaesaCsvReadOptions {
  /** Name for messages (the file path). */
  readonly source: string;
  /** The layer of a per-layer file. */
  readonly fileLayer?: ConvLayer;
  /** Skip bad data lines, counting them, instead of failing on the first. */
  readonly skipBadRows?: boolean;
}

/**
 * An incremental reader: feed it lines (without newline) in order, then `finish()`.
 * Lets the edge stream a large or gzipped file through the same rules as `parseVaesaCsv`.
 */
export type VaesaCsvLineReader = CsvLineReader<DatasetRow>;

export function createVaesaCsvReader(options: VaesaCsvReadOptions): VaesaCsvLineReader {
  return createCsvLineReader(options, (line) => parseVaesaHeader(line, options.source, options.fileLayer), parseVaesaRow);
}

/** Parses a whole VAESA CSV text (either format); like a file, it must end with a newline (see `VaesaCsvLineReader.push`). */
export function parseVaesaCsv(text: string, options: VaesaCsvReadOptions): E.Either<VaesaError, VaesaCsvRead> {
  return parseCsvText(text, createVaesaCsvReader(options));
}

/**
 * The layer a per-layer file is about, from its name: `[dataset_]R_S_P_Q_C_K_N_Wstride_Hstride[_Wdilation_Hdilation].csv[.gz]`
 * (the reference files and VAESA's `db/layer_db` both use this).
 */
export function layerFromFileName(fileName: string): E.Either<VaesaError, ConvLayer> {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.csv(\.gz)?$/i, '').replace(/^dataset_/, '');
  const parts = base.split('_');
  const numbers = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if ((numbers.length !== 9 && numbers.length !== 11) || numbers.some((n) => !(n > 0))) {
    return E.left(invalidInput('file name', fileName, 'expected R_S_P_Q_C_K_N_Wstride_Hstride[_Wdilation_Hdilation] with positive integers'));
  }
  const [R, S, P, Q, C, K, N, strideW, strideH, dilationW = 1, dilationH = 1] = numbers;
  return E.right(convLayer({ R, S, P, Q, C, K, N, strideW, strideH, dilationW, dilationH }));
}
