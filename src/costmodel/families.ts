/**
 * Built-in accelerator families as `ArchSpec` builders, parameterised by their sizes: an Eyeriss-like
 * row-stationary array and a Gemmini-like weight-stationary systolic array. Their structure (levels inner
 * to outer, what each level keeps, the fan-outs) is that of the reference variants in
 * `shared/reference/timeloop-generic/arch` (`eyeriss_v*`, `gemmini_v*`); the defaults are `eyeriss_v0` and
 * `gemmini_v0`.
 */
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { decodeWith, invalidInput, PositiveInt, type VaesaError } from '../common/errors';
import { areaTable40nm, type AreaTable } from './area';
import { patDramEnergy, patMacEnergy, patSramEnergy } from './energy-tables';
import type { ArchSpec, ArithmeticLevel, EnergyModelName, StorageLevel } from './spec';

/**
 * How a family prices accesses: `'pat'` (default) is Timeloop's built-in formula; `'accelergy'` takes
 * each component's largest action energy (pJ, by level name and the arithmetic level's name) from an
 * Accelergy run for these sizes, as Timeloop reads an ERT.
 */
export type FamilyEnergy =
  | { readonly model: 'pat' }
  | { readonly model: 'accelergy'; readonly maxActionEnergy: Readonly<Record<string, number>> };

export interface FamilyOptions {
  readonly energy?: FamilyEnergy;
  /** Area constants (default `areaTable40nm`): bits x `sramBit` per buffer, `mac` per 8-bit MAC. */
  readonly area?: AreaTable;
}

const Bandwidth = t.union([PositiveInt, t.undefined, t.null]);

const EyerissParamsCodec = t.type({
  meshX: PositiveInt,
  meshY: PositiveInt,
  psumSpad: PositiveInt,
  weightsSpad: PositiveInt,
  ifmapSpad: PositiveInt,
  sharedGlb: PositiveInt,
  glbBlock: PositiveInt,
  /** Words per cycle per direction; `undefined`/null = unlimited. */
  glbBandwidth: Bandwidth,
  spadBandwidth: Bandwidth,
  dramBandwidth: Bandwidth,
  dramBlock: PositiveInt,
  wordBits: PositiveInt,
});

/** Sizes of an Eyeriss-like array (entries are words; bandwidths words per cycle per direction, null = unlimited). */
export type EyerissParams = t.TypeOf<typeof EyerissParamsCodec>;

/** `eyeriss_v0`: 14 x 12 PEs, 16/192/12-word spads, a 55,296-word global buffer. */
export const EYERISS_DEFAULTS: EyerissParams = {
  meshX: 14,
  meshY: 12,
  psumSpad: 16,
  weightsSpad: 192,
  ifmapSpad: 12,
  sharedGlb: 55296,
  glbBlock: 4,
  glbBandwidth: 16,
  spadBandwidth: 2,
  dramBandwidth: undefined,
  dramBlock: 4,
  wordBits: 16,
};

const GemminiParamsCodec = t.type({
  meshX: PositiveInt,
  meshY: PositiveInt,
  accRowsPerCol: PositiveInt,
  scratchpad: PositiveInt,
  spadBlock: PositiveInt,
  spadBandwidth: Bandwidth,
  dramBandwidth: Bandwidth,
  dramBlock: PositiveInt,
  wordBits: PositiveInt,
  accWordBits: PositiveInt,
});

/** Sizes of a Gemmini-like systolic array (one accumulator column per X position). */
export type GemminiParams = t.TypeOf<typeof GemminiParamsCodec>;

/** `gemmini_v0`: 16 x 16 PEs, 1,024 accumulator rows per column, a 262,144-word scratchpad. */
export const GEMMINI_DEFAULTS: GemminiParams = {
  meshX: 16,
  meshY: 16,
  accRowsPerCol: 1024,
  scratchpad: 262144,
  spadBlock: 16,
  spadBandwidth: undefined,
  dramBandwidth: 16,
  dramBlock: 64,
  wordBits: 8,
  accWordBits: 32,
};

/** One level as the family describes it, before pricing. */
interface LevelDraft {
  readonly name: string;
  readonly entries: number | undefined;
  readonly instances: number;
  readonly meshX: number;
  readonly wordBits: number;
  readonly blockSize: number;
  readonly bandwidth: number | undefined;
  readonly numBanks?: number;
  readonly keeps: readonly string[];
}

function priced(draft: LevelDraft, energy: FamilyEnergy, area: AreaTable): E.Either<VaesaError, StorageLevel> {
  const isDram = draft.entries === undefined;
  let vectorAccessEnergy: number;
  if (energy.model === 'pat') {
    vectorAccessEnergy = isDram
      ? patDramEnergy(draft.wordBits * draft.blockSize)
      : patSramEnergy(Math.ceil((draft.entries as number) / draft.blockSize), draft.wordBits * draft.blockSize);
  } else {
    const e = energy.maxActionEnergy[draft.name];
    if (!(typeof e === 'number' && Number.isFinite(e) && e >= 0)) return E.left(invalidInput(`energy.maxActionEnergy.${draft.name}`, e, 'a non-negative pJ value is needed for every level'));
    vectorAccessEnergy = e;
  }
  return E.right({
    name: draft.name,
    technology: isDram ? 'DRAM' : 'SRAM',
    entries: draft.entries,
    wordBits: draft.wordBits,
    blockSize: draft.blockSize,
    clusterSize: 1,
    instances: draft.instances,
    meshX: draft.meshX,
    readBandwidth: draft.bandwidth,
    writeBandwidth: draft.bandwidth,
    numPorts: 2,
    numBanks: draft.numBanks ?? 2,
    vectorAccessEnergy,
    area: isDram ? 0 : ((draft.entries as number) * draft.wordBits * area.sramBit) / 1e6,
    keeps: draft.keeps,
  });
}

