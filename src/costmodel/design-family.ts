/**
 * Design families: a design space paired with the accelerator each of its designs describes
 * (`toArch(design) -> ArchSpec`), so that dataset generation, training and search can score any design
 * of the space with the cost model. Built in: Simba (VAESA's six parameters), an Eyeriss-like family
 * (11 parameters) and a Gemmini-like family (8 parameters).
 */
import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import { isValidDesign, simbaSpace, type Design, type DesignSpace, type ParamGrid, type ParamSpec, type SimbaParam } from '../hardware/space';
import { simbaArch } from './arch-template';
import { eyerissArch, gemminiArch } from './families';
import type { ArchSpec } from './spec';

/** A design space and the accelerator of each of its designs. */
export interface DesignFamily<P extends string = string> {
  readonly name: string;
  readonly space: DesignSpace<P>;
  /**
   * The accelerator of a design: `Left` (naming the parameter) for a design that is not a valid design
   * of `space`, else its `ArchSpec` with energies and areas resolved.
   */
  toArch(design: Design<P>): E.Either<VaesaError, ArchSpec>;
}

/** Parameters of the Eyeriss-like family (see `eyerissFamily`). */
export type EyerissFamilyParam =
  | 'meshX'
  | 'meshY'
  | 'psumSpad'
  | 'weightsSpad'
  | 'ifmapSpad'
  | 'sharedGlb'
  | 'glbBlock'
  | 'glbBandwidth'
  | 'spadBandwidth'
  | 'dramBandwidth'
  | 'dramBlock';

/** Parameters of the Gemmini-like family (see `gemminiFamily`). */
export type GemminiFamilyParam = 'meshX' | 'meshY' | 'accRowsPerCol' | 'scratchpad' | 'spadBlock' | 'spadBandwidth' | 'dramBandwidth' | 'dramBlock';

/** A parameter log-encoded over its bounds (`[min, max]` onto `[0, 1]`), as `defineSpace` does by default. */
function logParam<P extends string>(name: P, min: number, max: number, grid: ParamGrid): ParamSpec<P> {
  return { name, min, max, grid, encoding: { kind: 'log', unit: min, scale: max / min } };
}

const pow2: ParamGrid = { kind: 'pow2' };
const step = (s: number): ParamGrid => ({ kind: 'multiple', step: s });

/** Builds the family's arch from a design after checking it against the space. */
function checked<P extends string>(space: DesignSpace<P>, build: (design: Design<P>) => E.Either<VaesaError, ArchSpec>) {
  return (design: Design<P>): E.Either<VaesaError, ArchSpec> => {
    const validity = isValidDesign(space, design);
    if (!validity.ok) return E.left(invalidInput(`design.${validity.param}`, design[validity.param as P], validity.reason));
    return build(design);
  };
}

/** Simba (VAESA's six parameters, `simbaSpace`); `toArch` is `simbaArch` with the pat setup. */
export const simbaFamily: DesignFamily<SimbaParam> = {
  name: 'simba',
  space: simbaSpace,
  toArch: checked(simbaSpace, (design) => E.right(simbaArch(design))),
};

/** The Eyeriss-like family's space (ranges in docs/design-space.md). */
export const eyerissFamilySpace: DesignSpace<EyerissFamilyParam> = {
  name: 'eyeriss',
  params: [
    logParam('meshX', 4, 32, step(2)),
    logParam('meshY', 4, 32, step(2)),
    logParam('psumSpad', 4, 64, step(4)),
    logParam('weightsSpad', 16, 512, step(16)),
    logParam('ifmapSpad', 4, 64, step(4)),
    logParam('sharedGlb', 8192, 262144, step(8192)),
    logParam('glbBlock', 1, 16, pow2),
    logParam('glbBandwidth', 2, 64, pow2),
    logParam('spadBandwidth', 1, 8, pow2),
    logParam('dramBandwidth', 1, 64, pow2),
    logParam('dramBlock', 1, 16, pow2),
  ],
};

/**
 * An Eyeriss-like row-stationary array (`eyerissArch`) with 11 parameters: the PE mesh (X, Y), the
 * entries of the three per-PE scratchpads and the global buffer, the global buffer's and DRAM's block
 * sizes, and the bandwidths (words per cycle) of the scratchpads, the global buffer and DRAM. Words are
 * 8 bits (the area table prices 8-bit MACs only), energies Timeloop's pat formula, area the 40nm table.
 */
export const eyerissFamily: DesignFamily<EyerissFamilyParam> = {
  name: 'eyeriss',
  space: eyerissFamilySpace,
  toArch: checked(eyerissFamilySpace, (d) => eyerissArch({ ...d, wordBits: 8 })),
};

/** The Gemmini-like family's space (ranges in docs/design-space.md). */
export const gemminiFamilySpace: DesignSpace<GemminiFamilyParam> = {
  name: 'gemmini',
  params: [
    logParam('meshX', 4, 64, step(4)),
    logParam('meshY', 4, 64, step(4)),
    logParam('accRowsPerCol', 128, 4096, step(128)),
    logParam('scratchpad', 16384, 524288, step(16384)),
    logParam('spadBlock', 1, 64, pow2),
    logParam('spadBandwidth', 4, 256, pow2),
    logParam('dramBandwidth', 2, 64, pow2),
    logParam('dramBlock', 8, 128, pow2),
  ],
};

/**
 * A Gemmini-like weight-stationary systolic array (`gemminiArch`) with 8 parameters: the PE mesh (X, Y),
 * accumulator rows per column, scratchpad entries and block, and the bandwidths (words per cycle) and
 * block of the scratchpad and DRAM. 8-bit inputs and weights, 32-bit accumulators (Gemmini's).
 */
export const gemminiFamily: DesignFamily<GemminiFamilyParam> = {
  name: 'gemmini',
  space: gemminiFamilySpace,
  toArch: checked(gemminiFamilySpace, (d) => gemminiArch(d)),
};

/** The built-in families by name. */
export const designFamilies = { simba: simbaFamily, eyeriss: eyerissFamily, gemmini: gemminiFamily } as const;

export type DesignFamilyName = keyof typeof designFamilies;

/** A built-in family by name, or `Left` naming the known ones. */
export function getDesignFamily(name: string): E.Either<VaesaError, DesignFamily> {
  return Object.prototype.hasOwnProperty.call(designFamilies, name)
    ? E.right(designFamilies[name as DesignFamilyName] as unknown as DesignFamily)
    : E.left(invalidInput('family', name, `expected one of ${Object.keys(designFamilies).join(', ')}`));
}
