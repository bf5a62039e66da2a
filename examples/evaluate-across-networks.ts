/**
 * How does a design found for one network do on others? Evaluates a design (by default one found for
 * ResNet-50 by `vaesa demo`; pass your own as JSON) and Simba's default on a CNN, a depthwise CNN and two
 * transformers; `--all` evaluates every built-in network (the LLM prefills take about a minute of CPU).
 * Run: npx tsx examples/evaluate-across-networks.ts ['{"meshX":8,"macs":2048,...}'] [--all]
 */
import { evaluateNetwork, networks, parseArch, simbaDefaultArch, simbaSpace, formatError, createMappingCache } from 'vaesa';

const args = process.argv.slice(2);
const all = args.includes('--all');
const input = args.find((a) => a !== '--all') ?? '{"meshX":8,"macs":4096,"accumulationBuffer":256,"weightBuffer":65536,"inputBuffer":4096,"globalBuffer":262144}';
const parsed = parseArch(simbaSpace, JSON.parse(input));
if (parsed._tag === 'Left') throw new Error(formatError(parsed.left));
const found = parsed.right;
const cache = createMappingCache(); // shared across networks: repeated layer shapes are mapped once

console.log('network            EDP (design)   EDP (Simba)   ratio');
const chosen = all ? Object.entries(networks) : Object.entries(networks).filter(([name]) => ['resnet50', 'mobilenet-v2', 'bert-base-128', 'gpt2-decode'].includes(name));
for (const [name, net] of chosen) {
  const evaluated = [evaluateNetwork(found, net, { cache }), evaluateNetwork(simbaDefaultArch, net, { cache })];
  const failed = evaluated.find((e) => e._tag === 'Left');
  if (failed?._tag === 'Left') throw new Error(`${name}: ${formatError(failed.left)}`);
  const [a, b] = evaluated.map((e) => (e._tag === 'Right' ? e.right : { edp: Number.NaN }));
  console.log(`${name.padEnd(18)} ${a.edp.toExponential(3).padStart(12)}  ${b.edp.toExponential(3).padStart(12)}  ${(a.edp / b.edp).toFixed(3)}`);
}
