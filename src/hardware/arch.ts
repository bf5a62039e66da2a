import * as t from 'io-ts';
import { PositiveInt } from '../common/errors';
import type { SimbaParam } from './space';

/**
 * One Simba-like accelerator configuration: the six parameters VAESA searches.
 * Buffer sizes are entries (words) per instance; see `docs/design-space.md`.
 */
export const ArchConfigCodec = t.readonly(
  t.type({
    /** PE array width (PEs along X). */
    meshX: PositiveInt,
    /** Total MAC units. */
    macs: PositiveInt,
    /** AccumulationBuffer entries per instance (128 instances, 24-bit words). */
    accumulationBuffer: PositiveInt,
    /** WeightBuffer entries per instance (128 instances, 8-bit words). */
    weightBuffer: PositiveInt,
    /** InputBuffer entries per instance (64 instances, 8-bit words). */
    inputBuffer: PositiveInt,
    /** GlobalBuffer entries (1 instance, 8-bit words). */
    globalBuffer: PositiveInt,
  }),
  'ArchConfig',
);

export type ArchConfig = t.TypeOf<typeof ArchConfigCodec>;

export type ParamName = SimbaParam;

/** The six parameters in VAESA's order (the order of encoded vectors). */
export const PARAM_NAMES: readonly ParamName[] = [
  'meshX',
  'macs',
  'accumulationBuffer',
  'weightBuffer',
  'inputBuffer',
  'globalBuffer',
];

/** Simba's default configuration (`simba_dse_v3.yaml`). */
export const simbaDefaultArch: ArchConfig = {
  meshX: 16,
  macs: 1024,
  accumulationBuffer: 64,
  weightBuffer: 16384,
  inputBuffer: 1024,
  globalBuffer: 65536,
};

/** VAESA's arch id: `arch_<meshX>_<macs/128>_<acc>_<weight>_<input>_<global>`. */
export function archId(arch: ArchConfig): string {
  return `arch_${arch.meshX}_${arch.macs / 128}_${arch.accumulationBuffer}_${arch.weightBuffer}_${arch.inputBuffer}_${arch.globalBuffer}`;
}

/** A design's name in messages: VAESA's arch id for a Simba design, else its JSON. */
export function designName(design: Readonly<Record<string, number>>): string {
  const keys = Object.keys(design);
  const simba = keys.length === PARAM_NAMES.length && PARAM_NAMES.every((n) => n in design);
  return simba ? archId(design as ArchConfig) : JSON.stringify(design);
}

export function archToVector(arch: ArchConfig): number[] {
  return PARAM_NAMES.map((n) => arch[n]);
}

export function archFromVector(values: readonly number[]): ArchConfig {
  if (values.length !== PARAM_NAMES.length) {
    throw new RangeError(`archFromVector: expected ${PARAM_NAMES.length} values, got ${values.length}`);
  }
  return {
    meshX: values[0],
    macs: values[1],
    accumulationBuffer: values[2],
    weightBuffer: values[3],
    inputBuffer: values[4],
    globalBuffer: values[5],
  };
}
