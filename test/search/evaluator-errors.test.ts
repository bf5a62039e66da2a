/**
 * A search never trusts its evaluator: unusable answers, throws, hangs and timeouts are failures with a
 * policy (abort with the results so far, or skip the design); layers are evaluated with a concurrency
 * limit; energy and power caps mark designs infeasible.
 */
import { left, right } from '../fixtures/right';
import type { CostMetrics, Evaluator } from '../../src/common/evaluator';
import { simbaSpace } from '../../src/hardware';
import { inputSpaceSearch } from '../../src/search/input-search';
import type { InputSpaceSearchOptions } from '../../src/search/types';
import { convLayer } from '../../src/workload/layer';
import { layerA, syntheticEvaluator } from './fixtures';

const base: InputSpaceSearchOptions = { optimizer: 'random', evaluator: syntheticEvaluator, budget: 6, seed: 3 };

/** The synthetic evaluator, except that design number `at` (0-based, in call order per design) gets `bad`. */
function failingAt(at: number, bad: () => unknown): Evaluator {
  const designs: string[] = [];
  return (arch, layer) => {
    const key = JSON.stringify(arch);
    if (!designs.includes(key)) designs.push(key);
    return designs.indexOf(key) === at ? (bad() as CostMetrics) : syntheticEvaluator(arch, layer);
  };
}

