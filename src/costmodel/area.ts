import type { ArchConfig } from '../hardware/arch';

/**
 * A per-component area model (µm² per unit). Neither reference setup reports area (Timeloop's pat model
 * returns 0 for every SRAM and MAC, and the reference holds no Accelergy ART), so this is an explicit,
 * replaceable first-order model: on-chip SRAM bits, register bits and MAC units, each times a constant.
 * DRAM is off chip and not counted.
 */
export interface AreaTable {
  /** SRAM area per bit including periphery (µm²). */
  readonly sramBit: number;
  /** Flip-flop register area per bit (µm²). */
  readonly registerBit: number;
  /** One 8-bit integer MAC unit (µm²). */
  readonly mac: number;
}

/**
 * 40nm first-order constants: a 0.242 µm² 6T bit cell at about 50% array efficiency, a 40nm flip-flop of
 * about 5 µm², an 8-bit multiply-accumulate of about 400 µm². Documented in docs/cost-model.md.
 */
export const areaTable40nm: AreaTable = { sramBit: 0.5, registerBit: 5, mac: 400 };

/** On-chip area (mm²) of the template for `arch`: SRAM bits + register bits + MACs, times the table's constants. */
export function estimateArea(arch: ArchConfig, table: AreaTable = areaTable40nm): number {
  const sramBits =
    128 * arch.accumulationBuffer * 24 + 128 * arch.weightBuffer * 8 + 64 * arch.inputBuffer * 8 + arch.globalBuffer * 8;
  const registerBits = arch.macs * 8;
  return (sramBits * table.sramBit + registerBits * table.registerBit + arch.macs * table.mac) / 1e6;
}
