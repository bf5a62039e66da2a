import { left, right } from '../fixtures/right';
import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { createRng } from '../../src/common/rng';
import { designFamilies, eyerissFamily, gemminiFamily, getDesignFamily, simbaFamily, type DesignFamily } from '../../src/costmodel/design-family';
import { simbaArch } from '../../src/costmodel/arch-template';
import { checkArchSpec } from '../../src/mapper/generic/find-mapping';
import { familyEvaluator } from '../../src/mapper/evaluator';
import { sampleDesign, simbaDefaultArch, spaceCardinality, type Design } from '../../src/hardware';
import { convLayer, type ConvLayer } from '../../src/workload/layer';

const families = [eyerissFamily, gemminiFamily, simbaFamily] as unknown as DesignFamily[];

function layer(): ConvLayer {
  return convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 32, K: 64, N: 1 });
}

describe('design families', () => {
  it('the Eyeriss-like family has 11 parameters and the Gemmini-like 8, each a space of many designs', () => {
    expect(eyerissFamily.space.params).toHaveLength(11);
    expect(gemminiFamily.space.params).toHaveLength(8);
    expect(spaceCardinality(eyerissFamily.space)).toBeGreaterThan(1e10);
    expect(spaceCardinality(gemminiFamily.space)).toBeGreaterThan(1e7);
  });

  it.each(families.map((f) => [f.name, f] as const))('%s: toArch gives a valid ArchSpec for every sampled design, its mesh and buffers those of the design', (_, family) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const design = sampleDesign(family.space, createRng(seed));
        const arch = family.toArch(design);
        expect(E.isRight(arch) && E.isRight(checkArchSpec(arch.right))).toBe(true);
        if (E.isLeft(arch)) return;
        const d = design as Record<string, number>;
        const macs = family.name === 'simba' ? d.macs : d.meshX * d.meshY;
        expect(arch.right.arithmetic.instances).toBe(macs);
        const onChip = arch.right.levels.filter((l) => l.technology === 'SRAM');
        expect(onChip.every((l) => l.area > 0)).toBe(true);
        if (family.name === 'eyeriss') expect(arch.right.levels.find((l) => l.name === 'shared_glb')?.entries).toBe(d.sharedGlb);
        if (family.name === 'gemmini') expect(arch.right.levels.find((l) => l.name === 'Scratchpad')?.entries).toBe(d.scratchpad);
      }),
      { numRuns: 40 },
    );
  });

  it('Simba\'s toArch is simbaArch', () => {
    expect(simbaFamily.toArch(simbaDefaultArch)).toEqual(E.right(simbaArch(simbaDefaultArch)));
  });

  it('a design outside the space comes back as Left naming the parameter', () => {
    const design = { ...sampleDesign(eyerissFamily.space, createRng(3)), meshX: 7 };
    const arch = eyerissFamily.toArch(design);
    expect(E.isLeft(arch) && arch.left._tag === 'InvalidInput' && arch.left.path).toBe('design.meshX');
    expect(E.isLeft(getDesignFamily('tpu'))).toBe(true);
    expect(getDesignFamily('gemmini')).toEqual(E.right(designFamilies.gemmini));
  });

  it.each([eyerissFamily, gemminiFamily] as unknown as DesignFamily[])('$name: the evaluator gives cycles at least the MACs over the PEs, positive energy, and the arch\'s area', (family) => {
    const evaluate = right(familyEvaluator({ family, effort: 'fast' }));
    const l = layer();
    const macs = 3 * 3 * 14 * 14 * 32 * 64;
    for (let seed = 0; seed < 3; seed++) {
      const design = sampleDesign(family.space, createRng(seed)) as Design<string>;
      const arch = family.toArch(design);
      if (E.isLeft(arch)) throw new Error('family arch');
      const m = evaluate(design, l) as { cycles: number; energy: number; area: number };
      expect(m.cycles).toBeGreaterThanOrEqual(macs / arch.right.arithmetic.instances);
      expect(m.energy).toBeGreaterThan(macs * arch.right.arithmetic.energyPerMac);
      const area = arch.right.arithmetic.area * arch.right.arithmetic.instances + arch.right.levels.reduce((s, lv) => s + lv.area * lv.instances, 0);
      expect(m.area).toBeCloseTo(area, 9);
    }
  });

  it('the evaluator is deterministic for a seed, by name or by family, and refuses unknown names', () => {
    const design = sampleDesign(gemminiFamily.space, createRng(7));
    const a = right(familyEvaluator({ family: 'gemmini', effort: 'fast', seed: 4 }))(design, layer());
    const b = right(familyEvaluator({ family: gemminiFamily, effort: 'fast', seed: 4 }))(design, layer());
    expect(a).toEqual(b);
    expect(left(familyEvaluator({ family: 'tpu' as 'gemmini' }))).toMatchObject({ _tag: 'InvalidInput', value: 'tpu' });
    expect(left(familyEvaluator({ family: 'gemmini', effort: 'slow' as 'fast' }))).toMatchObject({ path: 'options.effort', value: 'slow' });
    expect(left(familyEvaluator({ family: 'gemmini', objective: 'area' as 'edp' }))).toMatchObject({ path: 'options.objective', value: 'area' });
    expect(() => right(familyEvaluator({ family: 'eyeriss' }))({ meshX: 3 } as never, layer())).toThrow(/meshX|design/);
  });
});
