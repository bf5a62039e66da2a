import { GENERIC_FAMILIES, genericRunsAvailable } from './generic-runs';
import { ReplayCache, replayAccepted, replayRejected, statsMismatch } from './generic-replay';

const describeIfData = genericRunsAvailable() ? describe : describe.skip;

describeIfData('evaluateArchMapping replays Timeloop on the generic families', () => {
  const cache = new ReplayCache();
  for (const family of GENERIC_FAMILIES) {
    for (const model of ['pat', 'accelergy'] as const) {
      it(`${family} (${model}): cycles, energy and per-level stats of every run`, () => {
        const runs = replayAccepted(family, model, cache);
        expect(runs.length).toBeGreaterThan(600);
        const wrong = runs
          .map((r) => {
            if (r.cost === undefined) return `run ${r.run.id}: refused (${r.refusal})`;
            if (r.cost.cycles !== r.run.cycles) return `run ${r.run.id}: cycles ${r.cost.cycles} vs ${r.run.cycles}`;
            if (Math.abs(r.cost.energy - r.run.energy_pJ_sum) > 1e-9 * r.run.energy_pJ_sum) return `run ${r.run.id}: energy ${r.cost.energy} vs ${r.run.energy_pJ_sum}`;
            const stats = statsMismatch(r);
            return stats === undefined ? undefined : `run ${r.run.id}: ${stats}`;
          })
          .filter((w) => w !== undefined);
        expect(wrong.slice(0, 5)).toEqual([]);
        // The bandwidth rule matters: some runs are bandwidth-bound.
        expect(runs.some((r) => r.cost !== undefined && r.cost.cycles > r.cost.breakdown.computeCycles)).toBe(true);
      });
    }
    it(`${family}: refuses every mapping Timeloop refused, for the level Timeloop names`, () => {
      const rejected = replayRejected(family, cache);
      expect(rejected.length).toBeGreaterThan(200);
      for (const r of rejected) {
        expect(r.refused).toBe(true);
        const level = /couldn't map level (\w+)/.exec(r.theirs)?.[1];
        expect(r.ours).toContain(`(${level})`);
      }
    });
  }
});
