import type { Layer } from '../workload/lower';
import type { DatasetRow } from '../dataset/row';
import { designKey, gridValues, type Design, type ParamSpec, type SimbaParam } from '../hardware/space';
import { predictCosts, type PredictedCost, type TrainedVaesa } from './trained';

/** Rank correlation with ties given their average rank (Spearman's rho); NaN for fewer than 2 values or a constant input. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`spearman: lengths differ (${a.length} vs ${b.length})`);
  if (a.length < 2) return Number.NaN;
  return pearson(averageRanks(a), averageRanks(b));
}

function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + end - 1) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Median of |predicted - actual| / actual. */
export function medianAbsolutePercentageError(predicted: readonly number[], actual: readonly number[]): number {
  const errors = predicted.map((p, i) => Math.abs(p - actual[i]) / Math.abs(actual[i])).sort((x, y) => x - y);
  const n = errors.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? errors[(n - 1) / 2] : (errors[n / 2 - 1] + errors[n / 2]) / 2;
}

/** Distance between two valid values of a parameter in grid steps (octaves for powers of two). */
export function gridStepDistance(p: ParamSpec, a: number, b: number): number {
  switch (p.grid.kind) {
    case 'pow2':
      return Math.abs(Math.log2(a) - Math.log2(b));
    case 'multiple':
      return Math.abs(a - b) / p.grid.step;
    case 'values': {
      const values = gridValues(p);
      return Math.abs(values.indexOf(a) - values.indexOf(b));
    }
  }
}

export interface PredictionQuality {
  readonly spearman: number;
  readonly medianApe: number;
}

export interface VaesaEvaluation<P extends string = SimbaParam> {
  readonly reconstruction: {
    /** Distinct designs among the rows. */
    readonly designs: number;
    /** Share that decode (after snapping) exactly to themselves. */
    readonly exactShare: number;
    /** Share whose every parameter decodes within 10% of the original. */
    readonly within10PercentShare: number;
    /** Mean distance in grid steps between decoded and original value, per parameter. */
    readonly meanGridStepError: Readonly<Record<P, number>>;
    /** Share of designs whose parameter decodes within 10% of the original, per parameter. */
    readonly within10PercentShareByParam: Readonly<Record<P, number>>;
  };
  readonly prediction: {
    readonly rows: number;
    readonly cycles: PredictionQuality;
    readonly energy: PredictionQuality;
    readonly edp: PredictionQuality;
    /** Mean over layers of the EDP Spearman within one layer (ranking designs for a fixed layer). */
    readonly edpSpearmanWithinLayer: number;
  };
}

/** Reconstruction and prediction quality of a trained model on rows it was not trained on. */
export function evaluateVaesa<P extends string>(trained: TrainedVaesa<P>, rows: readonly DatasetRow<P, Layer>[], batchSize = 8192): VaesaEvaluation<P> {
  if (rows.length === 0) throw new RangeError('evaluateVaesa: no rows');
  return { reconstruction: evaluateReconstruction(trained, distinctDesigns(trained, rows), batchSize), prediction: evaluatePrediction(trained, rows, batchSize) };
}

function distinctDesigns<P extends string>(trained: TrainedVaesa<P>, rows: readonly DatasetRow<P, Layer>[]): Design<P>[] {
  const seen = new Map<string, Design<P>>();
  for (const r of rows) seen.set(designKey(trained.space, r.arch), r.arch);
  return [...seen.values()];
}

function evaluateReconstruction<P extends string>(trained: TrainedVaesa<P>, designs: readonly Design<P>[], batchSize: number): VaesaEvaluation<P>['reconstruction'] {
  const params = trained.space.params;
  const stepSums = params.map(() => 0);
  const withinCounts = params.map(() => 0);
  let exact = 0;
  let within = 0;
  for (let start = 0; start < designs.length; start += batchSize) {
    const chunk = designs.slice(start, start + batchSize);
    const decoded = trained.decode(trained.encode(chunk));
    chunk.forEach((orig, i) => {
      let allExact = true;
      let allWithin = true;
      params.forEach((p, k) => {
        const a = orig[p.name];
        const b = decoded[i][p.name];
        stepSums[k] += gridStepDistance(p, a, b);
        if (a !== b) allExact = false;
        if (Math.abs(b - a) > 0.1 * a) allWithin = false;
        else withinCounts[k]++;
      });
      if (allExact) exact++;
      if (allWithin) within++;
    });
  }
  const perParam = (sums: readonly number[]) => Object.fromEntries(params.map((p, k) => [p.name, sums[k] / designs.length])) as Record<P, number>;
  return {
    designs: designs.length,
    exactShare: exact / designs.length,
    within10PercentShare: within / designs.length,
    meanGridStepError: perParam(stepSums),
    within10PercentShareByParam: perParam(withinCounts),
  };
}

function evaluatePrediction<P extends string>(trained: TrainedVaesa<P>, rows: readonly DatasetRow<P, Layer>[], batchSize: number): VaesaEvaluation<P>['prediction'] {
  const predicted: PredictedCost[] = [];
  for (let start = 0; start < rows.length; start += batchSize) predicted.push(...predictCosts(trained, rows.slice(start, start + batchSize)));
  const quality = (pred: number[], actual: number[]): PredictionQuality => ({
    spearman: spearman(pred, actual),
    medianApe: medianAbsolutePercentageError(pred, actual),
  });
  const byLayer = new Map<string, { pred: number[]; actual: number[] }>();
  rows.forEach((r, i) => {
    const key = JSON.stringify(r.layer);
    const entry = byLayer.get(key) ?? { pred: [], actual: [] };
    entry.pred.push(predicted[i].edp);
    entry.actual.push(r.cycles * r.energy);
    byLayer.set(key, entry);
  });
  const withinLayer = [...byLayer.values()].map((e) => spearman(e.pred, e.actual)).filter((s) => Number.isFinite(s));
  return {
    rows: rows.length,
    cycles: quality(predicted.map((p) => p.cycles), rows.map((r) => r.cycles)),
    energy: quality(predicted.map((p) => p.energy), rows.map((r) => r.energy)),
    edp: quality(predicted.map((p) => p.edp), rows.map((r) => r.cycles * r.energy)),
    edpSpearmanWithinLayer: withinLayer.reduce((s, v) => s + v, 0) / withinLayer.length,
  };
}
