/**
 * How does a design found for one network do on others? Evaluates a design (by default one found for
 * ResNet-50 by `vaesa demo`; pass your own as JSON) and Simba's default on every built-in network.
 * Run: npx tsx examples/evaluate-across-networks.ts ['{"meshX":8,"macs":2048,...}']
 */
import { evaluateNetwork, networks, parseArch, simbaDefaultArch, simbaSpace, formatError, createMappingCache } from 'vaesa';

const input = process.argv[2] ?? '{"meshX":8,"macs":4096,"accumulationBuffer":256,"weightBuffer":65536,"inputBuffer":4096,"globalBuffer":262144}';
const parsed = parseArch(simbaSpace, JSON.parse(input));
if (parsed._tag === 'Left') throw new Error(formatError(parsed.left));
const found = parsed.right;
const cache = createMappingCache(); // shared across networks: repeated layer shapes are mapped once

console.log('network            EDP (design)   EDP (Simba)   ratio');
for (const [name, net] of Object.entries(networks)) {
  const a = evaluateNetwork(found, net, { cache });
  const b = evaluateNetwork(simbaDefaultArch, net, { cache });
  console.log(`${name.padEnd(18)} ${a.edp.toExponential(3).padStart(12)}  ${b.edp.toExponential(3).padStart(12)}  ${(a.edp / b.edp).toFixed(3)}`);
}
