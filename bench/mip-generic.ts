/**
 * Generic MIP mapper bench (issue #15): `findGenericMappingMip` (CoSA's MIP on HiGHS, finished with
 * Timeloop's model) against the generic search (`findGenericMapping`, default effort), both costed by
 * Timeloop's model, on the four reference families (`eyerissArch()` and `gemminiArch()`, the sizes of
 * `eyeriss_v0` and `gemmini_v0` with their dataflows' keeps; `os2_v0` and `os3_v0` read from
 * `shared/reference/timeloop-generic/arch`; pat energies) x eight problems (3x3, 1x1 and strided 7x7
 * convolutions, grouped and depthwise convolutions, a GEMM, attention's Q·Kᵀ and P·V):
 * per family the median and worst MIP EDP / search EDP, how many pairs the MIP solved to proven
 * optimality, and the wall time of each mapper per pair (median, worst). HiGHS is warmed up first.
 * Run: `npx tsx bench/mip-generic.ts [--time-limit 1.5] [--families eyeriss,gemmini]`.
 * `--tiny`: instead, the eight tiny problems of the generic mapper's tests, where every mapping is
 * enumerated: MIP EDP and search EDP over the exhaustive optimum.
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { formatError, type VaesaError } from '../src/common/errors';
import { eyerissArch, gemminiArch } from '../src/costmodel/families';
import type { ArchSpec } from '../src/costmodel/spec';
import { parseTimeloopArch } from '../src/costmodel/timeloop-arch';
import { findGenericMapping } from '../src/mapper/generic/find-mapping';
import { findGenericMappingMip } from '../src/mapper/mip/generic-mapper';
import { DEFAULT_MIP_TIME_LIMIT_SECONDS } from '../src/mapper/mip/mapper';
import { loadMipSolver, type MipSolver } from '../src/mapper/mip/solver';
import { tinyCases } from '../test/mapper/generic/archs';
import { exhaustiveOptimum } from '../test/mapper/generic/exhaustive';
import { batchedMatmul, conv2d, depthwiseConv, groupedConv, matmul, type Problem } from '../src/workload/problem';

const ARCH_DIR = path.resolve(__dirname, '../../shared/reference/timeloop-generic/arch');
const FAMILIES = ['eyeriss', 'gemmini', 'os2', 'os3'] as const;

function get<T>(e: E.Either<VaesaError, T>, what: string): T {
  if (E.isLeft(e)) throw new Error(`${what}: ${formatError(e.left)}`);
  return e.right;
}

function referenceArch(family: string): ArchSpec {
  if (family === 'eyeriss') return get(eyerissArch(), family);
  if (family === 'gemmini') return get(gemminiArch(), family);
  return get(parseTimeloopArch(readFileSync(path.join(ARCH_DIR, `${family}_v0.yaml`), 'utf8'), { energyModel: 'pat' }), family);
}

const PROBLEMS: readonly (readonly [string, Problem])[] = [
  ['conv3x3', get(conv2d({ R: 3, S: 3, P: 14, Q: 14, C: 128, K: 128, N: 1 }), 'conv3x3')],
  ['conv1x1', get(conv2d({ R: 1, S: 1, P: 28, Q: 28, C: 128, K: 256, N: 1 }), 'conv1x1')],
  ['conv7x7s2', get(conv2d({ R: 7, S: 7, P: 56, Q: 56, C: 3, K: 64, N: 1, strideW: 2, strideH: 2 }), 'conv7x7s2')],
  ['grouped', get(groupedConv({ G: 32, R: 3, S: 3, P: 28, Q: 28, C: 4, K: 4, N: 1 }), 'grouped')],
  ['depthwise', get(depthwiseConv({ G: 96, R: 3, S: 3, P: 56, Q: 56, N: 1 }), 'depthwise')],
  ['gemm', get(matmul({ M: 128, N: 768, K: 768 }), 'gemm')],
  ['attn-qk', get(batchedMatmul({ B: 12, M: 128, N: 128, K: 64 }), 'attn-qk')],
  ['attn-pv', get(batchedMatmul({ B: 12, M: 128, N: 64, K: 128 }), 'attn-pv')],
];

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The tiny cases of test/mapper/generic/find-mapping.test.ts: each mapper's EDP over the exhaustive optimum. */
function benchTiny(mipSolver: MipSolver): void {
  const cases = tinyCases();
  const mipRatios: number[] = [];
  console.log('arch    | problem        | mappings enumerated | MIP / optimum | search / optimum');
  for (const [arch, problem, constraints] of cases) {
    const optimum = exhaustiveOptimum(arch, problem, constraints);
    const mip = get(findGenericMappingMip(arch, problem, { mipSolver, constraints }), 'MIP').cost.edp / optimum.value;
    const search = get(findGenericMapping(arch, problem, { constraints }), 'search').cost.edp / optimum.value;
    mipRatios.push(mip);
    console.log(`${arch.name.padEnd(7)} | ${problem.kind.padEnd(14)} | ${String(optimum.count).padStart(19)} | ${mip.toFixed(4).padStart(13)} | ${search.toFixed(4)}`);
  }
  console.log(`MIP / optimum: median ${median(mipRatios).toFixed(4)}, worst ${Math.max(...mipRatios).toFixed(4)}`);
}

