import * as E from 'fp-ts/Either';
import { formatError } from '../../src/common/errors';
import { simbaDefaultArch } from '../../src/hardware/arch';
import { convLayer } from '../../src/workload/layer';
import { simbaMappingFromRecord, parseSimbaMapYaml } from '../../src/costmodel/timeloop-mapping';
import { makeMapping } from '../../src/costmodel/mapping';
import { evaluateMapping } from '../../src/costmodel/evaluate';

const arch = simbaDefaultArch;
const layer = convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 8, K: 16, N: 1 });

const yamlText = `
mapping:
  - target: Registers
    type: datatype
    keep: [Weights]
    bypass: [Inputs, Outputs]
  - target: AccumulationBuffer
    type: temporal
    factors: R=3 S=3 P=1 Q=1 C=1 K=1 N=1
    permutation: RSPQCKN
  - target: AccumulationBuffer
    type: spatial
    factors: K=8
    permutation: KRSPQCN
  - target: GlobalBuffer
    type: spatial
    factors: C=8 K=2
    permutation: CKRSPQN
  - target: DRAM
    type: temporal
    factors: P=14 Q=14
    permutation: QPRSCKN
`;

describe('parseSimbaMapYaml', () => {
  it('reads factors, permutations (inner to outer) and consistent datatype directives', () => {
    const parsed = parseSimbaMapYaml(yamlText, arch, layer);
    expect(E.isRight(parsed)).toBe(true);
    const expected = makeMapping({
      AccumulationBuffer: { temporal: { R: 3, S: 3 }, permutation: 'RSPQCKN', spatial: { K: 8 }, spatialPermutation: 'KRSPQCN' },
      GlobalBuffer: { spatial: { C: 8, K: 2 }, spatialPermutation: 'CKRSPQN' },
      DRAM: { temporal: { P: 14, Q: 14 }, permutation: 'QPRSCKN' },
    });
    if (E.isRight(parsed)) {
      expect(parsed.right).toEqual(expected);
      expect(evaluateMapping(arch, layer, parsed.right).cycles).toBe(3 * 3 * 14 * 14);
    }
  });

  it('returns named errors for bad input', () => {
    const cases: [string, RegExp][] = [
      ['mapping: [{ target: L3, type: temporal }]', /mapping\[0\]\.target/],
      ['mapping: [{ target: DRAM, type: sideways }]', /mapping\[0\]\.type/],
      ['mapping: [{ target: DRAM, type: temporal, factors: "R=3 X=2" }]', /unknown dimension/],
      ['mapping: [{ target: DRAM, type: temporal, factors: "R3" }]', /bad factor/],
      ['mapping: [{ target: DRAM, type: temporal, permutation: "RRS" }]', /appears twice/],
      ['mapping: [{ target: GlobalBuffer, type: datatype, keep: [Weights] }]', /keep\/bypass rules are fixed/],
      ['mapping: [{ target: DRAM, type: temporal, factors: "R=3 S=3 P=14 Q=14 C=8 K=8" }]', /product of all K factors/],
      ['mapping: [{ target: WeightBuffer, type: spatial, factors: "K=16" }, { target: DRAM, type: temporal, factors: "R=3 S=3 P=14 Q=14 C=8" }]', /no spatial fan-out/],
      ['mapping: [unclosed', /.+/],
      ['42', /list of directives/],
    ];
    for (const [text, message] of cases) {
      const r = parseSimbaMapYaml(text, arch, layer);
      expect(E.isLeft(r)).toBe(true);
      if (E.isLeft(r)) expect(formatError(r.left)).toMatch(message);
    }
  });
});

describe('simbaMappingFromRecord', () => {
  const json = {
    'temporal:DRAM': { factors: { R: 3, S: 3, P: 14, Q: 14, C: 8, K: 16, N: 1 }, permutation_inner_to_outer: 'KCRSPQN' },
    'spatial:GlobalBuffer': { factors: { R: 1, S: 1, P: 1, Q: 1, C: 1, K: 1, N: 1 }, permutation_inner_to_outer: 'RSPQCKN' },
  };
  it('reads the reference record form; absent levels are unit loops', () => {
    const m = simbaMappingFromRecord(json, arch, layer);
    expect(m).toEqual(E.right(makeMapping({ DRAM: { temporal: { R: 3, S: 3, P: 14, Q: 14, C: 8, K: 16 }, permutation: 'KCRSPQN' } })));
  });
  it('names the bad key or value', () => {
    const badKey = simbaMappingFromRecord({ ...json, 'temporal:L9': {} }, arch, layer);
    expect(E.isLeft(badKey) && badKey.left._tag === 'InvalidInput' && badKey.left.path === 'mapping.temporal:L9').toBe(true);
    const badFactor = simbaMappingFromRecord({ 'temporal:DRAM': { factors: { ...json['temporal:DRAM'].factors, K: -2 } } }, arch, layer);
    expect(E.isLeft(badFactor) && badFactor.left._tag === 'InvalidInput' && badFactor.left.path === 'mapping.temporal:DRAM.factors.K').toBe(true);
    expect(E.isLeft(simbaMappingFromRecord('nope', arch, layer))).toBe(true);
  });
});
