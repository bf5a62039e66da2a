/**
 * Bring your own accelerator: a Timeloop architecture file, a Timeloop problem file and a Timeloop map
 * file in (all embedded here as text), Timeloop's cycles, energy and per-level breakdown out.
 * The accelerator is a small Eyeriss-like array written for this example: 8 x 8 PEs, each with an
 * output, a weight and an input scratchpad, under a shared global buffer and DRAM with finite bandwidth.
 * Run: npx tsx examples/own-accelerator.ts
 */
import { createMappingEvaluator, evaluateArchMapping, formatError, mappingFromTimeloop, parseTimeloopArch, parseTimeloopProblem } from 'vaesa';

const archYaml = `
arch:
  arithmetic: {name: MACC, instances: 64, meshX: 8, word-bits: 16}
  storage:
  - {name: psum_spad, entries: 16, instances: 64, meshX: 8, word-bits: 16, read_bandwidth: 2, write_bandwidth: 2}
  - {name: weights_spad, entries: 128, instances: 64, meshX: 8, word-bits: 16, read_bandwidth: 2, write_bandwidth: 2}
  - {name: ifmap_spad, entries: 16, instances: 64, meshX: 8, word-bits: 16, read_bandwidth: 2, write_bandwidth: 2}
  - {name: glb, entries: 32768, instances: 1, word-bits: 16, block-size: 4, read_bandwidth: 16, write_bandwidth: 16}
  - {name: DRAM, technology: DRAM, instances: 1, word-bits: 16, block-size: 4, read_bandwidth: 8, write_bandwidth: 8}
`;

// A 3x3 convolution in Timeloop's built-in CNN shape (R S P Q C K N).
const problemYaml = `
problem:
  shape: cnn-layer
  instance: {R: 3, S: 3, P: 16, Q: 16, C: 32, K: 64, N: 1}
`;

// Loop orders are inner to outer; the glb's spatial fan-out puts C along X (split: 1) and K along Y.
const mapYaml = `
mapping:
- {target: psum_spad, type: temporal, factors: R=3 S=1 P=1 Q=1 C=1 K=1 N=1, permutation: RSPQCKN}
- {target: weights_spad, type: temporal, factors: R=1 S=3 P=1 Q=1 C=1 K=1 N=1, permutation: SRPQCKN}
- {target: ifmap_spad, type: temporal, factors: R=1 S=1 P=2 Q=1 C=1 K=1 N=1, permutation: PRSQCKN}
- {target: glb, type: spatial, factors: R=1 S=1 P=1 Q=1 C=8 K=8 N=1, permutation: CKRSPQN, split: 1}
- {target: glb, type: temporal, factors: R=1 S=1 P=8 Q=16 C=1 K=2 N=1, permutation: PQKRSCN}
- {target: DRAM, type: temporal, factors: R=1 S=1 P=1 Q=1 C=4 K=4 N=1, permutation: CKRSPQN}
- {target: psum_spad, type: bypass, keep: [Outputs], bypass: [Weights, Inputs]}
- {target: weights_spad, type: bypass, keep: [Weights], bypass: [Inputs, Outputs]}
- {target: ifmap_spad, type: bypass, keep: [Inputs], bypass: [Weights, Outputs]}
`;

function orExit<T>(result: { _tag: 'Left'; left: Parameters<typeof formatError>[0] } | { _tag: 'Right'; right: T }): T {
  if (result._tag === 'Left') {
    console.error(formatError(result.left));
    process.exit(1);
  }
  return result.right;
}

const arch = orExit(parseTimeloopArch(archYaml, { energyModel: 'pat' }));
const problem = orExit(parseTimeloopProblem(problemYaml));
const mapping = orExit(mappingFromTimeloop(mapYaml, arch, problem));
const cost = orExit(evaluateArchMapping(arch, problem, mapping));

console.log(`${arch.name}: ${cost.cycles} cycles (${cost.breakdown.computeCycles} without bandwidth limits), ${(cost.energy / 1e6).toFixed(3)} uJ, EDP ${cost.edp.toExponential(3)}`);
console.log(`MACs ${cost.breakdown.macs} on ${cost.breakdown.utilizedMacs} units, MAC energy ${(cost.breakdown.macEnergy / 1e6).toFixed(3)} uJ`);
for (const level of cost.breakdown.levels) {
  const spaces = Object.entries(level.dataSpaces)
    .filter(([, s]) => s.keep)
    .map(([name, s]) => `${name} r/u/f ${s.reads}/${s.updates}/${s.fills}`)
    .join(', ');
  console.log(`  ${level.name.padEnd(13)} ${level.cycles.toString().padStart(7)} cycles ${(level.energy / 1e6).toFixed(3).padStart(8)} uJ  ${spaces}`);
}

// A mapping Timeloop would refuse comes back as a Left naming the level: 16 output columns need an input
// tile of 18 x 3 words, more than the 16-entry ifmap scratchpad holds.
const tooBig = orExit(
  mappingFromTimeloop(
    mapYaml.replace('factors: R=1 S=1 P=2 Q=1 C=1 K=1 N=1', 'factors: R=1 S=1 P=16 Q=1 C=1 K=1 N=1').replace('factors: R=1 S=1 P=8 Q=16 C=1 K=2 N=1', 'factors: R=1 S=1 P=1 Q=16 C=1 K=2 N=1'),
    arch,
    problem,
  ),
);
const refused = evaluateArchMapping(arch, problem, tooBig);
console.log(`refused: ${refused._tag === 'Left' ? formatError(refused.left) : 'no'}`);

// In a search loop, build the evaluator once per (arch, problem): check + evaluate allocate nothing.
const evaluator = createMappingEvaluator(arch, problem);
if (evaluator.check(mapping) === undefined) console.log(`reused evaluator: EDP ${evaluator.evaluate(mapping).toExponential(3)}`);
