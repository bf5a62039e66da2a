/** Small archs of the four reference families for exhaustive checks (the 2/3-level ones built here as plain ArchSpecs). */
import * as E from 'fp-ts/Either';
import { patDramEnergy, patMacEnergy, patSramEnergy } from '../../../src/costmodel/energy-tables';
import { eyerissArch, gemminiArch } from '../../../src/costmodel/families';
import type { ArchSpec, StorageLevel } from '../../../src/costmodel/spec';

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
