/** Option names outside their choices, bad layer counts and edited cached answers: errors and copies, never silent defaults. */
import { costModelEvaluator } from '../../src/mapper/evaluator';
import { evaluateLayer, evaluateNetwork } from '../../src/mapper/evaluate-layer';
import { createMappingCache } from '../../src/mapper/find-mapping';
import { simbaDefaultArch, simbaSpace } from '../../src/hardware';
import { inputSpaceSearch } from '../../src/search/input-search';
import { convLayer } from '../../src/workload/layer';
import { parseVaesaWorkload } from '../../src/workload/parse';
import { formatError } from '../../src/common/errors';
import { left, right } from '../fixtures/right';

const layer = convLayer({ R: 1, S: 1, P: 7, Q: 7, C: 64, K: 64, N: 1 });

describe('no silent defaults', () => {
  it('refuses an unknown model, mapper or objective name instead of using the default', () => {
    expect(formatError(left(evaluateLayer(simbaDefaultArch, layer, { model: 'nope' as 'pat' })))).toBe('invalid options.model: must be one of pat, accelergy (got "nope")');
    expect(formatError(left(evaluateLayer(simbaDefaultArch, layer, { mapper: 'nope' as 'search' })))).toBe('invalid options.mapper: must be one of search, mip (got "nope")');
    expect(left(evaluateLayer(simbaDefaultArch, layer, { objective: 'area' as 'edp' }))).toMatchObject({ path: 'options.objective', value: 'area', message: expect.stringMatching(/^must be one of edp, latency, energy/) });
    expect(left(costModelEvaluator({ model: 'nope' as 'pat' }))).toMatchObject({ path: 'options.model', value: 'nope' });
    expect(left(costModelEvaluator({ effort: 'slow' as 'fast' }))).toMatchObject({ path: 'options.effort', value: 'slow' });
  });

  it('refuses an unknown search optimizer instead of returning 0 evaluations', async () => {
    expect(formatError(left(await inputSpaceSearch(simbaSpace, layer, { optimizer: 'nope' as 'bo', budget: 2 })))).toBe('invalid options.optimizer: must be one of bo, random, cmaes or a CustomOptimizer { name, create } (got "nope")');
  });

  it('refuses a layer count that is not a positive integer', () => {
    for (const count of [-2, Number.NaN, 0, 1.5]) {
      expect(left(evaluateNetwork(simbaDefaultArch, { name: 'n', layers: [{ layer, count }] }))).toMatchObject({ path: 'network.layers[0].count', value: count, message: expect.stringMatching(/^must be a positive integer/) });
    }
  });

  it('hands out copies of cached answers: editing one does not change the next', () => {
    const cache = createMappingCache();
    const first = right(evaluateLayer(simbaDefaultArch, layer, { cache }));
    const pristine = JSON.parse(JSON.stringify(first));
    const again = right(evaluateLayer(simbaDefaultArch, layer, { cache }));
    expect(JSON.parse(JSON.stringify(again))).toEqual(pristine);
    (again.mapping.levels[0].temporal as Record<string, number>).R = 999;
    (again.breakdown as unknown as { levels: unknown[] }).levels.length = 0;
    (first.mapping.levels[0].temporal as Record<string, number>).R = 777;
    expect(JSON.parse(JSON.stringify(right(evaluateLayer(simbaDefaultArch, layer, { cache }))))).toEqual(pristine);
  });

  it('refuses layer dimensions beyond 2^24 with a message naming the field', () => {
    expect(() => convLayer({ R: 3, S: 3, P: 1e300, Q: 14, C: 32, K: 64, N: 1 })).toThrow(/invalid dimensions/);
    expect(parseVaesaWorkload('[[3,3,1e300,14,32,64,1,1,1]]')).toMatchObject({ left: { _tag: 'InvalidInput', path: expect.stringMatching(/P$/), message: 'must be a positive integer up to 16777216' } });
  });
});

