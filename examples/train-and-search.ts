/**
 * The VAESA pipeline from code: make a small dataset with the cost model, train the `fast` preset,
 * then search the latent space for AlexNet's best design with Bayesian optimisation and compare with
 * random search in the original space at the same budget.
 * Run: npx tsx examples/train-and-search.ts [designs] [budget]
 */
import { createRng, generateDataset, inputSpaceSearch, latentSearch, networks, simbaSpace, splitDataset, trainVaesa, evaluateVaesa, formatError, type DatasetRow } from 'vaesa';

async function main(designs: number, budget: number): Promise<void> {
  const rows: DatasetRow[] = [];
  for await (const row of generateDataset({ space: simbaSpace, networks: [networks.alexnet], sampler: { kind: 'lhs', count: designs }, seed: 1 })) rows.push(row);
  const split = splitDataset(rows, createRng(1));

  const trained = await trainVaesa(split.train, { preset: 'fast', validation: split.valid, seed: 1, timeLimitSeconds: 30 });
  if (trained._tag === 'Left') throw new Error(formatError(trained.left));
  const model = trained.right;
  const quality = evaluateVaesa(model, split.test);
  console.log(`${rows.length} rows; test EDP Spearman ${quality.prediction.edp.spearman.toFixed(3)}`);

  const latentSearched = await latentSearch(model, networks.alexnet, { optimizer: 'bo', budget, seed: 1 });
  if (latentSearched._tag === 'Left') throw new Error(formatError(latentSearched.left));
  const latent = latentSearched.right;
  const randomSearched = await inputSpaceSearch(simbaSpace, networks.alexnet, { optimizer: 'random', budget, seed: 1 });
  if (randomSearched._tag === 'Left') throw new Error(formatError(randomSearched.left));
  const random = randomSearched.right;
  console.log(`latent BO   best EDP ${latent.best?.edp.toExponential(3)}  ${JSON.stringify(latent.best?.arch)}`);
  console.log(`random      best EDP ${random.best?.edp.toExponential(3)}  ${JSON.stringify(random.best?.arch)}`);
  model.dispose();
}

main(Number(process.argv[2] ?? 40), Number(process.argv[3] ?? 10)).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
