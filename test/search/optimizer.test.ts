import { right } from '../fixtures/right';
import { createRng } from '../../src/common/rng';
import { simbaSpace } from '../../src/hardware/space';
import { inputSpaceSearch, latentSearch, latentSearchBox, type CustomOptimizer, type OptimizerContext, type Told } from '../../src/search';
import { fakeModel, layerA, layerB, syntheticEvaluator } from './fixtures';

/** A user's optimiser: a seeded (1+1) evolution strategy that remembers what it was told. */
function onePlusOne(log: { contexts: OptimizerContext[]; told: Told[] }): CustomOptimizer {
  return {
    name: 'one-plus-one',
    create: (context) => {
      log.contexts.push(context);
      const { box, rng } = context;
      const width = box.lower.map((lo, d) => box.upper[d] - lo);
      let parent = box.lower.map((lo, d) => lo + width[d] * rng.next());
      let parentObjective = Number.POSITIVE_INFINITY;
      let candidate = parent;
      return {
        ask: () => {
          candidate = parent.map((x, d) => Math.min(box.upper[d], Math.max(box.lower[d], x + 0.2 * width[d] * rng.normal())));
          return [candidate];
        },
        tell: (results) => {
          for (const r of results) {
            log.told.push(r);
            if (r.outcome !== 'rejected' && r.feasible && r.objective < parentObjective) [parent, parentObjective] = [candidate, r.objective];
          }
        },
      };
    },
  };
}

describe('Optimizer (ask/tell)', () => {
  it('a user optimiser drives input-space search with the ledger budget and duplicate accounting', async () => {
    const log = { contexts: [] as OptimizerContext[], told: [] as Told[] };
    const result = await inputSpaceSearch(simbaSpace, [layerA, layerB], { optimizer: onePlusOne(log), evaluator: syntheticEvaluator, budget: 25, seed: 4 }).then(right);
    expect(result.optimizer).toBe('input-one-plus-one');
    expect(result.evaluations).toHaveLength(25);
    expect(log.contexts).toHaveLength(1);
    expect(log.contexts[0].box.lower).toHaveLength(6);
    expect(log.contexts[0].budget).toBe(25);
    // Every proposal is told: new ones spend budget, duplicates are counted and carry the known metrics.
    expect(log.told.filter((t) => t.outcome === 'new')).toHaveLength(25);
    expect(log.told.filter((t) => t.outcome === 'duplicate')).toHaveLength(result.duplicates);
    const best = Math.min(...log.told.map((t) => (t.outcome === 'rejected' ? Infinity : t.objective)));
    expect(result.best?.edp).toBe(best);
    expect(result.history[24]).toBe(best);
    // Seeded: the same run twice gives the same designs.
    const again = await inputSpaceSearch(simbaSpace, [layerA, layerB], { optimizer: onePlusOne({ contexts: [], told: [] }), evaluator: syntheticEvaluator, budget: 25, seed: 4 }).then(right);
    expect(again.evaluations.map((e) => e.arch)).toEqual(result.evaluations.map((e) => e.arch));
  });

  it('a user optimiser drives latent search in the model box; an empty ask ends the search as exhausted', async () => {
    const model = fakeModel();
    const log = { contexts: [] as OptimizerContext[], told: [] as Told[] };
    const result = await latentSearch(model, layerA, { optimizer: onePlusOne(log), evaluator: syntheticEvaluator, budget: 15, seed: 1, latentBound: 2 }).then(right);
    expect(result.evaluations).toHaveLength(15);
    expect(log.contexts[0].box).toEqual({ lower: [-2, -2], upper: [2, 2] });
    let asked = 0;
    const finite: CustomOptimizer = {
      name: 'three',
      create: (c) => ({ ask: () => (asked++ < 3 ? [c.box.lower.map(() => createRng(asked).uniform(-1, 1))] : []), tell: () => undefined }),
    };
    const short = await latentSearch(model, layerA, { optimizer: finite, evaluator: syntheticEvaluator, budget: 15 }).then(right);
    expect(short.stopReason).toBe('exhausted');
    expect(short.evaluations.length + short.duplicates).toBe(3);
  });

  it('latent searches use the model box unless a bound is given, and VAESA\'s [-1, 1] for a model without one', () => {
    const model = fakeModel();
    expect(latentSearchBox(model)).toEqual({ lower: [-1, -1], upper: [1, 1] });
    expect(latentSearchBox({ ...model, latentBox: { lower: [-3, 0], upper: [1, 2] } })).toEqual({ lower: [-3, 0], upper: [1, 2] });
    expect(latentSearchBox({ ...model, latentBox: { lower: [-3, 0], upper: [1, 2] } }, 0.5)).toEqual({ lower: [-0.5, -0.5], upper: [0.5, 0.5] });
    expect(() => latentSearchBox(model, 0)).toThrow(/invalid options.latentBound: must be a positive number \(got 0\)/);
  });
});