function build(name: string, arithmetic: Omit<ArithmeticLevel, 'energyPerMac' | 'area'>, drafts: readonly LevelDraft[], options: FamilyOptions): E.Either<VaesaError, ArchSpec> {
  const energy = options.energy ?? { model: 'pat' };
  const area = options.area ?? areaTable40nm;
  let energyPerMac: number;
  if (energy.model === 'pat') energyPerMac = patMacEnergy(arithmetic.wordBits);
  else {
    const e = energy.maxActionEnergy[arithmetic.name];
    if (!(typeof e === 'number' && Number.isFinite(e) && e >= 0)) return E.left(invalidInput(`energy.maxActionEnergy.${arithmetic.name}`, e, 'a non-negative pJ value is needed for the MAC'));
    energyPerMac = e;
  }
  const levels: StorageLevel[] = [];
  for (const draft of drafts) {
    const level = priced(draft, energy, area);
    if (E.isLeft(level)) return level;
    levels.push(level.right);
  }
  const model: EnergyModelName = energy.model;
  // The 40nm table has an 8-bit MAC only; other widths get no area rather than a guess.
  return E.right({ name, energyModel: model, arithmetic: { ...arithmetic, energyPerMac, area: arithmetic.wordBits === 8 ? area.mac / 1e6 : 0 }, levels });
}

const orUnlimited = (bw: number | null | undefined): number | undefined => (bw === null ? undefined : bw);

/**
 * An Eyeriss-like accelerator (`meshX` x `meshY` PEs): MACC <- psum_spad (Outputs) <- weights_spad
 * (Weights) <- ifmap_spad (Inputs) <- [fan-out X x Y] <- shared_glb (Inputs, Outputs, and Weights unless
 * a mapping bypasses them) <- DRAM. Missing params take `EYERISS_DEFAULTS`; a bad value comes back as
 * `InvalidInput` naming it.
 */
export function eyerissArch(params: Partial<EyerissParams> = {}, options: FamilyOptions = {}): E.Either<VaesaError, ArchSpec> {
  const decoded = decodeWith(EyerissParamsCodec, { ...EYERISS_DEFAULTS, ...params }, 'params');
  if (E.isLeft(decoded)) return decoded;
  const p = decoded.right;
  const pes = p.meshX * p.meshY;
  const spad = (name: string, entries: number, keeps: string): LevelDraft => ({
    name,
    entries,
    instances: pes,
    meshX: p.meshX,
    wordBits: p.wordBits,
    blockSize: 1,
    bandwidth: orUnlimited(p.spadBandwidth),
    keeps: [keeps],
  });
  return build('eyeriss', { name: 'MACC', instances: pes, meshX: p.meshX, wordBits: p.wordBits }, [
    spad('psum_spad', p.psumSpad, 'Outputs'),
    spad('weights_spad', p.weightsSpad, 'Weights'),
    spad('ifmap_spad', p.ifmapSpad, 'Inputs'),
    { name: 'shared_glb', entries: p.sharedGlb, instances: 1, meshX: 1, wordBits: p.wordBits, blockSize: p.glbBlock, bandwidth: orUnlimited(p.glbBandwidth), numBanks: 32, keeps: ['Weights', 'Inputs', 'Outputs'] },
    { name: 'DRAM', entries: undefined, instances: 1, meshX: 1, wordBits: p.wordBits, blockSize: p.dramBlock, bandwidth: orUnlimited(p.dramBandwidth), keeps: ['Weights', 'Inputs', 'Outputs'] },
  ], options);
}

/**
 * A Gemmini-like weight-stationary systolic array (`meshX` x `meshY` PEs): MACC <- Registers (1 weight
 * per PE) <- [fan-out `meshY` along Y] <- Accumulator (one per column, Outputs) <- [fan-out `meshX` along
 * X] <- Scratchpad (Inputs, Weights) <- DRAM. Missing params take `GEMMINI_DEFAULTS`.
 */
export function gemminiArch(params: Partial<GemminiParams> = {}, options: FamilyOptions = {}): E.Either<VaesaError, ArchSpec> {
  const decoded = decodeWith(GemminiParamsCodec, { ...GEMMINI_DEFAULTS, ...params }, 'params');
  if (E.isLeft(decoded)) return decoded;
  const p = decoded.right;
  const pes = p.meshX * p.meshY;
  return build('gemmini', { name: 'MACC', instances: pes, meshX: p.meshX, wordBits: p.wordBits }, [
    { name: 'Registers', entries: 1, instances: pes, meshX: p.meshX, wordBits: p.wordBits, blockSize: 1, bandwidth: undefined, keeps: ['Weights'] },
    { name: 'Accumulator', entries: p.accRowsPerCol, instances: p.meshX, meshX: p.meshX, wordBits: p.accWordBits, blockSize: 1, bandwidth: undefined, keeps: ['Outputs'] },
    { name: 'Scratchpad', entries: p.scratchpad, instances: 1, meshX: 1, wordBits: p.wordBits, blockSize: p.spadBlock, bandwidth: orUnlimited(p.spadBandwidth), keeps: ['Weights', 'Inputs'] },
    { name: 'DRAM', entries: undefined, instances: 1, meshX: 1, wordBits: p.wordBits, blockSize: p.dramBlock, bandwidth: orUnlimited(p.dramBandwidth), keeps: ['Weights', 'Inputs', 'Outputs'] },
  ], options);
}
