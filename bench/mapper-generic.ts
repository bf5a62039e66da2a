/**
 * Generic mapper bench (issue #15): `evaluateNetwork` on Eyeriss-like (default) or Gemmini-like archs
 * (`eyerissArch` / `gemminiArch` with random sizes) over ResNet-50 and BERT-base-128 with one generic
 * cache, as a dataset run would use it.
 * - speed: layer evaluations per second (wall and per CPU second), first on one arch per mesh of the
 *   draw (cold: each layer's unrollings for that fan-out are built on the way, and the JIT warms up), then
 *   on random archs (warm: every (layer, mesh) has been seen, so only the per-arch search and the exact
 *   costing of its finalists remain, as in a long dataset run); the machine's load average is printed
 *   with each line since CPU time per evaluation grows on a busy machine;
 * - quality: per layer, the default effort's EDP over a much larger search's (8x the moves and starts,
 *   all unrollings seeded) on a few archs.
 * Run: `npx tsx bench/mapper-generic.ts [speed|quality|all] [--family eyeriss|gemmini] [--warm-archs 24] [--quality-archs 2] [--effort default|fast]`.
 */
import { loadavg } from 'node:os';
import * as E from 'fp-ts/Either';
import { createRng, type Rng } from '../src/common/rng';
import { formatError } from '../src/common/errors';
import { eyerissArch, gemminiArch, type EyerissParams, type GemminiParams } from '../src/costmodel/families';
import type { ArchSpec } from '../src/costmodel/spec';
import { evaluateLayer, evaluateNetwork } from '../src/mapper/evaluate-layer';
import { createGenericCache, GENERIC_SEARCH_EFFORTS } from '../src/mapper/generic/find-mapping';
import { DEFAULT_GENERIC_EFFORT, type GenericSearchEffort } from '../src/mapper/generic/search';
import { resnet50 } from '../src/workload/networks/resnet50';
import { bertBase128 } from '../src/workload/networks/transformers';
import type { Network } from '../src/workload/network';

const NETWORKS: readonly Network[] = [resnet50, bertBase128];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

const MESH_X = [8, 12, 14, 16];
const MESH_Y = [8, 12, 16];

/** An Eyeriss-like arch with sizes drawn around the reference variants' (the mesh given or drawn). */
export function randomEyeriss(rng: Rng, mesh?: { readonly x: number; readonly y: number }): ArchSpec {
  const meshX = pick(rng, MESH_X);
  const meshY = pick(rng, MESH_Y);
  const params: Partial<EyerissParams> = {
    meshX: mesh?.x ?? meshX,
    meshY: mesh?.y ?? meshY,
    psumSpad: pick(rng, [16, 24, 32]),
    weightsSpad: pick(rng, [128, 192, 224, 256]),
    ifmapSpad: pick(rng, [12, 16, 24]),
    sharedGlb: pick(rng, [16384, 24576, 55296, 65536, 131072]),
    glbBandwidth: pick(rng, [4, 8, 16, 32]),
    dramBandwidth: pick(rng, [2, 4, 8, 16, null]),
  };
  const arch = eyerissArch(params);
  if (E.isLeft(arch)) throw new Error(formatError(arch.left));
  return arch.right;
}

const GEMMINI_MESHES = [8, 16, 32];

/** A Gemmini-like arch with sizes drawn around the reference variants' (the mesh given or drawn; square). */
export function randomGemmini(rng: Rng, mesh?: { readonly x: number; readonly y: number }): ArchSpec {
  const side = pick(rng, GEMMINI_MESHES);
  const params: Partial<GemminiParams> = {
    meshX: mesh?.x ?? side,
    meshY: mesh?.y ?? side,
    accRowsPerCol: pick(rng, [256, 512, 1024, 2048]),
    scratchpad: pick(rng, [65536, 131072, 262144, 524288]),
    spadBandwidth: pick(rng, [8, 16, 32, null]),
    dramBandwidth: pick(rng, [4, 8, 16, 32]),
  };
  const arch = gemminiArch(params);
  if (E.isLeft(arch)) throw new Error(formatError(arch.left));
  return arch.right;
}