export async function main(args: readonly string[]): Promise<void> {
  if (args.includes('--tiny')) {
    benchTiny(get(await loadMipSolver(), 'HiGHS'));
    return;
  }
  const timeLimitSeconds = Number(flag(args, 'time-limit') ?? DEFAULT_MIP_TIME_LIMIT_SECONDS);
  const families = (flag(args, 'families') ?? FAMILIES.join(',')).split(',');
  const mipSolver = get(await loadMipSolver(), 'HiGHS');
  // Warm-up: V8 compiles HiGHS's WebAssembly lazily, so a process's first seconds of solving are slower.
  const warm = referenceArch('eyeriss');
  for (let i = 0; i < 3; i++) findGenericMappingMip(warm, PROBLEMS[0][1], { mipSolver, timeLimitSeconds });
  console.log(`load average at start: ${os.loadavg()[0].toFixed(1)}; MIP time limit ${timeLimitSeconds} s`);
  console.log('family   | pairs | MIP/search EDP median | worst | best | MIP proven optimal | MIP ms median / worst | search ms median / worst');
  for (const family of families) {
    const arch = referenceArch(family);
    const ratios: number[] = [];
    const mipMs: number[] = [];
    const searchMs: number[] = [];
    let optimal = 0;
    const perProblem: string[] = [];
    for (const [name, problem] of PROBLEMS) {
      const t0 = performance.now();
      const mip = findGenericMappingMip(arch, problem, { mipSolver, timeLimitSeconds });
      const t1 = performance.now();
      const search = get(findGenericMapping(arch, problem), `${family} ${name} search`);
      const t2 = performance.now();
      mipMs.push(t1 - t0);
      searchMs.push(t2 - t1);
      if (E.isLeft(mip)) {
        perProblem.push(`${name} MIP failed (${formatError(mip.left)})`);
        continue;
      }
      if (mip.right.optimal) optimal++;
      const ratio = mip.right.cost.edp / search.cost.edp;
      ratios.push(ratio);
      perProblem.push(`${name} ${ratio.toFixed(3)}`);
    }
    const f = (x: number): string => x.toFixed(0);
    console.log(
      `${family.padEnd(8)} | ${String(ratios.length).padStart(5)} | ${median(ratios).toFixed(3).padStart(21)} | ${Math.max(...ratios).toFixed(2).padStart(5)} | ${Math.min(...ratios).toFixed(3)} | ${optimal}/${PROBLEMS.length} | ${f(median(mipMs))} / ${f(Math.max(...mipMs))} | ${f(median(searchMs))} / ${f(Math.max(...searchMs))}`,
    );
    console.log(`         per problem (MIP/search EDP): ${perProblem.join(', ')}`);
  }
  console.log(`load average at end: ${os.loadavg()[0].toFixed(1)}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
