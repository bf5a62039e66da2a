/**
 * Your own design space and your own evaluator through the whole pipeline: an 8-parameter accelerator
 * (not Simba) scored by an analytic roofline-style model standing in for your simulator; dataset,
 * training, prediction, latent BO and input-space random search at the same budget.
 * Run: npx tsx examples/own-space.ts [designs] [budget]
 */
import {
  createRng,
  defineSpace,
  evaluateVaesa,
  formatError,
  generateDataset,
  inputSpaceSearch,
  latentSearch,
  networks,
  splitDataset,
  tensorSizes,
  layerMacs,
  trainVaesa,
  type DatasetRow,
  type Design,
  type ConvLayer,
} from 'vaesa';

// 1. The space: a PE array with per-PE registers, a shared L1 and an L2, and two bandwidths.
const defined = defineSpace({
  name: 'my-accelerator',
  params: [
    { name: 'peX', min: 2, max: 64, grid: { kind: 'pow2' } },
    { name: 'peY', min: 2, max: 64, grid: { kind: 'pow2' } },
    { name: 'vector', grid: { kind: 'values', values: [1, 2, 4, 8] } },
    { name: 'regWords', min: 4, max: 256, grid: { kind: 'pow2' } },
    { name: 'l1KiB', min: 8, max: 512, grid: { kind: 'multiple', step: 8 } },
    { name: 'l2KiB', min: 64, max: 8192, grid: { kind: 'pow2' } },
    { name: 'nocWords', min: 4, max: 64, grid: { kind: 'multiple', step: 4 }, encoding: 'linear' },
    { name: 'dramWords', grid: { kind: 'values', values: [8, 16, 32, 64, 128] } },
  ],
});
if (defined._tag === 'Left') throw new Error(formatError(defined.left));
const space = defined.right;
type Param = (typeof space.params)[number]['name'];

// 2. The evaluator: compute vs on-chip and off-chip traffic (a roofline), energy per MAC and per access.
function evaluate(d: Design<Param>, layer: ConvLayer): { cycles: number; energy: number; area: number } {
  const macs = layerMacs(layer);
  const sizes = tensorSizes(layer);
  const utilX = layer.K / (Math.ceil(layer.K / d.peX) * d.peX);
  const utilY = (layer.P * layer.Q) / (Math.ceil((layer.P * layer.Q) / d.peY) * d.peY);
  const compute = macs / (d.peX * d.peY * d.vector * utilX * utilY);
  const operandReuse = Math.min(d.regWords, layer.R * layer.S * layer.C);
  const l1Traffic = (2 * macs) / operandReuse;
  const l2Words = d.l2KiB * 1024;
  const refetch = Math.max(1, sizes.weights / l2Words) * Math.max(1, sizes.inputs / (d.l1KiB * 1024 * 4));
  const dramTraffic = sizes.weights + sizes.outputs + sizes.inputs * refetch;
  const cycles = Math.max(compute, l1Traffic / (d.nocWords * Math.sqrt(d.peX)), dramTraffic / d.dramWords) + 200;
  const area = d.peX * d.peY * (0.004 * d.vector + 0.0002 * d.regWords) + 0.003 * d.l1KiB + 0.002 * d.l2KiB + 0.01 * d.nocWords;
  const energy = macs * (1 + 0.05 * Math.log2(d.regWords)) + l1Traffic * (3 + 0.2 * Math.sqrt(d.l1KiB)) + dramTraffic * (150 + 0.01 * d.l2KiB) + 0.5 * area * cycles;
  return { cycles, energy, area };
}

async function main(designs: number, budget: number): Promise<void> {
  const target = networks.resnet50;
  const rows: DatasetRow<Param>[] = [];
  for await (const r of generateDataset({ space, networks: [target], sampler: { kind: 'lhs', count: designs }, seed: 1, evaluator: evaluate })) rows.push(r);
  const split = splitDataset(rows, createRng(1));

  // 3. Train: the VAE's input width follows the space (8 parameters).
  const trained = await trainVaesa(split.train, { space, preset: 'fast', validation: split.valid, seed: 1 });
  if (trained._tag === 'Left') throw new Error(formatError(trained.left));
  const model = trained.right;
  const quality = evaluateVaesa(model, split.test);
  console.log(`${rows.length} rows; test EDP Spearman ${quality.prediction.edp.spearman.toFixed(3)}; designs reconstructed exactly ${(100 * quality.reconstruction.exactShare).toFixed(1)}%`);

  // 4. Search with your evaluator: latent BO in the model's own latent box vs random search over the parameters.
  const latentSearched = await latentSearch(model, target, { optimizer: 'bo', budget, seed: 1, evaluator: evaluate });
  if (latentSearched._tag === 'Left') throw new Error(formatError(latentSearched.left));
  const latent = latentSearched.right;
  const randomSearched = await inputSpaceSearch(space, target, { optimizer: 'random', budget, seed: 1, evaluator: evaluate });
  if (randomSearched._tag === 'Left') throw new Error(formatError(randomSearched.left));
  const random = randomSearched.right;
  console.log(`latent BO   best EDP ${latent.best?.edp.toExponential(3)}  ${JSON.stringify(latent.best?.arch)}`);
  console.log(`random      best EDP ${random.best?.edp.toExponential(3)}  ${JSON.stringify(random.best?.arch)}`);
  model.dispose();
}

main(Number(process.argv[2] ?? 400), Number(process.argv[3] ?? 100)).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
