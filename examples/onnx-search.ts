/**
 * Import an ONNX model and search a Simba design for it: the model's Conv, Gemm and MatMul nodes become
 * the layers (attention's Q·Kᵀ and P·V as batched products of two activations), everything else is
 * listed as not costed; Bayesian optimisation in the design space then minimises the model's EDP.
 * The model is examples/tiny-transformer.onnx, one transformer encoder block (scripts/gen-example-onnx.ts).
 * Run: npx tsx examples/onnx-search.ts [model.onnx] [budget]
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { evaluateNetwork, formatError, inputSpaceSearch, layerLabel, networkMacs, readOnnx, simbaDefaultArch, simbaSpace } from 'vaesa';

async function main(file: string, budget: number): Promise<void> {
  const imported = readOnnx(new Uint8Array(readFileSync(file)), { name: path.basename(file, '.onnx') });
  if (imported._tag === 'Left') throw new Error(formatError(imported.left));
  const { network, skipped } = imported.right;
  console.log(`${network.name}: ${network.layers.length} distinct layers, ${networkMacs(network).toLocaleString('en-US')} MACs`);
  for (const { layer, count } of network.layers) console.log(`  ${layerLabel(layer)} x ${count}`);
  console.log(`not costed: ${skipped.map((s) => `${s.opType} ${s.count}`).join(', ')}`);

  const evaluated = evaluateNetwork(simbaDefaultArch, network);
  if (evaluated._tag === 'Left') throw new Error(formatError(evaluated.left));
  const simba = evaluated.right;
  const resultSearched = await inputSpaceSearch(simbaSpace, network, { optimizer: 'bo', budget, seed: 1 });
  if (resultSearched._tag === 'Left') throw new Error(formatError(resultSearched.left));
  const result = resultSearched.right;
  console.log(`Simba default  EDP ${simba.edp.toExponential(3)}`);
  console.log(`searched       EDP ${result.best?.edp.toExponential(3)}  ${JSON.stringify(result.best?.arch)}`);
}

main(process.argv[2] ?? path.join(__dirname, 'tiny-transformer.onnx'), Number(process.argv[3] ?? 20)).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
