import * as E from 'fp-ts/Either';
import { areaTable40nm } from '../../src/costmodel/area';
import { patDramEnergy, patSramEnergy } from '../../src/costmodel/energy-tables';
import { fanout } from '../../src/costmodel/spec';
import { parseTimeloopArch } from '../../src/costmodel/timeloop-arch';
import { genericRunsAvailable, loadGenericRuns, readGenericArchFile } from './generic-runs';

const leftOf = <A>(e: E.Either<unknown, A>): unknown => (E.isLeft(e) ? e.left : undefined);

const flat = `arch:
  arithmetic: {name: MACC, instances: 16, meshX: 4, word-bits: 8}
  storage:
  - {name: RF, entries: 4, instances: 16, meshX: 4, word-bits: 8}
  - {name: GLB, entries: 1024, instances: 1, word-bits: 8, block-size: 4, bandwidth: 8}
  - {name: DRAM, technology: DRAM, instances: 1, word-bits: 8, block-size: 8}
`;

const tree = `architecture:
  version: 0.3
  subtree:
  - name: System
    local:
    - {name: DRAM, class: DRAM, attributes: {word-bits: 8, block-size: 8}}
    - {name: GLB, class: SRAM, attributes: {entries: 1024, word-bits: 8, block-size: 4, bandwidth: 8}}
    subtree:
    - name: PE[0..15]
      local:
      - {name: RF, class: regfile, attributes: {entries: 4, meshX: 4, word-bits: 8}}
      - {name: MACC, class: intmac, attributes: {meshX: 4, datawidth: 8}}
`;

const ert = `ERT:
  version: 0.2
  tables:
    System.DRAM: {read: [{energy: 512}], write: [{energy: 500}]}
    System.GLB: {read: [{arguments: {data_delta: 0}, energy: 1}, {arguments: {data_delta: 1}, energy: 9.5}]}
    System.PE[0..15].RF: {read: {energy: 0.25}}
    System.PE[0..15].MACC: {mac_random: {energy: 0.6}, mac_reused: {energy: 0.4}}
`;

