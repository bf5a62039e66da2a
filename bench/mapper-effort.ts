/**
 * CPU time and EDP of the mapper's fast effort preset against the default, on ResNet-50's distinct
 * layers x 12 random archs (seed 3), each with a fresh cache. Run: npx tsx bench/mapper-effort.ts
 */
import { orThrow } from './either';
import { evaluateLayer, createMappingCache, DEFAULT_SEARCH_EFFORT, FAST_SEARCH_EFFORT, type SearchEffort } from '../src/mapper';
import { networks, uniqueLayers } from '../src/workload';
import { sampleArch, simbaSpace } from '../src/hardware';
import { createRng } from '../src/common';
const layers = uniqueLayers(networks.resnet50);
const rng = createRng(3);
const archs = Array.from({ length: 12 }, () => sampleArch(simbaSpace, rng));
const edpsByEffort: Record<string, number[]> = {};
const efforts: [string, SearchEffort][] = [['fast', FAST_SEARCH_EFFORT], ['default', DEFAULT_SEARCH_EFFORT]];
for (const [name, effort] of efforts) {
  const cache = createMappingCache();
  const t = process.cpuUsage();
  const edps: number[] = [];
  for (const a of archs) for (const l of layers) edps.push(orThrow(evaluateLayer(a, l, { cache, effort })).edp);
  const u = process.cpuUsage(t);
  console.log(name, 'cpu s', ((u.user + u.system) / 1e6).toFixed(1), 'rows', edps.length, 'sumlog', edps.reduce((s, x) => s + Math.log(x), 0).toFixed(3));
  edpsByEffort[name] = edps;
}
const f = edpsByEffort.fast;
const d = edpsByEffort.default;
const ratios = f.map((x, i) => x / d[i]).sort((a, b) => a - b);
console.log('fast/default median', ratios[Math.floor(ratios.length / 2)], 'worst', ratios[ratios.length - 1]);
