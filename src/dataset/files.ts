/** File-system edge of the dataset module: streaming reads and writes of VAESA CSV files (plain or .gz). */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import * as E from 'fp-ts/Either';
import { createRng } from '../common/rng';
import { invalidInput, parseError, type VaesaError } from '../common/errors';
import type { ConvLayer } from '../workload/layer';
import {
  createVaesaCsvReader,
  formatVaesaRow,
  layerFromFileName,
  MAX_REPORTED_ERRORS,
  vaesaHeader,
  type VaesaCsvColumns,
  type VaesaCsvRead,
} from './csv';
import type { DatasetRow } from './row';
import type { Layer } from '../workload/lower';
import type { DesignSpace } from '../hardware/space';
import { createDatasetCsvReader, datasetCsvFormat, type DatasetCsvFormat } from './dataset-csv';
import type { CsvLineReader, CsvRead } from './csv-lines';
import { sampleIndices } from './split';

export const ioError = (file: string, e: unknown): VaesaError => ({ _tag: 'IoError', path: file, message: (e as Error).message });

const isGzip = (file: string): boolean => file.toLowerCase().endsWith('.gz');

/** A batch of lines (without newlines); `unterminated` marks the final text after the last newline. */
interface LineBatch {
  readonly lines: readonly string[];
  readonly unterminated: boolean;
}

/** Streams the lines of a plain or gzipped text file in batches (one per read chunk). */
async function* lineBatches(file: string): AsyncGenerator<LineBatch> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream: Readable = isGzip(file) ? raw.pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (stream !== raw) raw.on('error', (e) => stream.destroy(e));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of stream) {
      const text = rest + decoder.write(chunk as Buffer);
      const lines: string[] = [];
      let start = 0;
      let end = text.indexOf('\n');
      while (end >= 0) {
        lines.push(text.slice(start, end));
        start = end + 1;
        end = text.indexOf('\n', start);
      }
      rest = text.slice(start);
      if (lines.length > 0) yield { lines, unterminated: false };
    }
    rest += decoder.end();
    if (rest !== '') yield { lines: [rest], unterminated: true };
  } finally {
    stream.destroy();
    raw.destroy();
  }
}

export interface ReadVaesaCsvOptions {
  /** Skip bad rows (counting them) instead of failing on the first. */
  readonly skipBadRows?: boolean;
  /** The layer of a per-layer file; by default taken from the file name when the file has no `prob_*` columns. */
  readonly layer?: ConvLayer;
}

/** Reads one VAESA CSV file (training or per-layer format, plain or .gz) into typed rows. */
export async function readVaesaCsv(file: string, options: ReadVaesaCsvOptions = {}): Promise<E.Either<VaesaError, VaesaCsvRead>> {
  const named = options.layer === undefined ? layerFromFileName(file) : E.right(options.layer);
  const reader = createVaesaCsvReader({
    source: file,
    skipBadRows: options.skipBadRows,
    ...(E.isRight(named) ? { fileLayer: named.right } : {}),
  });
  return readLines(file, reader);
}

export interface ReadDatasetCsvOptions {
  /** The space of a generic file (its parameters must be the columns); VAESA files are read as Simba's. */
  readonly space?: DesignSpace;
  readonly skipBadRows?: boolean;
}

/**
 * Reads one dataset file of any space (plain or .gz): VAESA's formats (a per-layer file takes its layer
 * from its name) or the generic columns, told apart by the header.
 */
export async function readDatasetCsv(file: string, options: ReadDatasetCsvOptions = {}): Promise<E.Either<VaesaError, CsvRead<DatasetRow<string, Layer>>>> {
  const named = layerFromFileName(file);
  return readLines(file, createDatasetCsvReader({ source: file, ...options, ...(E.isRight(named) ? { fileLayer: named.right } : {}) }));
}

/** Reads many dataset files (or folders of them) of one space into one list, in file-name order. */
export async function readDatasetCsvFiles(inputs: readonly string[], options: ReadDatasetCsvOptions = {}): Promise<E.Either<VaesaError, CsvRead<DatasetRow<string, Layer>>>> {
  return readEach(inputs, (file) => readDatasetCsv(file, options));
}