describe('parseTimeloopArch', () => {
  it('reads a v0.2 file with Timeloop defaults and pat energies', () => {
    const a = parseTimeloopArch(flat, { energyModel: 'pat' });
    if (E.isLeft(a)) throw new Error(JSON.stringify(a.left));
    const [rf, glb, dram] = a.right.levels;
    expect([rf.blockSize, rf.clusterSize, rf.numPorts, rf.numBanks, rf.readBandwidth]).toEqual([1, 1, 2, 2, undefined]);
    // A shared `bandwidth` is split between reads and writes.
    expect([glb.readBandwidth, glb.writeBandwidth, glb.meshX]).toEqual([4, 4, 1]);
    expect(dram.entries).toBeUndefined();
    expect(glb.vectorAccessEnergy).toBe(patSramEnergy(256, 32));
    expect(dram.vectorAccessEnergy).toBe(patDramEnergy(64));
    expect(a.right.arithmetic.energyPerMac).toBe(0.25);
    expect(fanout(a.right, 1)).toEqual({ x: 4, y: 4 });
    expect(glb.area).toBeCloseTo((1024 * 8 * areaTable40nm.sramBit) / 1e6, 15);
    expect(a.right.arithmetic.area).toBe(areaTable40nm.mac / 1e6);
  });

  it('reads the same machine as a v0.3 tree: instances from PE[0..15], energies from the ERT (max action / cluster)', () => {
    const t = parseTimeloopArch(tree, { energyModel: 'accelergy', ert });
    if (E.isLeft(t)) throw new Error(JSON.stringify(t.left));
    const f = parseTimeloopArch(flat, { energyModel: 'pat' });
    if (E.isLeft(f)) throw new Error('flat');
    expect(t.right.levels.map((l) => [l.name, l.instances, l.meshX, l.blockSize, l.readBandwidth])).toEqual(f.right.levels.map((l) => [l.name, l.instances, l.meshX, l.blockSize, l.readBandwidth]));
    expect(t.right.levels.map((l) => l.vectorAccessEnergy)).toEqual([0.25, 9.5, 512]);
    expect(t.right.arithmetic).toMatchObject({ instances: 16, meshX: 4, wordBits: 8, energyPerMac: 0.6 });
    // A regfile is priced as flip-flops.
    expect(t.right.levels[0].area).toBeCloseTo((4 * 8 * areaTable40nm.registerBit) / 1e6, 15);
  });

  it('names the field and value of bad input', () => {
    expect(leftOf(parseTimeloopArch(flat.replace('block-size: 4,', 'blocksize: 4,'), { energyModel: 'pat' }))).toMatchObject({ path: 'arch.storage[1].blocksize', value: 4 });
    expect(leftOf(parseTimeloopArch(flat.replace('entries: 4, instances: 16, meshX: 4, word-bits: 8', 'entries: 4, instances: 16, meshX: 4'), { energyModel: 'pat' }))).toMatchObject({ path: 'arch.storage[0].word-bits' });
    expect(leftOf(parseTimeloopArch(flat.replace('{name: RF, entries: 4, instances: 16, meshX: 4', '{name: RF, entries: 4, instances: 16, meshX: 3'), { energyModel: 'pat' }))).toMatchObject({ path: 'arch.storage[0].meshX', value: 3 });
    // 6 GLBs cannot share 16 PEs.
    expect(leftOf(parseTimeloopArch(flat.replace('{name: GLB, entries: 1024, instances: 1,', '{name: GLB, entries: 1024, instances: 6, meshX: 2,'), { energyModel: 'pat' }))).toMatchObject({ path: 'arch.storage[1].instances', value: 6 });
    expect(leftOf(parseTimeloopArch(flat.replace('{name: GLB, entries: 1024,', '{name: GLB,'), { energyModel: 'pat' }))).toMatchObject({ path: 'arch.storage[1].entries' });
    expect(leftOf(parseTimeloopArch(tree, { energyModel: 'accelergy' }))).toMatchObject({ path: 'ert' });
    expect(leftOf(parseTimeloopArch(tree, { energyModel: 'accelergy', ert: ert.replace('System.GLB', 'System.L2') }))).toMatchObject({ value: 'GLB' });
    expect(leftOf(parseTimeloopArch('foo: 1', { energyModel: 'pat' }))).toMatchObject({ path: 'arch' });
  });

  (genericRunsAvailable() ? it : it.skip)("gives the generic reference's pat table and Accelergy energies for every variant, from either ERT format", () => {
    for (const family of ['eyeriss', 'gemmini', 'simple_os_2level', 'simple_os_3level'] as const) {
      const seen = new Set<string>();
      for (const run of loadGenericRuns(family, 'pat')) {
        if (seen.has(run.variant)) continue;
        seen.add(run.variant);
        const a = parseTimeloopArch(run.arch_yaml, { energyModel: 'pat' });
        if (E.isLeft(a)) throw new Error(run.variant);
        const pat = (run as unknown as { pat: Record<string, { vector_access_energy_pJ: number; energy_per_mac_pJ: number }> }).pat;
        for (const level of a.right.levels) expect(level.vectorAccessEnergy).toBeCloseTo(pat[level.name].vector_access_energy_pJ, 9);
        expect(a.right.arithmetic.energyPerMac).toBe(pat.MACC.energy_per_mac_pJ);
        const v3 = readGenericArchFile(`${run.variant}.v3.yaml`);
        const fromV2 = parseTimeloopArch(v3, { energyModel: 'accelergy', ert: readGenericArchFile(`ert/${run.variant}.ERT_v2.yaml`) });
        const fromV3 = parseTimeloopArch(v3, { energyModel: 'accelergy', ert: readGenericArchFile(`ert/${run.variant}.ERT.yaml`) });
        expect(E.isRight(fromV2) && fromV2.right).toEqual(E.isRight(fromV3) && fromV3.right);
      }
      expect(seen.size).toBe(6);
    }
  });
});
