import { generateDataset, planDataset, planRow, type DatasetRow, type GenerateOptions } from '../../src/dataset';
import { simbaSpace } from '../../src/hardware';
import { convLayer, layerName, networks } from '../../src/workload';
import { createSyntheticEvaluator, syntheticMetrics } from './fixtures/synthetic-evaluator';

const base: GenerateOptions = {
  space: simbaSpace,
  networks: [networks.alexnet, networks.deepbench],
  layers: [convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 4096, K: 1000, N: 1 }), convLayer({ R: 5, S: 5, P: 9, Q: 9, C: 3, K: 7, N: 2 })],
  sampler: { kind: 'random', count: 30 },
  seed: 11,
  evaluator: createSyntheticEvaluator({ withArea: true }),
};

async function collect(options: GenerateOptions): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const r of generateDataset(options)) rows.push(r);
  return rows;
}

describe('generateDataset', () => {
  it('yields every design on every distinct layer, design by design, with the evaluator metrics', async () => {
    const rows = await collect(base);
    const plan = planDataset(base);
    // AlexNet's 8 + DeepBench's 9 layers, plus one new layer (its FC 4096x1000 is already in AlexNet).
    expect(plan.layers).toHaveLength(18);
    expect(rows).toHaveLength(30 * 18);
    rows.forEach((r, i) => {
      expect(r.arch).toEqual(plan.archs[Math.floor(i / 18)]);
      expect(layerName(r.layer)).toBe(layerName(plan.layers[i % 18]));
      expect(r).toEqual({ arch: r.arch, layer: r.layer, ...syntheticMetrics(r.arch, r.layer, { withArea: true }) });
    });
  });

  it('is deterministic in the seed', async () => {
    const a = await collect(base);
    expect(await collect(base)).toEqual(a);
    expect((await collect({ ...base, seed: 12 })).map((r) => r.arch)).not.toEqual(a.map((r) => r.arch));
  });

  it('splits into contiguous shards whose concatenation is the whole run', async () => {
    const whole = await collect(base);
    const parts = [];
    for (let index = 0; index < 3; index++) parts.push(...(await collect({ ...base, shard: { index, count: 3 } })));
    expect(parts).toEqual(whole);
    const first = await collect({ ...base, shard: { index: 0, count: 7 } });
    expect(first).toHaveLength(Math.floor(540 / 7));
  });

  it('skips rows already made and reports progress over the shard', async () => {
    const progress: number[] = [];
    const rest = await collect({ ...base, shard: { index: 1, count: 2 }, skipRows: 200, onProgress: (p) => progress.push(p.done) });
    expect(rest).toEqual((await collect(base)).slice(270 + 200));
    expect(progress[0]).toBe(200);
    expect(progress[progress.length - 1]).toBe(270);
  });

  it('accepts asynchronous evaluators and other samplers', async () => {
    const evaluate = createSyntheticEvaluator();
    const rows = await collect({ ...base, sampler: { kind: 'lhs', count: 5 }, evaluator: async (a, l) => evaluate(a, l) });
    expect(rows).toHaveLength(90);
    const plan = planDataset({ ...base, sampler: { kind: 'lhs', count: 5 } });
    expect(rows[89].arch).toEqual(planRow(plan, 89).arch);
    expect(await collect({ ...base, sampler: { kind: 'grid', pointsPerParam: 1 } })).toHaveLength(18);
  });

  it("reports an evaluator's bad answer, naming the design and layer", async () => {
    await expect(collect({ ...base, evaluator: () => ({ cycles: 10, energy: Number.NaN }) })).rejects.toThrow(/unusable metrics on arch_\d+_/);
    await expect(collect({ ...base, evaluator: () => ({ cycles: 0, energy: 1 }) })).rejects.toThrow(/unusable metrics.*cycles must be a positive finite number, got 0/);
  });

  it('overlaps an asynchronous evaluator up to `concurrency` calls, rows in the same order', async () => {
    const small = { ...base, sampler: { kind: 'random' as const, count: 4 } };
    const run = async (concurrency: number | undefined) => {
      let inFlight = 0;
      let most = 0;
      const evaluate = createSyntheticEvaluator({ withArea: true });
      const rows = await collect({
        ...small,
        ...(concurrency === undefined ? {} : { concurrency }),
        evaluator: async (a, l) => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 1));
          inFlight--;
          return evaluate(a, l);
        },
      });
      return { most, rows };
    };
    const one = await run(1);
    const defaults = await run(undefined);
    const three = await run(3);
    expect([one.most, defaults.most, three.most]).toEqual([1, 8, 3]);
    expect(defaults.rows).toEqual(one.rows);
    expect(three.rows).toEqual(one.rows);
  });

  it('refuses undefined, negative and infinite answers; times out a hanging call; an abort stops one', async () => {
    for (const bad of [undefined, { cycles: -1, energy: 1 }, { cycles: 1, energy: Number.POSITIVE_INFINITY }]) {
      await expect(collect({ ...base, evaluator: () => bad as never })).rejects.toThrow(/unusable metrics/);
    }
    const hang = () => new Promise<never>(() => undefined);
    await expect(collect({ ...base, evaluator: hang, evaluationTimeoutMs: 20 })).rejects.toThrow(/took longer than 20 ms/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    expect(await collect({ ...base, evaluator: hang, signal: controller.signal })).toEqual([]);
  });
});