/** Per family: its random archs and the meshes the cold phase visits once each. */
const FAMILIES = {
  eyeriss: { draw: randomEyeriss, meshes: MESH_X.flatMap((x) => MESH_Y.map((y) => ({ x, y }))) },
  gemmini: { draw: randomGemmini, meshes: GEMMINI_MESHES.map((side) => ({ x: side, y: side })) },
} as const;

type FamilyName = keyof typeof FAMILIES;

function layerCount(network: Network): number {
  return network.layers.length;
}

function benchSpeed(family: FamilyName, warmArchs: number, effort: GenericSearchEffort): void {
  const { draw, meshes } = FAMILIES[family];
  const rng = createRng(15);
  const cache = createGenericCache();
  const run = (archs: readonly ArchSpec[], label: string): void => {
    let evaluations = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const arch of archs) {
      for (const network of NETWORKS) {
        const cost = evaluateNetwork(arch, network, { cache, effort });
        if (E.isLeft(cost)) throw new Error(`${network.name}: ${formatError(cost.left)}`);
        evaluations += layerCount(network);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const load = loadavg().map((x) => x.toFixed(1)).join(' ');
    console.log(`${label.padEnd(6)} ${archs.length} archs x (ResNet-50 + BERT-base-128), ${evaluations} layer evaluations: ${(evaluations / seconds).toFixed(1)}/s wall, ${(evaluations / cpuSeconds).toFixed(1)}/s per CPU second (load average ${load})`);
  };
  run(meshes.map((mesh) => draw(rng, mesh)), 'cold');
  if (warmArchs > 0) run(Array.from({ length: warmArchs }, () => draw(rng)), 'warm');
}

function benchQuality(family: FamilyName, archs: number, effort: GenericSearchEffort): void {
  const rng = createRng(16);
  const thorough: GenericSearchEffort = { unrollings: effort.unrollings * 2, seededUnrollings: effort.unrollings * 2, starts: effort.starts * 8, moves: effort.moves * 8, finalists: effort.finalists * 2 };
  const ratios: number[] = [];
  for (let a = 0; a < archs; a++) {
    const arch = FAMILIES[family].draw(rng);
    for (const network of NETWORKS) {
      for (const { layer } of network.layers) {
        const ours = evaluateLayer(arch, layer, { effort });
        const best = evaluateLayer(arch, layer, { effort: thorough, seed: 1 });
        if (E.isLeft(ours) || E.isLeft(best)) throw new Error('a layer did not map');
        ratios.push(ours.right.edp / best.right.edp);
      }
    }
  }
  ratios.sort((x, y) => x - y);
  const q = (f: number): number => ratios[Math.min(ratios.length - 1, Math.floor(f * ratios.length))];
  const geometricMean = Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
  console.log(`quality, ${ratios.length} (arch, layer) pairs: EDP / thorough search's EDP median ${q(0.5).toFixed(4)}, p75 ${q(0.75).toFixed(4)}, p90 ${q(0.9).toFixed(4)}, worst ${ratios[ratios.length - 1].toFixed(4)}, best ${ratios[0].toFixed(4)}, geometric mean ${geometricMean.toFixed(4)}`);
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export function main(args: readonly string[]): void {
  const what = args[0] ?? 'all';
  const effortName = flag(args, 'effort') ?? 'default';
  const effort = effortName === 'fast' ? GENERIC_SEARCH_EFFORTS.fast : DEFAULT_GENERIC_EFFORT;
  const family = flag(args, 'family') ?? 'eyeriss';
  if (!Object.prototype.hasOwnProperty.call(FAMILIES, family)) throw new Error(`--family: expected ${Object.keys(FAMILIES).join(' or ')}, got ${family}`);
  const name = family as FamilyName;
  if (what === 'speed' || what === 'all') benchSpeed(name, Number(flag(args, 'warm-archs') ?? 24), effort);
  if (what === 'quality' || what === 'all') benchQuality(name, Number(flag(args, 'quality-archs') ?? 2), effort);
}

if (require.main === module) main(process.argv.slice(2));
