/**
 * `npm run bench`: runs every registered benchmark with its default arguments, one after the other.
 * Register a benchmark with one line: a name and a function running it (each bench file also runs alone
 * with `npx tsx bench/<topic>.ts ...` for its other options).
 */
const benches: readonly (readonly [string, () => Promise<void>])[] = [
  ['dataset: read the reference files', () => import('./dataset').then((b) => b.main(['read']))],
  ['dataset: generate 131,328 rows (synthetic evaluator)', () => import('./dataset').then((b) => b.main(['generate']))],
  ['search: optimiser speed (gradient descent over networks, BO overhead)', () => import('./search').then((b) => b.runSearchBench(['speed']))],
  ['search: BO settings vs random on a synthetic cost', () => import('./search').then((b) => b.runSearchBench(['quality']))],
  ['train: matMul, dense-gradient and training-step speed (wasm)', () => import('./train').then((b) => b.main(['speed']))],
  ['train: fast preset on the 45 reference layers (accuracy targets)', () => import('./train').then((b) => b.main(['quality']))],
  ['costmodel: exactness vs every reference Timeloop run, evaluateMapping throughput', () => import('./costmodel-eval').then((b) => b.main([]))],
  ['costmodel: generic families (Eyeriss, Gemmini, output-stationary) vs Timeloop, evaluator throughput', () => import('./costmodel-generic').then((b) => b.main([]))],
  ['mapper: quality vs CoSA, evaluateLayer speed, exhaustive optimum', () => import('./mapper').then((b) => b.main(['all']))],
  ['mapper: generic mapper on Eyeriss-like archs (ResNet-50, BERT-base-128): evaluateNetwork speed, EDP vs a thorough search', () => import('./mapper-generic').then((b) => b.main(['all']))],
  ['mapper: fast vs default search effort (CPU time, EDP)', () => import('./mapper-effort').then(() => undefined)],
  ['mip: CoSA MIP mapper on HiGHS vs the default mapper (12 rows per reference layer)', () => import('./mip').then((b) => b.main([]))],
  ['mip: CoSA MIP on the generic families vs the generic search (EDP, time)', () => import('./mip-generic').then((b) => b.main([]))],
];

async function runAll(): Promise<void> {
  for (const [name, run] of benches) {
    console.log(`\n## ${name}`);
    await run();
  }
}

runAll().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
