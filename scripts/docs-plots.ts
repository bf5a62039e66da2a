/**
 * Draws the figures in docs/img from a run of the demo (`npm run demo` leaves its model in vaesa-demo/):
 * the search history of latent BO, latent gradient and random search for ResNet-50, and a 2-D slice of
 * the latent space coloured by predicted log10 EDP.
 * Run: npx tsx scripts/docs-plots.ts [demo-folder] [budget] [seed]
 */
import { orThrow } from '../bench/either';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadVaesa } from '../src/train/checkpoint';
import { simbaSpace } from '../src/hardware';
import { useBackend } from '../src/model/tf';
import { heatmapSvg, latentSlice } from '../src/plot';
import { networks } from '../src/workload';
import { formatError } from '../src/common';
import { costModelEvaluator } from '../src/mapper';
import { historyPlot, searchAll } from '../src/cli/search';

async function main(dir: string, budget: number, seed: number): Promise<void> {
  await useBackend('wasm');
  const loaded = await loadVaesa(path.join(dir, 'model'), simbaSpace);
  if (loaded._tag === 'Left') throw new Error(formatError(loaded.left));
  const model = loaded.right;
  const out = path.resolve(__dirname, '../docs/img');
  mkdirSync(out, { recursive: true });

  const results = await searchAll(model, networks.resnet50, { latent: ['bo', 'gradient'], baselines: ['random', 'bo'] }, {
    budget,
    seed,
    objective: 'edp',
    evaluator: orThrow(costModelEvaluator({ objective: 'edp' })),
    silent: false,
  });
  writeFileSync(path.join(out, 'search-history.svg'), historyPlot(results, 'edp'));

  const slice = latentSlice(model, networks.resnet50, { resolution: 41 });
  writeFileSync(
    path.join(out, 'latent-slice.svg'),
    heatmapSvg(slice.values, { x: [slice.x[0], slice.x[slice.x.length - 1]], y: [slice.y[0], slice.y[slice.y.length - 1]] }, {
      title: 'Predicted ResNet-50 EDP over latent dims 0 and 1 (others 0)',
      xLabel: 'z0',
      yLabel: 'z1',
      valueLabel: 'log10 EDP',
    }),
  );
  for (const { method, result } of results) console.log(`${method}: best EDP ${result.best?.edp.toExponential(3)}`);
  model.dispose();
}

main(process.argv[2] ?? 'vaesa-demo', Number(process.argv[3] ?? 30), Number(process.argv[4] ?? 0)).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
