import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as E from 'fp-ts/Either';
import { eyerissArch, gemminiArch, EYERISS_DEFAULTS, GEMMINI_DEFAULTS, type EyerissParams, type GemminiParams } from '../../src/costmodel/families';
import { fanout, meshY, type ArchSpec } from '../../src/costmodel/spec';
import { parseTimeloopArch } from '../../src/costmodel/timeloop-arch';

const REFERENCE = path.resolve(__dirname, '../../../shared/reference/timeloop-generic');

interface LevelSpecs {
  readonly size: number | null;
  readonly word_bits: number;
  readonly block_size: number;
  readonly instances: number;
  readonly meshX: number;
  readonly meshY: number;
  readonly read_bandwidth: number | null;
  readonly write_bandwidth: number | null;
  readonly num_banks: number;
  readonly cluster_size: number;
}

interface VariantRecord {
  readonly variant: string;
  readonly arch_params: Record<string, number | null>;
  readonly levels: Record<string, { readonly specs?: LevelSpecs }>;
  readonly pat: Record<string, { readonly vector_access_energy_pJ?: number; readonly energy_per_mac_pJ?: number }>;
}

/** The first pat record of each variant of a family (Timeloop's own view of the arch). */
function variants(family: string): VariantRecord[] {
  const lines = zlib.gunzipSync(fs.readFileSync(path.join(REFERENCE, `${family}.jsonl.gz`))).toString().trim().split('\n');
  const seen = new Map<string, VariantRecord>();
  for (const line of lines) {
    const r = JSON.parse(line) as VariantRecord;
    if (!seen.has(r.variant)) seen.set(r.variant, r);
  }
  return [...seen.values()];
}

function eyerissParams(p: Record<string, number | null>): Partial<EyerissParams> {
  return {
    meshX: p.meshX as number,
    meshY: p.meshY as number,
    psumSpad: p.psum_spad as number,
    weightsSpad: p.weights_spad as number,
    ifmapSpad: p.ifmap_spad as number,
    sharedGlb: p.shared_glb as number,
    glbBlock: p.glb_block as number,
    glbBandwidth: p.glb_bw,
    spadBandwidth: p.spad_bw,
    dramBandwidth: p.dram_bw,
  };
}

function gemminiParams(p: Record<string, number | null>): Partial<GemminiParams> {
  return {
    meshX: p.meshX as number,
    meshY: p.meshY as number,
    accRowsPerCol: p.acc_rows_per_col as number,
    scratchpad: p.scratchpad as number,
    spadBlock: p.spad_block as number,
    spadBandwidth: p.spad_bw,
    dramBandwidth: p.dram_bw,
  };
}

/** The variant's own arch file through `parseTimeloopArch`, which knows no keeps: the builder's keeps and name put in. */
function parsedVariant(variant: string, built: ArchSpec): ArchSpec {
  const parsed = parseTimeloopArch(fs.readFileSync(path.join(REFERENCE, 'arch', `${variant}.yaml`), 'utf8'), { energyModel: 'pat' });
  if (E.isLeft(parsed)) throw new Error(JSON.stringify(parsed.left));
  return { ...parsed.right, name: built.name, levels: parsed.right.levels.map((level, i) => ({ ...level, keeps: built.levels[i].keeps })) };
}

/** The builder's arch against Timeloop's specs and pat energies of the same variant, level by level. */
function expectMatches(arch: ArchSpec, record: VariantRecord): void {
  const names = Object.keys(record.levels).filter((n) => record.levels[n].specs !== undefined);
  expect(arch.levels.map((l) => l.name)).toEqual(names);
  for (const level of arch.levels) {
    const specs = record.levels[level.name].specs as LevelSpecs;
    expect({
      entries: level.entries ?? null,
      wordBits: level.wordBits,
      blockSize: level.blockSize,
      clusterSize: level.clusterSize,
      instances: level.instances,
      meshX: level.meshX,
      meshY: meshY(level),
      read: level.readBandwidth ?? null,
      write: level.writeBandwidth ?? null,
      banks: level.numBanks,
    }).toEqual({
      entries: specs.size,
      wordBits: specs.word_bits,
      blockSize: specs.block_size,
      clusterSize: specs.cluster_size,
      instances: specs.instances,
      meshX: specs.meshX,
      meshY: specs.meshY,
      read: specs.read_bandwidth,
      write: specs.write_bandwidth,
      banks: specs.num_banks,
    });
    expect(level.vectorAccessEnergy).toBeCloseTo(record.pat[level.name].vector_access_energy_pJ as number, 12);
  }
  expect(arch.arithmetic.energyPerMac).toBe(record.pat.MACC.energy_per_mac_pJ);
}

