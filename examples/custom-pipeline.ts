/**
 * Compose your own pipeline from the pure modules: a custom design space (a smaller chip), a custom
 * predictor shape, your own evaluator wrapper, and your own optimiser loop in the latent space
 * (a seeded random-restart hill climb on the true cost instead of VAESA's optimisers).
 * Run: npx tsx examples/custom-pipeline.ts
 */
import {
  createRng,
  defineSpace,
  simbaSpace,
  generateDataset,
  trainVaesa,
  costModelEvaluator,
  networks,
  formatError,
  type ArchConfig,
  type DatasetRow,
  type Evaluator,
} from 'vaesa';

// 1. A smaller design space: at most 1024 MACs and 64 KiB of global buffer; other parameters as Simba's.
const defined = defineSpace({
  name: 'small-simba',
  params: simbaSpace.params.map((p) => (p.name === 'macs' ? { ...p, max: 1024 } : p.name === 'globalBuffer' ? { ...p, max: 65536 } : p)),
});
if (defined._tag === 'Left') throw new Error(formatError(defined.left));
const small = defined.right;

// 2. Your own evaluator: the cost model for energy-delay, counting calls (could be a Timeloop run or RTL numbers).
let calls = 0;
const made = costModelEvaluator({ objective: 'edp' });
if (made._tag === 'Left') throw new Error(formatError(made.left));
const costModel = made.right;
const evaluator: Evaluator = (arch, layer) => {
  calls++;
  return costModel(arch, layer);
};

async function main(): Promise<void> {
  const layers = networks.alexnet.layers.slice(0, 3).map((l) => l.layer);
  const rows: DatasetRow[] = [];
  for await (const r of generateDataset({ space: small, layers, sampler: { kind: 'random', count: 40 }, seed: 7, evaluator })) rows.push(r);

  // 3. A custom predictor head shape and latent size.
  const trained = await trainVaesa(rows, {
    space: small,
    seed: 7,
    model: { latentDim: 3, predictor: { hidden: [64, 64], activation: 'relu' } },
    schedule: { epochs: 15 },
  });
  if (trained._tag === 'Left') throw new Error(formatError(trained.left));
  const model = trained.right;

  // 4. Your own optimiser: hill climbing on the true total EDP of the three layers, in the latent space.
  const rng = createRng(7);
  const totalEdp = async (arch: ArchConfig): Promise<number> => {
    let cycles = 0;
    let energy = 0;
    for (const layer of layers) {
      const m = await evaluator(arch, layer);
      cycles += m.cycles;
      energy += m.energy;
    }
    return cycles * energy;
  };
  let bestZ = Array.from({ length: model.latentDim }, () => rng.uniform(-1, 1));
  let bestArch = model.decode([bestZ])[0];
  let best = await totalEdp(bestArch);
  for (let step = 0; step < 15; step++) {
    const z = bestZ.map((v) => Math.max(-1, Math.min(1, v + 0.3 * rng.normal())));
    const arch = model.decode([z])[0];
    const edp = await totalEdp(arch);
    if (edp < best) [best, bestZ, bestArch] = [edp, z, arch];
  }
  console.log(`best EDP ${best.toExponential(3)} for ${JSON.stringify(bestArch)} after ${calls} evaluator calls`);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
