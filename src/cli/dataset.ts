/** `vaesa dataset generate | convert | merge | stats`. */
import type { Command } from 'commander';
import { PARAM_NAMES } from '../hardware/arch';
import { layerName } from '../workload/layer';
import { fitNormalisation } from '../dataset/normalise';
import { convertVaesaFiles, mergeVaesaCsv, readVaesaCsvFiles } from '../dataset/files';
import type { DatasetRow } from '../dataset/row';
import { orFail, parseInteger, parsePositiveInt } from './errors';
import { createProgress } from './progress';
import { printResult } from './output';
import { registerGenerateCommand } from './generate';

export function registerDatasetCommands(program: Command): Command {
  const dataset = program.command('dataset').description('make, convert and inspect VAESA-format datasets');
  registerGenerateCommand(dataset);

  dataset
    .command('convert')
    .description("merge VAESA per-layer CSV files (plain or .csv.gz) into one training file (VAESA's format)")
    .requiredOption('--in <paths...>', 'per-layer files or folders of them')
    .requiredOption('--out <file>', 'training CSV to write (.gz to compress)')
    .option('--sample <n>', 'keep a seeded random subsample of n rows', parsePositiveInt('--sample'))
    .option('--seed <s>', 'seed of the subsample', parseInteger('--seed'), 0)
    .option('--skip-bad-rows', 'skip (and count) rows that do not parse instead of failing')
    .option('--json', 'print the result as JSON')
    .action(async (o: { in: string[]; out: string; sample?: number; seed: number; skipBadRows?: boolean; json?: boolean }) => {
      const progress = createProgress({ label: 'reading', total: 1, silent: o.json });
      const result = orFail(
        await convertVaesaFiles({
          inputs: o.in,
          out: o.out,
          sample: o.sample,
          seed: o.seed,
          skipBadRows: o.skipBadRows,
          onProgress: (p) => progress.update(p.filesDone / p.filesTotal, `${p.rows} rows`),
        }),
      );
      progress.stop();
      printResult(o.json, { out: o.out, rowsRead: result.rowsRead, rowsWritten: result.rowsWritten, skipped: result.skipped }, () =>
        [`wrote ${result.rowsWritten} rows to ${o.out} (read ${result.rowsRead}, skipped ${result.skipped} bad rows)`],
      );
    });

  dataset
    .command('merge')
    .description('concatenate shard files (from --shard i/n runs) into one file equal to a single-machine run')
    .requiredOption('--in <files...>', 'shard files, in shard order')
    .requiredOption('--out <file>', 'merged CSV to write')
    .option('--json', 'print the result as JSON')
    .action(async (o: { in: string[]; out: string; json?: boolean }) => {
      const merged = orFail(await mergeVaesaCsv(o.in, o.out));
      printResult(o.json, { out: o.out, rows: merged.rows }, () => [`merged ${o.in.length} shards, ${merged.rows} rows, into ${o.out}`]);
    });

  dataset
    .command('stats')
    .description('row count, layers, parameter ranges and normalisation statistics of VAESA CSV files')
    .argument('<paths...>', 'CSV files or folders')
    .option('--skip-bad-rows', 'skip (and count) rows that do not parse instead of failing')
    .option('--json', 'print the result as JSON')
    .action(async (paths: string[], o: { skipBadRows?: boolean; json?: boolean }) => {
      const read = orFail(await readVaesaCsvFiles(paths, { skipBadRows: o.skipBadRows }));
      const stats = datasetStats(read.rows);
      printResult(o.json, { ...stats, skipped: read.skipped }, () => formatStats(stats, read.skipped));
    });

  return dataset;
}

interface Range {
  readonly min: number;
  readonly max: number;
}

/** Summary of a set of rows for `vaesa dataset stats`. */
export function datasetStats(rows: readonly DatasetRow[]) {
  if (rows.length === 0) return { rows: 0, layers: [] as { layer: string; rows: number }[], ranges: {}, normalisation: undefined };
  const perLayer = new Map<string, number>();
  for (const r of rows) {
    const name = layerName(r.layer);
    perLayer.set(name, (perLayer.get(name) ?? 0) + 1);
  }
  const range = (pick: (r: DatasetRow) => number): Range => {
    let min = Infinity;
    let max = -Infinity;
    for (const r of rows) {
      const v = pick(r);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { min, max };
  };
  const ranges: Record<string, Range> = { cycles: range((r) => r.cycles), energy: range((r) => r.energy) };
  for (const p of PARAM_NAMES) ranges[p] = range((r) => r.arch[p]);
  return {
    rows: rows.length,
    layers: [...perLayer].map(([layer, n]) => ({ layer, rows: n })),
    ranges,
    normalisation: fitNormalisation(rows),
  };
}

function formatStats(stats: ReturnType<typeof datasetStats>, skipped: number): string[] {
  const lines = [`rows: ${stats.rows}${skipped > 0 ? ` (skipped ${skipped} bad rows)` : ''}`, `layers: ${stats.layers.length}`];
  for (const [name, r] of Object.entries(stats.ranges)) lines.push(`  ${name.padEnd(20)} ${r.min} .. ${r.max}`);
  if (stats.normalisation) {
    const t = stats.normalisation.target;
    lines.push(`log cycles: mean ${t.cycles.mean.toFixed(4)} std ${t.cycles.std.toFixed(4)}`);
    lines.push(`log energy: mean ${t.energy.mean.toFixed(4)} std ${t.energy.std.toFixed(4)}`);
  }
  return lines;
}