describe('eyerissArch', () => {
  const records = variants('eyeriss');

  it('builds each of the six reference variants as Timeloop saw it (sizes, mesh, bandwidths, pat energies) and as parseTimeloopArch reads its file', () => {
    expect(records.map((r) => r.variant).sort()).toEqual(['eyeriss_v0', 'eyeriss_v1', 'eyeriss_v2', 'eyeriss_v4', 'eyeriss_v5', 'eyeriss_v7']);
    for (const record of records) {
      const arch = eyerissArch(eyerissParams(record.arch_params));
      if (E.isLeft(arch)) throw new Error(JSON.stringify(arch.left));
      expectMatches(arch.right, record);
      expect(arch.right).toEqual(parsedVariant(record.variant, arch.right));
    }
  });

  it('defaults to eyeriss_v0, with the family keeps and an X x Y fan-out below the global buffer', () => {
    const arch = eyerissArch();
    if (E.isLeft(arch)) throw new Error('default eyeriss failed');
    expectMatches(arch.right, records.find((r) => r.variant === 'eyeriss_v0') as VariantRecord);
    expect(arch.right.levels.map((l) => l.keeps)).toEqual([['Outputs'], ['Weights'], ['Inputs'], ['Weights', 'Inputs', 'Outputs'], ['Weights', 'Inputs', 'Outputs']]);
    expect(fanout(arch.right, 3)).toEqual({ x: 14, y: 12 });
    expect([0, 1, 2, 4].map((i) => fanout(arch.right, i))).toEqual(Array(4).fill({ x: 1, y: 1 }));
    expect(EYERISS_DEFAULTS.meshX * EYERISS_DEFAULTS.meshY).toBe(168);
  });

  it('rejects a bad size naming the field', () => {
    const bad = eyerissArch({ psumSpad: 0 });
    expect(E.isLeft(bad) && bad.left).toMatchObject({ _tag: 'InvalidInput', path: 'params.psumSpad', value: 0 });
    const fractional = eyerissArch({ meshX: 2.5 });
    expect(E.isLeft(fractional) && fractional.left).toMatchObject({ _tag: 'InvalidInput', path: 'params.meshX' });
  });

  it('takes Accelergy energies per component and asks for a missing one', () => {
    const energies = { MACC: 2, psum_spad: 1, weights_spad: 1.5, ifmap_spad: 1, shared_glb: 20, DRAM: 512 };
    const arch = eyerissArch({}, { energy: { model: 'accelergy', maxActionEnergy: energies } });
    if (E.isLeft(arch)) throw new Error('accelergy eyeriss failed');
    expect(arch.right.energyModel).toBe('accelergy');
    expect(arch.right.levels.map((l) => l.vectorAccessEnergy)).toEqual([1, 1.5, 1, 20, 512]);
    expect(arch.right.arithmetic.energyPerMac).toBe(2);
    const missing = eyerissArch({}, { energy: { model: 'accelergy', maxActionEnergy: { MACC: 1 } } });
    expect(E.isLeft(missing) && missing.left).toMatchObject({ _tag: 'InvalidInput', path: 'energy.maxActionEnergy.psum_spad' });
  });
});

describe('gemminiArch', () => {
  const records = variants('gemmini');

  it('builds each of the six reference variants as Timeloop saw it and as parseTimeloopArch reads its file', () => {
    expect(records.map((r) => r.variant).sort()).toEqual(['gemmini_v0', 'gemmini_v1', 'gemmini_v2', 'gemmini_v3', 'gemmini_v5', 'gemmini_v6']);
    for (const record of records) {
      const arch = gemminiArch(gemminiParams(record.arch_params));
      if (E.isLeft(arch)) throw new Error(JSON.stringify(arch.left));
      expectMatches(arch.right, record);
      expect(arch.right).toEqual(parsedVariant(record.variant, arch.right));
    }
  });

  it('defaults to gemmini_v0: a fan-out along Y below the accumulators and along X below the scratchpad', () => {
    const arch = gemminiArch();
    if (E.isLeft(arch)) throw new Error('default gemmini failed');
    expectMatches(arch.right, records.find((r) => r.variant === 'gemmini_v0') as VariantRecord);
    expect(fanout(arch.right, 1)).toEqual({ x: 1, y: 16 });
    expect(fanout(arch.right, 2)).toEqual({ x: 16, y: 1 });
    expect(arch.right.levels.map((l) => l.keeps)).toEqual([['Weights'], ['Outputs'], ['Weights', 'Inputs'], ['Weights', 'Inputs', 'Outputs']]);
    expect(GEMMINI_DEFAULTS.accWordBits).toBe(32);
  });

  it('rejects a bad size naming the field', () => {
    const bad = gemminiArch({ scratchpad: -4 });
    expect(E.isLeft(bad) && bad.left).toMatchObject({ _tag: 'InvalidInput', path: 'params.scratchpad', value: -4 });
  });
});
