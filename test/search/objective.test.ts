/** Search objectives beyond the mapper's: EDAP (energy x cycles x area) and the user's own function, checked against the cost model's numbers. */
import { objectiveValue } from '../../src/common/objective';
import { evaluateLayer } from '../../src/mapper/evaluate-layer';
import { FAST_SEARCH_EFFORT } from '../../src/mapper/search/search';
import { costModelEvaluator } from '../../src/mapper/evaluator';
import { simbaDefaultArch, simbaSpace } from '../../src/hardware';
import { inputSpaceSearch } from '../../src/search/input-search';
import { convLayer } from '../../src/workload/layer';
import { left, right } from '../fixtures/right';

const layer = convLayer({ R: 1, S: 1, P: 7, Q: 7, C: 64, K: 64, N: 1 });

describe('search objectives', () => {
  it("'edap' is energy x cycles x area of the design the cost model evaluated", () => {
    const cost = right(evaluateLayer(simbaDefaultArch, layer, { effort: 'fast' }));
    expect(cost.area).toBeGreaterThan(0);
    expect(objectiveValue('edap', cost)).toBe(cost.energy * cost.cycles * cost.area);
    expect(objectiveValue('edap', { cycles: 2, energy: 3 })).toBeNaN();
    expect(objectiveValue((c) => c.energy + 2 * c.cycles, { cycles: 5, energy: 7 })).toBe(17);
  });

  it('a search with edap ranks every evaluated design by its energy x cycles x area and keeps the lowest', async () => {
    const evaluator = right(costModelEvaluator({ effort: FAST_SEARCH_EFFORT }));
    const result = right(await inputSpaceSearch(simbaSpace, layer, { optimizer: 'random', budget: 4, seed: 3, objective: 'edap', evaluator }));
    expect(result.objective).toBe('edap');
    expect(result.evaluations).toHaveLength(4);
    for (const e of result.evaluations) {
      const direct = right(evaluateLayer(e.arch, layer, { effort: FAST_SEARCH_EFFORT }));
      expect(e.area).toBe(direct.area);
      expect(e.objective).toBe(direct.energy * direct.cycles * direct.area);
    }
    const lowest = Math.min(...result.evaluations.map((e) => e.objective));
    expect(result.history[result.history.length - 1]).toBe(lowest);
    const best = result.best;
    expect(best === undefined ? Number.NaN : best.energy * best.cycles * (best.area ?? Number.NaN)).toBe(lowest);
  });

  it("takes the user's function of the totals, and refuses a non-positive value as an evaluator failure", async () => {
    const evaluator = right(costModelEvaluator({ effort: FAST_SEARCH_EFFORT }));
    const custom = right(await inputSpaceSearch(simbaSpace, layer, { optimizer: 'random', budget: 3, seed: 3, objective: (c) => c.energy * c.cycles ** 2, evaluator }));
    expect(custom.objective).toBe('custom');
    for (const e of custom.evaluations) expect(e.objective).toBe(e.energy * e.cycles ** 2);
    const broken = right(await inputSpaceSearch(simbaSpace, layer, { optimizer: 'random', budget: 3, seed: 3, objective: () => -1, evaluator }));
    expect(broken.stopReason).toBe('evaluator-error');
    expect(broken.evaluatorError).toMatch(/the objective gave -1/);
  });

  it('a power or energy cap makes designs above it infeasible', async () => {
    const evaluator = right(costModelEvaluator({ effort: FAST_SEARCH_EFFORT }));
    const free = right(await inputSpaceSearch(simbaSpace, layer, { optimizer: 'random', budget: 4, seed: 3, evaluator }));
    const energies = free.evaluations.map((e) => e.energy).sort((a, b) => a - b);
    const capped = right(await inputSpaceSearch(simbaSpace, layer, { optimizer: 'random', budget: 4, seed: 3, evaluator, constraints: { maxEnergy: energies[1] } }));
    expect(capped.evaluations.filter((e) => e.feasible).map((e) => e.energy).sort((a, b) => a - b)).toEqual(energies.slice(0, 2));
    expect(capped.best === undefined ? Infinity : capped.best.energy).toBeLessThanOrEqual(energies[1]);
    expect(left(await inputSpaceSearch(simbaSpace, layer, { optimizer: 'random', budget: 4, evaluator, constraints: { maxPower: -1 } }))).toMatchObject({ path: 'options.constraints.maxPower', value: -1 });
  });
});
