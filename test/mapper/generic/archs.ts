/** Small archs of the four reference families for exhaustive checks (the 2/3-level ones built here as plain ArchSpecs). */
import * as E from 'fp-ts/Either';
import { patDramEnergy, patMacEnergy, patSramEnergy } from '../../../src/costmodel/energy-tables';
import { eyerissArch, gemminiArch } from '../../../src/costmodel/families';
import type { ArchSpec, Mapping, StorageLevel } from '../../../src/costmodel/spec';
import type { MapspaceConstraints } from '../../../src/mapper/generic/constraints';
import { batchedMatmul, conv2d, depthwiseConv, matmul, type Problem } from '../../../src/workload/problem';

function level(name: string, entries: number | undefined, instances: number, meshX: number, blockSize: number, keeps: readonly string[] | undefined, bandwidth?: number): StorageLevel {
  const wordBits = 16;
  return {
    name,
    technology: entries === undefined ? 'DRAM' : 'SRAM',
    entries,
    wordBits,
    blockSize,
    clusterSize: 1,
    instances,
    meshX,
    readBandwidth: bandwidth,
    writeBandwidth: bandwidth,
    numPorts: 2,
    numBanks: 2,
    vectorAccessEnergy: entries === undefined ? patDramEnergy(wordBits * blockSize) : patSramEnergy(Math.ceil(entries / blockSize), wordBits * blockSize),
    area: 0,
    keeps,
  };
}

/** simple_os_2level: MACC <- RegisterFile (Outputs; Weights/Inputs optional) <- [X x Y] <- MainMemory. */
export function os2Arch(meshX: number, meshY: number, regfile: number, dramBandwidth?: number): ArchSpec {
  const pes = meshX * meshY;
  return {
    name: 'os2',
    energyModel: 'pat',
    arithmetic: { name: 'MACC', instances: pes, meshX, wordBits: 16, energyPerMac: patMacEnergy(16), area: 0 },
    levels: [level('RegisterFile', regfile, pes, meshX, 1, undefined), level('MainMemory', undefined, 1, 1, 4, undefined, dramBandwidth)],
  };
}

/** simple_os_3level: MACC <- RegisterFile <- [X x Y] <- GlobalBuffer <- MainMemory. */
export function os3Arch(meshX: number, meshY: number, regfile: number, glb: number): ArchSpec {
  const pes = meshX * meshY;
  return {
    name: 'os3',
    energyModel: 'pat',
    arithmetic: { name: 'MACC', instances: pes, meshX, wordBits: 16, energyPerMac: patMacEnergy(16), area: 0 },
    levels: [level('RegisterFile', regfile, pes, meshX, 1, undefined), level('GlobalBuffer', glb, 1, 1, 4, undefined, 4), level('MainMemory', undefined, 1, 1, 8, undefined, 8)],
  };
}

export function tinyEyeriss(): ArchSpec {
  const a = eyerissArch({ meshX: 2, meshY: 2, psumSpad: 4, weightsSpad: 8, ifmapSpad: 4, sharedGlb: 64, glbBandwidth: 4, dramBandwidth: 2 });
  if (E.isLeft(a)) throw new Error('tiny eyeriss');
  return a.right;
}

export function tinyGemmini(): ArchSpec {
  const a = gemminiArch({ meshX: 2, meshY: 2, accRowsPerCol: 8, scratchpad: 64, spadBlock: 2, dramBandwidth: 2 });
  if (E.isLeft(a)) throw new Error('tiny gemmini');
  return a.right;
}

/** The Eyeriss and Gemmini dataflows' keeps, forced (their spads and registers keep what they are for). */
export const EYERISS_KEEPS: MapspaceConstraints = { levels: { psum_spad: { keep: ['Outputs'] }, weights_spad: { keep: ['Weights'] }, ifmap_spad: { keep: ['Inputs'] }, shared_glb: { keep: ['Inputs', 'Outputs'] } } };
export const GEMMINI_KEEPS: MapspaceConstraints = { levels: { Registers: { keep: ['Weights'] }, Accumulator: { keep: ['Outputs'] }, Scratchpad: { keep: ['Weights', 'Inputs'] } } };

function problemOf(p: E.Either<unknown, Problem>): Problem {
  if (E.isLeft(p)) throw new Error('tiny problem');
  return p.right;
}

/** Tiny problems of the four families whose every mapping can be enumerated (thousands each), with the mapspace of each. */
export function tinyCases(): [ArchSpec, Problem, MapspaceConstraints | undefined][] {
  return [
    [os2Arch(2, 2, 4, 2), problemOf(matmul({ M: 4, N: 4, K: 4 })), undefined],
    [os2Arch(2, 2, 8), problemOf(conv2d({ R: 3, S: 1, P: 2, Q: 2, C: 2, K: 2, N: 1 })), undefined],
    [os3Arch(2, 2, 4, 32), problemOf(matmul({ M: 4, N: 2, K: 4 })), undefined],
    [os3Arch(2, 2, 4, 32), problemOf(depthwiseConv({ G: 2, R: 3, S: 1, P: 2, Q: 2, N: 1 })), undefined],
    [tinyEyeriss(), problemOf(matmul({ M: 4, N: 2, K: 4 })), EYERISS_KEEPS],
    [tinyEyeriss(), problemOf(conv2d({ R: 3, S: 1, P: 4, Q: 1, C: 2, K: 2, N: 1 })), EYERISS_KEEPS],
    [tinyGemmini(), problemOf(matmul({ M: 4, N: 4, K: 4 })), GEMMINI_KEEPS],
    [tinyGemmini(), problemOf(batchedMatmul({ B: 2, M: 2, N: 4, K: 2 })), GEMMINI_KEEPS],
  ];
}

/** A constrained mapspace on the default Eyeriss: spatial dimensions per axis at the global buffer, a forced bypass and order prefix, a fixed factor and keep at the psum spad. */
export const EYERISS_CONSTRAINTS: MapspaceConstraints = {
  levels: {
    shared_glb: { spatialX: ['K'], spatialY: ['C', 'P'], bypass: ['Weights'], permutation: ['Q', 'P'] },
    psum_spad: { temporalFactors: { S: 3 }, keep: ['Outputs'] },
  },
};

/** Checks that an Eyeriss mapping keeps to `EYERISS_CONSTRAINTS`. */
export function expectEyerissConstraintsHonoured(mapping: Mapping): void {
  const glb = mapping.levels[3];
  const split = glb.spatialSplit ?? 0;
  expect(glb.spatialPermutation.slice(0, split).every((d) => d === 'K')).toBe(true);
  expect(glb.spatialPermutation.slice(split).every((d) => d === 'C' || d === 'P')).toBe(true);
  expect(glb.keep).not.toContain('Weights');
  expect(glb.permutation.slice(0, 2)).toEqual(['Q', 'P']);
  expect(mapping.levels[0].temporal.S).toBe(3);
  expect(mapping.levels[0].keep).toEqual(['Outputs']);
}
