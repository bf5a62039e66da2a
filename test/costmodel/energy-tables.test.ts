import * as fs from 'fs';
import * as path from 'path';
import * as E from 'fp-ts/Either';
import yaml from 'js-yaml';
import { accelergyEnergyTable40nm, energyTableFromErt, patDramEnergy, patSramEnergy } from '../../src/costmodel/energy-tables';
import { buildArchTemplate } from '../../src/costmodel/arch-template';
import { simbaDefaultArch } from '../../src/hardware/arch';
import { REFERENCE_DIR } from './reference-runs';

const ertDir = path.join(REFERENCE_DIR, 'timeloop-mappings', 'accelergy', 'ert');
const patCsv = path.join(REFERENCE_DIR, 'timeloop-mappings', 'pat', 'energy_per_access.csv');

describe('pat energy model', () => {
  it('gives the SRAM vector energy for a hand-computed case: 64-bit x 128-row InputBuffer', () => {
    // 64 * 128 bits = 1 KB: y = (5 / 99.5) * (1 - 0.5) + 1; energy = y * 64 / 16.
    expect(patSramEnergy(128, 64)).toBeCloseTo((1 + (5 / 99.5) * 0.5) * 4, 12);
    expect(patDramEnergy(512)).toBe(6400);
  });

  (fs.existsSync(patCsv) ? it : it.skip)('matches every row of the reference energy_per_access.csv', () => {
    const rows = fs.readFileSync(patCsv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.length).toBeGreaterThan(20);
    for (const [level, , wordBits, block, cluster, width, height, , , vector] of rows) {
      const expected = Number(vector);
      const energy = level === 'DRAM' ? patDramEnergy(Number(width)) : patSramEnergy(Number(height), Number(width)) / Number(cluster);
      expect(Number(width)).toBe(Number(wordBits) * Number(block) * Number(cluster));
      expect(energy).toBeCloseTo(expected, 8);
    }
  });

  it('sets the default arch template energies as the v0.2 file does', () => {
    const t = buildArchTemplate(simbaDefaultArch);
    const byName = Object.fromEntries(t.levels.map((l) => [l.name, l.vectorAccessEnergy]));
    // The reference's `pat` table for the default arch.
    expect(byName.Registers).toBeCloseTo(0.4890075376884422, 12);
    expect(byName.AccumulationBuffer).toBeCloseTo(1.5753768844221105, 12);
    expect(byName.WeightBuffer).toBeCloseTo(7.115577889447236, 12);
    expect(byName.InputBuffer).toBeCloseTo(4.100502512562814, 12);
    expect(byName.GlobalBuffer).toBeCloseTo(16.763819095477388, 12);
    expect(byName.DRAM).toBe(6400);
    expect(t.macEnergy).toBe(0.25);
    expect(t.levels[5].readBandwidth).toBe(10);
  });
});

describe('Accelergy ERT loader', () => {
  for (const file of ['ERT.yaml', 'ERT_v2.yaml']) {
    (fs.existsSync(path.join(ertDir, file)) ? it : it.skip)(`reads ${file} into the built-in 40nm table (max action energy per component)`, () => {
      const doc = yaml.load(fs.readFileSync(path.join(ertDir, file), 'utf8'));
      const table = energyTableFromErt(doc);
      expect(table).toEqual(E.right(accelergyEnergyTable40nm));
    });
  }

  it('names what is missing or malformed', () => {
    const missing = energyTableFromErt({ ERT: { tables: [{ name: 'System.MACC', actions: [{ name: 'mac', energy: 1 }] }] } });
    expect(E.isLeft(missing) && missing.left._tag === 'InvalidInput' && /no table for component Registers/.test(missing.left.message)).toBe(true);
    const bad = energyTableFromErt({ ERT: { tables: [{ name: 'System.MACC', actions: [{ name: 'mac', energy: 'x' }] }] } });
    expect(E.isLeft(bad) && bad.left._tag === 'InvalidInput' && bad.left.path === 'ERT.tables[0].actions[0].energy').toBe(true);
    expect(E.isLeft(energyTableFromErt(42))).toBe(true);
  });

  it('feeds a replaced table into the accelergy template', () => {
    const t = buildArchTemplate(simbaDefaultArch, { model: 'accelergy', accelergyTable: { ...accelergyEnergyTable40nm, Registers: 0.64 } });
    expect(t.levels[0].vectorAccessEnergy).toBeCloseTo(0.64 / 64, 12);
    expect(t.levels[4].blockSize).toBe(64);
    expect(t.levels[5].readBandwidth).toBeUndefined();
  });
});
