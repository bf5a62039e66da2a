/**
 * Prints the tables of docs/workloads.md: every built-in network (layer kinds, distinct shapes, layers,
 * MACs) and, when ../shared/reference/onnx is there, what readOnnx makes of each model in it.
 * Run from the repository root: `npx tsx scripts/workload-table.ts [onnxDir]`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { formatError } from '../src/common/errors';
import { isProblem, networkLayerCount, networkMacs, networks, readOnnx, type Network } from '../src/workload';

const onnxDir = path.resolve(process.argv[2] ?? path.join(__dirname, '../../shared/reference/onnx'));
const n = (x: number) => x.toLocaleString('en-US');

function kinds(network: Network): string {
  const counts = new Map<string, number>();
  for (const e of network.layers) {
    const kind = isProblem(e.layer) ? e.layer.kind : 'conv2d';
    counts.set(kind, (counts.get(kind) ?? 0) + e.count);
  }
  return [...counts.entries()].map(([k, c]) => `${k} ${c}`).join(', ');
}

console.log('| network | layers by kind | distinct shapes | layers | MACs |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, network] of Object.entries(networks)) {
  console.log(`| ${name} | ${kinds(network)} | ${network.layers.length} | ${networkLayerCount(network)} | ${n(networkMacs(network))} |`);
}

if (existsSync(onnxDir)) {
  console.log('');
  console.log('| ONNX model | layers by kind | distinct shapes | MACs | reference MACs | other nodes | their output elements / (MACs + those) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const file of readdirSync(onnxDir).filter((f) => f.endsWith('.onnx')).sort()) {
    const model = file.slice(0, -'.onnx'.length);
    const imported = readOnnx(new Uint8Array(readFileSync(path.join(onnxDir, file))), { name: model });
    if (E.isLeft(imported)) {
      console.log(`| ${model} | ${formatError(imported.left)} | | | | | |`);
      continue;
    }
    const { network, skipped } = imported.right;
    const macs = networkMacs(network);
    const refFile = path.join(onnxDir, `${model}.layers.json`);
    const reference = existsSync(refFile) ? n((JSON.parse(readFileSync(refFile, 'utf8')) as { summary: { total_macs: number } }).summary.total_macs) : '-';
    const others = skipped.reduce((s, o) => s + o.count, 0);
    const elements = skipped.reduce((s, o) => s + o.outputElements, 0);
    console.log(`| ${model} | ${kinds(network)} | ${network.layers.length} | ${n(macs)} | ${reference} | ${n(others)} | ${((100 * elements) / (macs + elements)).toFixed(2)}% |`);
  }
}
