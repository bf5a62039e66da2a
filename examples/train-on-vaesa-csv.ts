/**
 * Train on VAESA's original data: per-layer CSV files (CoSA mappings + Timeloop), as in ucb-bar/vaesa.
 * Holds out whole layers to measure how the predictor generalises to unseen layers.
 * Run: npx tsx examples/train-on-vaesa-csv.ts [folder-or-files...]
 * (default: three files of the reference data beside this repository)
 */
import * as path from 'node:path';
import { readVaesaCsvFiles } from 'vaesa/node';
import { createRng, dataset, evaluateVaesa, formatError, splitByLayer, trainVaesa, convLayer } from 'vaesa';

const layersDir = path.resolve(__dirname, '../../shared/reference/timeloop-cosa/layers');
const inputs =
  process.argv.length > 2
    ? process.argv.slice(2)
    : ['1_1_56_56_64_64_1_1_1_1_1', '3_3_14_14_256_256_1_1_1_1_1', '3_3_28_28_128_128_1_2_2_1_1'].map((n) => path.join(layersDir, `${n}.csv.gz`));

async function main(): Promise<void> {
  const read = await readVaesaCsvFiles(inputs, { skipBadRows: true });
  if (read._tag === 'Left') throw new Error(formatError(read.left));
  // A seeded subsample keeps the example quick; drop it to train on everything.
  const all = read.right.rows;
  const rows = dataset.sampleIndices(createRng(0), all.length, Math.min(all.length, 3000)).map((i) => all[i]);
  const heldOut = convLayer({ R: 3, S: 3, P: 28, Q: 28, C: 128, K: 128, N: 1, strideW: 2, strideH: 2 });
  const split = splitByLayer(rows, { test: [heldOut] });

  const trained = await trainVaesa(split.train, { preset: 'fast', seed: 0, timeLimitSeconds: 20, dropDesignsOutsideSpace: true });
  if (trained._tag === 'Left') throw new Error(formatError(trained.left));
  const q = evaluateVaesa(trained.right, split.test);
  console.log(`read ${all.length} rows (skipped ${read.right.skipped}); trained on ${split.train.length}`);
  console.log(`held-out layer: EDP Spearman ${q.prediction.edp.spearman.toFixed(3)}, energy median APE ${(100 * q.prediction.energy.medianApe).toFixed(1)}%`);
  trained.right.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
