import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import { isRecord } from './json';

/**
 * Energy of one vector (block) access per component, before Timeloop divides it by the cluster size:
 * Accelergy's "max action energy" (pJ), as Timeloop 11920be's `ParseAccelergyERT` uses it.
 * Keys are the component names of the template (the last segment of an ERT table name).
 */
export interface AccelergyEnergyTable {
  /** pJ per MAC. */
  readonly MACC: number;
  readonly Registers: number;
  readonly AccumulationBuffer: number;
  readonly WeightBuffer: number;
  readonly InputBuffer: number;
  readonly GlobalBuffer: number;
  readonly DRAM: number;
}

/**
 * Accelergy v0.3 (CACTI + Aladdin, 40nm) max action energies of `simba_dse_v3.yaml`, rounded to 3
 * digits as Accelergy writes the ERT (`timeloop-mappings/accelergy/ert/ERT.yaml`). Accelergy ignores the
 * buffers' `entries`, so these do not depend on buffer size.
 */
export const accelergyEnergyTable40nm: AccelergyEnergyTable = {
  MACC: 0.561,
  Registers: 0.144,
  AccumulationBuffer: 5.212,
  WeightBuffer: 5.212,
  InputBuffer: 5.212,
  GlobalBuffer: 5.212,
  DRAM: 512,
};

const COMPONENTS: readonly (keyof AccelergyEnergyTable)[] = [
  'MACC',
  'Registers',
  'AccumulationBuffer',
  'WeightBuffer',
  'InputBuffer',
  'GlobalBuffer',
  'DRAM',
];

/**
 * Reads an Accelergy ERT (the object of a parsed `ERT.yaml`: `{ ERT: { tables: [...] } }` with
 * `tables` as a list of `{ name, actions: [{ name, arguments, energy }] }` (v0.3), or the dictionary form
 * `{ tables: { <name>: { <action>: [{ energy }] | { energy } } } }` that Timeloop 11920be reads (v0.2))
 * into the largest energy (pJ) over all actions and arguments of each component (Timeloop's rule), keyed
 * by the component's name: the last segment of the table name (`System.Chip.PE[0..15].MACC` -> `MACC`).
 */
export function ertMaxEnergies(ert: unknown): E.Either<VaesaError, ReadonlyMap<string, number>> {
  const root = isRecord(ert) && isRecord(ert.ERT) ? ert.ERT : ert;
  if (!isRecord(root) || root.tables === undefined) {
    return E.left(invalidInput('ERT.tables', ert, 'expected an Accelergy ERT with a "tables" entry'));
  }
  const found = new Map<string, number>();
  const record = (name: string, energy: number): void => {
    const component = name.slice(name.lastIndexOf('.') + 1);
    found.set(component, Math.max(found.get(component) ?? 0, energy));
  };
  const energyOf = (u: unknown, path: string): E.Either<VaesaError, number> => {
    if (!isRecord(u)) return E.left(invalidInput(path, u, 'expected an action with an "energy" number'));
    if (typeof u.energy !== 'number' || !Number.isFinite(u.energy) || u.energy < 0) {
      return E.left(invalidInput(`${path}.energy`, u.energy, 'must be a non-negative finite number'));
    }
    return E.right(u.energy);
  };
  if (Array.isArray(root.tables)) {
    for (let i = 0; i < root.tables.length; i++) {
      const table: unknown = root.tables[i];
      const path = `ERT.tables[${i}]`;
      if (!isRecord(table) || typeof table.name !== 'string' || !Array.isArray(table.actions)) {
        return E.left(invalidInput(path, table, 'expected { name, actions: [...] }'));
      }
      for (let a = 0; a < table.actions.length; a++) {
        const energy = energyOf(table.actions[a], `${path}.actions[${a}]`);
        if (E.isLeft(energy)) return energy;
        record(table.name, energy.right);
      }
    }
  } else if (isRecord(root.tables)) {
    for (const [name, actions] of Object.entries(root.tables)) {
      if (!isRecord(actions)) return E.left(invalidInput(`ERT.tables.${name}`, actions, 'expected a map of actions'));
      for (const [action, spec] of Object.entries(actions)) {
        const list: unknown[] = Array.isArray(spec) ? spec : [spec];
        for (let a = 0; a < list.length; a++) {
          const energy = energyOf(list[a], `ERT.tables.${name}.${action}`);
          if (E.isLeft(energy)) return energy;
          record(name, energy.right);
        }
      }
    }
  } else {
    return E.left(invalidInput('ERT.tables', root.tables, 'expected a list or a map of component tables'));
  }
  return E.right(found);
}

/**
 * Reads an Accelergy ERT (either format of `ertMaxEnergies`) into the Simba template's table: per
 * component, the largest energy over all its actions and arguments. Every template component must be present.
 */
export function energyTableFromErt(ert: unknown): E.Either<VaesaError, AccelergyEnergyTable> {
  const energies = ertMaxEnergies(ert);
  if (E.isLeft(energies)) return energies;
  const found = energies.right;
  const table: Partial<Record<keyof AccelergyEnergyTable, number>> = {};
  for (const c of COMPONENTS) {
    const e = found.get(c);
    if (e === undefined) return E.left(invalidInput(`ERT.tables`, [...found.keys()], `no table for component ${c}`));
    table[c] = e;
  }
  return E.right(table as AccelergyEnergyTable);
}

/**
 * Timeloop's built-in "pat" SRAM model (pat-public, Timeloop 11920be): linear in capacity between
 * Eyeriss data points (0.5 KB -> 1.0, 100 KB -> 6.0 units per 16-bit access), scaled by the access width.
 * `heightRows` = ceil(entries / block), `widthBits` = word bits x block x cluster. Banks and ports are ignored.
 * Returns pJ per access of the whole (cluster-wide) row.
 */
export function patSramEnergy(heightRows: number, widthBits: number): number {
  const slope = (6.0 - 1.0) / (100.0 - 0.5);
  const kilobytes = (widthBits * heightRows) / (8 * 1024);
  const units = slope * (kilobytes - 0.5) + 1.0;
  return (units * widthBits) / 16;
}

/** pat's DRAM energy: 200 pJ per 16 bits of access width. */
export function patDramEnergy(widthBits: number): number {
  return (200.0 * widthBits) / 16;
}

/** pat's MAC energy for `bits` x `bits` operands (1 pJ for 16 x 16). */
export function patMacEnergy(bits: number): number {
  return 1.0 * (bits / 16.0) * (bits / 16.0);
}
