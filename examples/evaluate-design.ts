/**
 * Evaluate one accelerator design on ResNet-50 with the built-in cost model (Timeloop's numbers for the
 * mapping the mapper finds), then look at one layer's mapping and where its energy goes.
 * Run: npx tsx examples/evaluate-design.ts
 */
import { evaluateNetwork, evaluateLayer, networks, parseArch, simbaSpace, layerName, formatError } from 'vaesa';

const parsed = parseArch(simbaSpace, { meshX: 16, macs: 2048, accumulationBuffer: 128, weightBuffer: 32768, inputBuffer: 2048, globalBuffer: 131072 });
if (parsed._tag === 'Left') throw new Error(formatError(parsed.left));
const arch = parsed.right;

const evaluated = evaluateNetwork(arch, networks.resnet50);
if (evaluated._tag === 'Left') throw new Error(formatError(evaluated.left));
const net = evaluated.right;
console.log(`ResNet-50: ${net.cycles} cycles, ${(net.energy / 1e6).toFixed(1)} uJ, area ${net.area.toFixed(2)} mm², EDP ${net.edp.toExponential(3)}`);

const first = networks.resnet50.layers[0].layer;
const layerCost = evaluateLayer(arch, first, { objective: 'edp' });
if (layerCost._tag === 'Left') throw new Error(formatError(layerCost.left));
const cost = layerCost.right;
console.log(`layer ${layerName(first)}: ${cost.cycles} cycles, ${(cost.energy / 1e6).toFixed(2)} uJ`);
for (const level of cost.breakdown.levels) console.log(`  ${level.level.padEnd(18)} ${(level.energy / 1e6).toFixed(3)} uJ`);
