/** File-system edge of dataset generation: streams rows to a CSV file and resumes an interrupted run. */
import { promises as fs } from 'node:fs';
import * as E from 'fp-ts/Either';
import { invalidInput, parseError, type VaesaError } from '../common/errors';
import type { EvaluatorSource } from './evaluator-module';
import { EvaluatorFailure } from '../common/evaluator';
import { designName } from '../hardware/arch';
import { designKey, type DesignSpace, type SimbaParam } from '../hardware/space';
import { layerName } from '../workload/layer';
import { layerKey, layerLabel } from '../workload/lower';
import { createDatasetCsvReader, datasetCsvFormat } from './dataset-csv';
import { ioError } from './files';
import { generationRange } from './generate';
import { generateDatasetOnWorkers, type ParallelGenerateOptions } from './parallel';
import { planDataset, planRow, type DatasetPlan } from './plan';

export interface GenerateFileOptions<P extends string = SimbaParam> extends Omit<ParallelGenerateOptions<P>, 'skipRows'> {
  /** The CSV file to write (VAESA's training format for Simba's space, the generic columns otherwise; plain text, so it can be resumed). */
  readonly out: string;
  /** Add our trailing `area` column (needs an evaluator that reports area). */
  readonly withArea?: boolean;
  /**
   * Continue a file left by an interrupted run with the same options (default true); false starts afresh.
   * Resuming checks the settings recorded beside the file (`<out>.run.json`): a run with another
   * evaluator, sampler, seed, shard or space is refused rather than appending rows of other numbers.
   */
  readonly resume?: boolean;
  /**
   * Names the evaluator and every setting that changes its numbers (e.g. `cost model {"model":"pat"}`),
   * for the resume check. Needed to resume with an evaluator function; an `EvaluatorModule` is named
   * by its module, export and options when this is absent.
   */
  readonly evaluatorId?: string;
  /** Write to disk after at most this many rows (default 4096)... */
  readonly flushRows?: number;
  /** ...or this many milliseconds (default 1000), whichever comes first, so an interruption loses little. */
  readonly flushMs?: number;
}

export interface GenerateFileResult {
  /** Rows in the file's range now in the file. */
  readonly rows: number;
  /** Rows found in the file from an earlier run (0 for a fresh run). */
  readonly resumedFrom: number;
  /** Bytes of an incomplete last line removed before resuming. */
  readonly repairedBytes: number;
  /** False when stopped by `signal` before the end. */
  readonly complete: boolean;
}

/**
 * Generates a dataset into a CSV file, streaming rows as they come. If the file exists (and `resume` is not
 * false) its complete rows are checked against the plan (same designs and layers in the same order, or an
 * error), an incomplete last line is cut off, and generation continues after the last complete row, so
 * an interrupted run finished this way gives the same file as an uninterrupted one.
 */