describe('search: evaluator failures', () => {
  const unusable: [string, () => unknown, RegExp][] = [
    ['NaN', () => ({ cycles: Number.NaN, energy: 1 }), /cycles must be a positive finite number, got NaN/],
    ['zero', () => ({ cycles: 10, energy: 0 }), /energy must be a positive finite number, got 0/],
    ['negative', () => ({ cycles: 10, energy: -500 }), /energy must be a positive finite number, got -500/],
    ['Infinity', () => ({ cycles: Number.POSITIVE_INFINITY, energy: 1 }), /cycles must be a positive finite number, got Infinity/],
    ['undefined', () => undefined, /expected \{ cycles, energy, area\? \}, got undefined/],
    ['a throw', () => { throw new Error('simulator crashed'); }, /evaluator threw on arch_.*: simulator crashed/],
  ];

  it.each(unusable)('aborts on %s, keeping the evaluations finished before it', async (_, bad, message) => {
    const result = await inputSpaceSearch(simbaSpace, layerA, { ...base, evaluator: failingAt(2, bad) }).then(right);
    expect(result.stopReason).toBe('evaluator-error');
    expect(result.evaluatorError).toMatch(message);
    expect(result.evaluations).toHaveLength(2);
    expect(result.best !== undefined && result.best.edp > 0).toBe(true);
  });

  it('skips failing designs when asked: counted, infeasible, never best', async () => {
    let calls = 0;
    const flaky: Evaluator = (arch, layer) => (++calls % 2 === 0 ? { cycles: 10, energy: -500 } : syntheticEvaluator(arch, layer));
    const result = await inputSpaceSearch(simbaSpace, layerA, { ...base, evaluator: flaky, onEvaluatorError: 'skip' }).then(right);
    expect(result.stopReason).toBe('budget');
    expect(result.evaluations).toHaveLength(6);
    expect(result.failed).toBe(3);
    expect(result.evaluations.filter((e) => e.error !== undefined).every((e) => !e.feasible)).toBe(true);
    expect(result.best!.edp).toBeGreaterThan(0);
    expect(result.history.every((h) => h > 0)).toBe(true);
  });

  it('gives up on a call after evaluationTimeoutMs, and an abort stops an evaluator that never resolves', async () => {
    const hanging = failingAt(1, () => new Promise<CostMetrics>(() => undefined));
    const timedOut = await inputSpaceSearch(simbaSpace, layerA, { ...base, evaluator: hanging, evaluationTimeoutMs: 20 }).then(right);
    expect(timedOut).toMatchObject({ stopReason: 'evaluator-error', evaluatorError: expect.stringMatching(/took longer than 20 ms/) });
    expect(timedOut.evaluations).toHaveLength(1);
    const controller = new AbortController();
    const neverResolves: Evaluator = (arch, layer) => {
      setTimeout(() => controller.abort(), 0);
      return new Promise<CostMetrics>(() => undefined);
    };
    const cancelled = await inputSpaceSearch(simbaSpace, layerA, { ...base, evaluator: neverResolves, signal: controller.signal }).then(right);
    expect(cancelled.stopReason).toBe('cancelled');
    expect(cancelled.evaluations).toHaveLength(0);
  });

  it('keeps at most evaluatorConcurrency calls in flight for one design', async () => {
    const layers = Array.from({ length: 9 }, (_, i) => convLayer({ R: 1, S: 1, P: 7, Q: 7, C: 64, K: 16 * (i + 1), N: 1 }));
    const run = async (concurrency: number | undefined) => {
      let inFlight = 0;
      let most = 0;
      const slow: Evaluator = async (arch, layer) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        return syntheticEvaluator(arch, layer);
      };
      const result = await inputSpaceSearch(simbaSpace, layers, { ...base, budget: 2, evaluator: slow, ...(concurrency === undefined ? {} : { evaluatorConcurrency: concurrency }) }).then(right);
      return { most, edps: result.evaluations.map((e) => e.edp) };
    };
    const two = await run(2);
    const defaults = await run(undefined);
    expect(two.most).toBe(2);
    expect(defaults.most).toBe(4);
    expect(two.edps).toEqual(defaults.edps);
  });

  it('rejects bad settings', async () => {
    expect(left(await inputSpaceSearch(simbaSpace, layerA, { ...base, evaluatorConcurrency: 0 }))).toMatchObject({ _tag: 'InvalidInput', path: 'options.evaluatorConcurrency', value: 0 });
    expect(left(await inputSpaceSearch(simbaSpace, layerA, { ...base, onEvaluatorError: 'ignore' as 'skip' }))).toMatchObject({ path: 'options.onEvaluatorError', value: 'ignore' });
    expect(left(await inputSpaceSearch(simbaSpace, layerA, { ...base, constraints: { maxPower: Number.NaN } }))).toMatchObject({ path: 'options.constraints.maxPower', value: Number.NaN });
    expect(left(await inputSpaceSearch(simbaSpace, layerA, { ...base, budget: 0 }))).toMatchObject({ path: 'options.budget', value: 0 });
    expect(left(await inputSpaceSearch(simbaSpace, layerA, { ...base, seed: 1.5 }))).toMatchObject({ path: 'options.seed', value: 1.5 });
    expect(left(await inputSpaceSearch(simbaSpace, layerA, { ...base, objective: 'area' as 'edp' }))).toMatchObject({ path: 'options.objective', value: 'area' });
    expect(left(await inputSpaceSearch(simbaSpace, { layers: [{ layer: layerA, count: -2 }] }, base))).toMatchObject({ path: 'target.layers[0].count', value: -2 });
  });
});

describe('search: energy and power caps', () => {
  it('marks designs over maxEnergy or maxPower infeasible; the best respects both', async () => {
    const free = await inputSpaceSearch(simbaSpace, layerA, { ...base, budget: 30 }).then(right);
    const energies = free.evaluations.map((e) => e.energy).sort((a, b) => a - b);
    const powers = free.evaluations.map((e) => e.energy / e.cycles).sort((a, b) => a - b);
    const maxEnergy = energies[15];
    const maxPower = powers[20];
    const capped = await inputSpaceSearch(simbaSpace, layerA, { ...base, budget: 30, constraints: { maxEnergy, maxPower } }).then(right);
    expect(capped.evaluations.map((e) => e.arch)).toEqual(free.evaluations.map((e) => e.arch));
    for (const e of capped.evaluations) expect(e.feasible).toBe(e.energy <= maxEnergy && e.energy / e.cycles <= maxPower);
    expect(capped.infeasible).toBe(capped.evaluations.filter((e) => !e.feasible).length);
    expect(capped.infeasible).toBeGreaterThan(0);
    expect(capped.best!.energy).toBeLessThanOrEqual(maxEnergy);
    expect(capped.best!.energy / capped.best!.cycles).toBeLessThanOrEqual(maxPower);
  });
});
