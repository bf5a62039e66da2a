import * as E from 'fp-ts/Either';
import { simbaArch } from '../../src/costmodel/arch-template';
import { estimateArea } from '../../src/costmodel/area';
import { ArchMappingEvaluator } from '../../src/costmodel/arch-evaluator';
import { evaluateMapping } from '../../src/costmodel/evaluate';
import { LEVEL_NAMES } from '../../src/costmodel/mapping';
import { fanout } from '../../src/costmodel/spec';
import { simbaDefaultArch } from '../../src/hardware/arch';
import { conv2d, type Problem } from '../../src/workload/problem';
import { loadReferenceRuns, referenceRunsAvailable } from './reference-runs';

describe('simbaArch', () => {
  it('is the template as an ArchSpec: levels, keeps, fan-outs and the area of estimateArea', () => {
    const spec = simbaArch(simbaDefaultArch, 'pat');
    expect(spec.levels.map((l) => l.name)).toEqual([...LEVEL_NAMES]);
    expect(spec.levels.map((l) => l.keeps)).toEqual([['Weights'], ['Outputs'], ['Weights'], ['Inputs'], ['Inputs', 'Outputs'], ['Weights', 'Inputs', 'Outputs']]);
    // Fan-outs below each level of the default (1024 MACs and registers, 128 accumulation and weight buffers, 64 input buffers).
    expect(spec.levels.map((_, i) => fanout(spec, i).x * fanout(spec, i).y)).toEqual([1, 8, 1, 2, 64, 1]);
    expect(spec.levels[5].readBandwidth).toBe(10);
    expect(simbaArch(simbaDefaultArch, 'accelergy').levels[5].readBandwidth).toBeUndefined();
    const area = spec.arithmetic.area * spec.arithmetic.instances + spec.levels.reduce((a, l) => a + l.area * l.instances, 0);
    expect(area).toBeCloseTo(estimateArea(simbaDefaultArch), 12);
  });
});

for (const setup of ['pat', 'accelergy'] as const) {
  (referenceRunsAvailable(setup) ? describe : describe.skip)(`the generic evaluator on simbaArch (${setup})`, () => {
    it("gives evaluateMapping's cycles and energy bit for bit, and the same per-level counts, on every reference run", () => {
      const runs = loadReferenceRuns(setup);
      expect(runs.length).toBeGreaterThan(2000);
      const problems = new Map<string, Problem>();
      const differences: string[] = [];
      let timeloopCycles = 0;
      for (const run of runs) {
        const key = JSON.stringify(run.layer);
        let problem = problems.get(key);
        if (problem === undefined) {
          const p = conv2d(run.layer);
          if (E.isLeft(p)) throw new Error(key);
          problem = p.right;
          problems.set(key, problem);
        }
        const ev = new ArchMappingEvaluator(simbaArch(run.arch, setup), problem);
        const refusal = ev.check(run.mapping);
        if (refusal !== undefined) {
          differences.push(`run ${run.id}: refused ${JSON.stringify(refusal)}`);
          continue;
        }
        ev.evaluate(run.mapping);
        const generic = ev.cost();
        const simba = evaluateMapping(run.arch, run.layer, run.mapping, { model: setup });
        if (generic.cycles !== simba.cycles || generic.energy !== simba.energy) differences.push(`run ${run.id}: ${generic.cycles}/${generic.energy} vs ${simba.cycles}/${simba.energy}`);
        for (const [l, level] of simba.breakdown.levels.entries()) {
          for (const [tensor, t] of Object.entries(level.tensors)) {
            const g = generic.breakdown.levels[l].dataSpaces[tensor];
            if (g.reads !== t.reads || g.fills !== t.fills || g.updates !== t.updates || g.energy !== t.energy) differences.push(`run ${run.id}: ${level.level}.${tensor}`);
          }
        }
        if (generic.cycles === run.cycles) timeloopCycles++;
      }
      expect(differences.slice(0, 5)).toEqual([]);
      // And so Timeloop's own cycles, as the Simba path does (the pat setup's 25 bandwidth-rounded runs included).
      expect(timeloopCycles).toBe(runs.length);
    });
  });
}