export async function generateDatasetFile<P extends string = SimbaParam>(options: GenerateFileOptions<P>): Promise<E.Either<VaesaError, GenerateFileResult>> {
  if (options.out.toLowerCase().endsWith('.gz')) {
    return E.left(invalidInput('out', options.out, 'generation writes plain CSV (so it can resume); compress it afterwards'));
  }
  const format = datasetCsvFormat(options.space, options.withArea ?? false);
  const header = format.header;
  const plan = planDataset(options);
  const range = generationRange(plan, { shard: options.shard });
  const settings = runSettings(options);
  const target = await fileKind(options.out);
  if (E.isLeft(target)) return target;
  if (target.right === 'other' && options.resume !== false) {
    return E.left(invalidInput('out', options.out, 'is not a regular file, so it cannot be resumed: start afresh (--fresh, resume: false) to write to it'));
  }
  const existing =
    options.resume === false || target.right === 'missing'
      ? E.right({ rows: 0, repairedBytes: 0, fresh: true })
      : await inspectExisting(options.out, options.space, header, plan, range.start, range.end, settings);
  if (E.isLeft(existing)) return existing;
  const { rows: resumedFrom, repairedBytes, fresh } = existing.right;
  if (fresh && target.right !== 'other') {
    const recorded = await writeRunSettings(options.out, settings);
    if (E.isLeft(recorded)) return recorded;
  }

  let handle: fs.FileHandle | undefined;
  let buffer = '';
  let buffered = 0;
  let written = resumedFrom;
  try {
    handle = await fs.open(options.out, fresh ? 'w' : 'a');
    if (fresh) await handle.write(`${header}\n`);
    const flushRows = options.flushRows ?? 4096;
    const flushMs = options.flushMs ?? 1000;
    let lastFlush = Date.now();
    for await (const row of generateDatasetOnWorkers({ ...options, skipRows: resumedFrom })) {
      buffer += `${format.formatRow(row)}\n`;
      if (++buffered >= flushRows || Date.now() - lastFlush >= flushMs) {
        await handle.write(buffer);
        written += buffered;
        buffer = '';
        buffered = 0;
        lastFlush = Date.now();
      }
    }
    if (buffered > 0) await handle.write(buffer);
    written += buffered;
    return E.right({ rows: written, resumedFrom, repairedBytes, complete: written === range.end - range.start });
  } catch (e) {
    if (e instanceof EvaluatorFailure || (e instanceof Error && e.name === 'EvaluatorFailure')) {
      // The rows finished before the failure are kept (on disk, resumable), not thrown away.
      try {
        if (buffered > 0) await handle?.write(buffer);
      } catch (w) {
        return E.left(ioError(options.out, w));
      }
      written += buffered;
      return E.left(invalidInput('evaluator', written, `${e.message}; the ${written} rows before it are in ${options.out}: fix the evaluator and rerun to resume`));
    }
    // File-system failures are results; anything else (a bug) propagates.
    if (typeof (e as { code?: unknown }).code === 'string') return E.left(ioError(options.out, e));
    throw e;
  } finally {
    await handle?.close();
  }
}

/**
 * Looks at an existing output file: counts its complete rows after checking they are the plan's rows
 * `start, start+1, ...`, and truncates an incomplete last line. A missing or header-less file starts afresh.
 */
async function inspectExisting<P extends string>(
  file: string,
  space: DesignSpace<P>,
  header: string,
  plan: DatasetPlan<P>,
  start: number,
  end: number,
  settings: RunSettings,
): Promise<E.Either<VaesaError, { rows: number; repairedBytes: number; fresh: boolean }>> {
  let content: Buffer;
  try {
    content = await fs.readFile(file);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return E.right({ rows: 0, repairedBytes: 0, fresh: true });
    return E.left(ioError(file, e));
  }
  const completeBytes = content.lastIndexOf(0x0a) + 1;
  const text = content.subarray(0, completeBytes).toString('utf8');
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  if (lines.length === 0) return E.right({ rows: 0, repairedBytes: 0, fresh: true });
  if (lines[0] !== header) return E.left(parseError(file, `has another header than this run's (${header.slice(0, 60)}...): not resuming`, 1));
  const reader = createDatasetCsvReader({ source: file, space });
  const bad = reader.push(lines[0]);
  if (bad !== undefined) return E.left(bad);
  const rows = lines.length - 1;
  if (rows > 0) {
    const same = await checkRunSettings(file, settings);
    if (E.isLeft(same)) return same;
  }
  if (start + rows > end) return E.left(parseError(file, `has ${rows} rows, more than the ${end - start} of this run: made with other options?`));
  for (let i = 1; i < lines.length; i++) {
    const failure = reader.push(lines[i]);
    if (failure !== undefined) return E.left(failure);
  }
  const read = reader.finish();
  if (E.isLeft(read)) return read;
  for (const [k, row] of read.right.rows.entries()) {
    const expected = planRow(plan, start + k);
    if (designKey(space, row.arch as typeof expected.arch) !== designKey(space, expected.arch) || layerKey(row.layer) !== layerKey(expected.layer)) {
      return E.left(parseError(file, `row is ${designName(row.arch)} on ${layerLabel(row.layer)}, but this run's row there is ${designName(expected.arch)} on ${layerName(expected.layer)}: made with other options?`, k + 2));
    }
  }
  const repairedBytes = content.length - completeBytes;
  if (repairedBytes > 0) {
    try {
      await fs.truncate(file, completeBytes);
    } catch (e) {
      return E.left(ioError(file, e));
    }
  }
  return E.right({ rows, repairedBytes, fresh: false });
}