/** The rows of every file of `inputs` (files and folders), in file-name order, skipped rows summed. */
async function readEach<R>(
  inputs: readonly string[],
  readOne: (file: string) => Promise<E.Either<VaesaError, CsvRead<R>>>,
  onProgress?: (p: ReadManyProgress) => void,
): Promise<E.Either<VaesaError, CsvRead<R>>> {
  const files = await listVaesaCsvFiles(inputs);
  if (E.isLeft(files)) return files;
  const rows: R[] = [];
  let skipped = 0;
  const skippedErrors: VaesaError[] = [];
  for (const [i, file] of files.right.entries()) {
    const one = await readOne(file);
    if (E.isLeft(one)) return one;
    for (const r of one.right.rows) rows.push(r);
    skipped += one.right.skipped;
    skippedErrors.push(...one.right.skippedErrors.slice(0, MAX_REPORTED_ERRORS - skippedErrors.length));
    onProgress?.({ file, filesDone: i + 1, filesTotal: files.right.length, rows: rows.length });
  }
  if (rows.length === 0) {
    const why = skipped > 0 ? `all ${skipped} data rows are bad (skipped)` : 'the files have a header but no data rows';
    return E.left(parseError(files.right.join(', '), `no rows to use: ${why}`));
  }
  return E.right({ rows, skipped, skippedErrors });
}

async function readLines<R>(file: string, reader: CsvLineReader<R>): Promise<E.Either<VaesaError, CsvRead<R>>> {
  try {
    for await (const batch of lineBatches(file)) {
      for (const line of batch.lines) {
        const failure = reader.push(line, batch.unterminated);
        if (failure) return E.left(failure);
      }
    }
  } catch (e) {
    return E.left(ioError(file, e));
  }
  return reader.finish();
}

/** The CSV files of a list of files and folders (a folder gives its `*.csv` and `*.csv.gz`, sorted by name). */
export async function listVaesaCsvFiles(inputs: readonly string[]): Promise<E.Either<VaesaError, string[]>> {
  const out: string[] = [];
  for (const input of inputs) {
    try {
      if ((await fs.stat(input)).isDirectory()) {
        const names = (await fs.readdir(input)).filter((n) => /\.csv(\.gz)?$/i.test(n)).sort();
        if (names.length === 0) return E.left(invalidInput('folder', input, 'has no .csv or .csv.gz files'));
        out.push(...names.map((n) => path.join(input, n)));
      } else {
        out.push(input);
      }
    } catch (e) {
      return E.left(ioError(input, e));
    }
  }
  return E.right(out);
}

export interface ReadManyProgress {
  readonly file: string;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly rows: number;
}

/**
 * Reads many VAESA CSV files (or folders of them) into one list, in file-name order; each per-layer file
 * takes its layer from its name.
 */
export async function readVaesaCsvFiles(
  inputs: readonly string[],
  options: Omit<ReadVaesaCsvOptions, 'layer'> & { readonly onProgress?: (p: ReadManyProgress) => void } = {},
): Promise<E.Either<VaesaError, VaesaCsvRead>> {
  return readEach(inputs, (file) => readVaesaCsv(file, { skipBadRows: options.skipBadRows }), options.onProgress);
}

/** Writes rows as a VAESA CSV file (gzipped when the name ends in .gz), streaming. */
export async function writeVaesaCsv(
  file: string,
  rows: Iterable<DatasetRow> | AsyncIterable<DatasetRow>,
  columns: VaesaCsvColumns = { withLayer: true, withArea: false },
): Promise<E.Either<VaesaError, { rows: number }>> {
  return writeCsv(file, rows, { header: vaesaHeader(columns), formatRow: (row) => formatVaesaRow(row, columns) });
}

/**
 * Writes rows of any space (gzipped when the name ends in .gz), streaming: VAESA's training-file columns
 * for Simba's space, the generic columns of `datasetCsvFormat` otherwise.
 */
export async function writeDatasetCsv<P extends string>(
  file: string,
  space: DesignSpace<P>,
  rows: Iterable<DatasetRow<P>> | AsyncIterable<DatasetRow<P>>,
  options: { readonly withArea?: boolean } = {},
): Promise<E.Either<VaesaError, { rows: number }>> {
  return writeCsv(file, rows, datasetCsvFormat(space, options.withArea ?? false));
}