/** The settings of a run that decide its numbers but not its rows' designs and layers (those are checked row by row). */
interface RunSettings {
  readonly evaluator: string | null;
  readonly space: string;
  readonly sampler: string;
  readonly seed: number;
  readonly shard: string;
}

const RUN_FORMAT = 'vaesa-generate-run';

function runSettings<P extends string>(options: GenerateFileOptions<P>): RunSettings {
  return {
    evaluator: options.evaluatorId ?? evaluatorName(options.evaluator),
    space: JSON.stringify(options.space),
    sampler: JSON.stringify(options.sampler),
    seed: options.seed,
    shard: options.shard === undefined ? 'all' : `${options.shard.index}/${options.shard.count}`,
  };
}

function evaluatorName<P extends string>(source: EvaluatorSource<P>): string | null {
  return typeof source === 'function' ? null : JSON.stringify({ module: source.module, export: source.export, options: source.options ?? null });
}

/** Where a run records its settings, beside the CSV. */
export function runSettingsFile(out: string): string {
  return `${out}.run.json`;
}

async function fileKind(file: string): Promise<E.Either<VaesaError, 'missing' | 'file' | 'other'>> {
  try {
    return E.right((await fs.stat(file)).isFile() ? 'file' : 'other');
  } catch (e) {
    return (e as { code?: string }).code === 'ENOENT' ? E.right('missing') : E.left(ioError(file, e));
  }
}

async function writeRunSettings(out: string, settings: RunSettings): Promise<E.Either<VaesaError, void>> {
  const file = runSettingsFile(out);
  const temp = `${file}.tmp-${process.pid}`;
  try {
    await fs.writeFile(temp, `${JSON.stringify({ format: RUN_FORMAT, version: 1, settings }, null, 1)}\n`);
    await fs.rename(temp, file);
    return E.right(undefined);
  } catch (e) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    return E.left(ioError(file, e));
  }
}

/** Refuses to resume a file whose recorded settings differ from this run's (or are missing, or unnamed). */
async function checkRunSettings(out: string, settings: RunSettings): Promise<E.Either<VaesaError, void>> {
  const file = runSettingsFile(out);
  const again = 'start afresh (--fresh, resume: false) or write to another file';
  let recorded: Partial<RunSettings> | undefined;
  try {
    const json = JSON.parse(await fs.readFile(file, 'utf8')) as { format?: unknown; settings?: Partial<RunSettings> };
    if (json.format === RUN_FORMAT && typeof json.settings === 'object' && json.settings !== null) recorded = json.settings;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT' && !(e instanceof SyntaxError)) return E.left(ioError(file, e));
  }
  if (recorded === undefined) {
    return E.left(parseError(out, `has rows but no readable ${file} recording the settings they were made with, so resuming could mix numbers of two setups: ${again}`));
  }
  if (settings.evaluator === null || recorded.evaluator === null) {
    return E.left(invalidInput('evaluatorId', settings.evaluator, `resuming with an evaluator function needs evaluatorId (naming it and its settings) to check that the rows of ${out} came from it`));
  }
  for (const key of Object.keys(settings) as (keyof RunSettings)[]) {
    if (recorded[key] !== settings[key]) {
      const shown = (v: unknown): string => (typeof v === 'string' ? (v.length > 120 ? `${v.slice(0, 117)}...` : v) : String(v));
      return E.left(parseError(out, `was made with ${key} ${shown(recorded[key])}, this run has ${shown(settings[key])}: not resuming (its rows would mix two setups); ${again}`));
    }
  }
  return E.right(undefined);
}