async function writeCsv<P extends string>(
  file: string,
  rows: Iterable<DatasetRow<P>> | AsyncIterable<DatasetRow<P>>,
  format: DatasetCsvFormat<P>,
): Promise<E.Either<VaesaError, { rows: number }>> {
  let count = 0;
  async function* lines(): AsyncGenerator<string> {
    yield `${format.header}\n`;
    let batch = '';
    for await (const row of rows) {
      batch += `${format.formatRow(row)}\n`;
      count++;
      if (batch.length > 1 << 16) {
        yield batch;
        batch = '';
      }
    }
    if (batch !== '') yield batch;
  }
  try {
    await writeAtomically(file, (target) => {
      const out = createWriteStream(target);
      return isGzip(file) ? pipeline(Readable.from(lines()), zlib.createGzip(), out) : pipeline(Readable.from(lines()), out);
    });
    return E.right({ rows: count });
  } catch (e) {
    return E.left(e instanceof RangeError ? parseError(file, e.message) : ioError(file, e));
  }
}

/**
 * Writes `file` through `write(path)` to a temporary file beside it, renamed into place when complete,
 * so a failure (a full disk, a bad row) leaves the old file, or none, never a partial one. A target that
 * exists and is not a regular file (a device, a pipe) is written directly.
 */
async function writeAtomically(file: string, write: (target: string) => Promise<void>): Promise<void> {
  const regular = await fs.stat(file).then((s) => s.isFile(), (e: { code?: string }) => (e.code === 'ENOENT' ? true : Promise.reject(e)));
  if (!regular) return write(file);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${Date.now()}`);
  try {
    await write(temp);
    await fs.rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
}

export interface ConvertOptions {
  /** Per-layer (or training) files and folders of them. */
  readonly inputs: readonly string[];
  /** The training file to write. */
  readonly out: string;
  /** Keep a seeded random subsample of this many rows (in their original order). */
  readonly sample?: number;
  readonly seed?: number;
  readonly skipBadRows?: boolean;
  readonly onProgress?: (p: ReadManyProgress) => void;
}

export interface ConvertResult {
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly skipped: number;
  readonly skippedErrors: readonly VaesaError[];
}

/** Merges VAESA per-layer files into one training file (`prob_*` columns), optionally subsampled. */
export async function convertVaesaFiles(options: ConvertOptions): Promise<E.Either<VaesaError, ConvertResult>> {
  const read = await readVaesaCsvFiles(options.inputs, { skipBadRows: options.skipBadRows, onProgress: options.onProgress });
  if (E.isLeft(read)) return read;
  const all = read.right.rows;
  const kept =
    options.sample === undefined || options.sample >= all.length
      ? all
      : sampleIndices(createRng(options.seed ?? 0), all.length, options.sample).map((i) => all[i]);
  const written = await writeVaesaCsv(options.out, kept, { withLayer: true, withArea: false });
  if (E.isLeft(written)) return written;
  return E.right({ rowsRead: all.length, rowsWritten: written.right.rows, skipped: read.right.skipped, skippedErrors: read.right.skippedErrors });
}

/**
 * Concatenates shard files (made with `shard: {index, count}` and the same options) into one file equal to
 * a single-machine run: the header once, then each shard's rows in the order given. Every shard must
 * have the same header and end with a complete line.
 */
export async function mergeVaesaCsv(shards: readonly string[], out: string): Promise<E.Either<VaesaError, { rows: number }>> {
  if (shards.length === 0) return E.left(parseError(out, 'no shard files to merge'));
  let header: string | undefined;
  let rows = 0;
  let failure: VaesaError | undefined;
  async function* merged(): AsyncGenerator<string> {
    for (const shard of shards) {
      let first = true;
      for await (const batch of lineBatches(shard)) {
        if (batch.unterminated) {
          failure = parseError(shard, 'the last line is incomplete (an interrupted run?): resume it before merging');
          return;
        }
        let lines = batch.lines;
        if (first) {
          first = false;
          if (header === undefined) {
            header = lines[0];
            yield `${header}\n`;
          } else if (lines[0] !== header) {
            failure = parseError(shard, `header differs from the one of ${shards[0]}`, 1);
            return;
          }
          lines = lines.slice(1);
        }
        const data = lines.filter((l) => l !== '');
        rows += data.length;
        if (data.length > 0) yield `${data.join('\n')}\n`;
      }
      if (first) {
        failure = parseError(shard, 'empty shard: no header');
        return;
      }
    }
  }
  try {
    await writeAtomically(out, async (target) => {
      await pipeline(Readable.from(merged()), createWriteStream(target));
      if (failure) throw failure;
    });
  } catch (e) {
    return E.left(e === failure && failure !== undefined ? failure : ioError(out, e));
  }
  return E.right({ rows });
}
