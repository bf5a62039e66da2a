import { InputError, invalidInput } from '../common/errors';
import { tf } from '../model/tf';
import { designKey, type Design } from '../hardware/space';
import type { LatentBox, LatentModel } from '../model/latent-model';
import type { ConvLayer } from '../workload/layer';
import type { Optimizer, OptimizerContext } from './optimizer';
import { logObjectiveWeights, type WeightedLayer } from './target';
import type { GradientSearchOptions, PredictedMetrics } from './types';

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;

/** Per start, the weights of log cycles and log energy in the loss it descends. */
interface LossWeights {
  readonly cycles: number;
  readonly energy: number;
}

/**
 * An optional capability of a `LatentModel`: predictions for every (layer, point) pair in one tfjs
 * graph, tensors of shape [layers.length, n] (row l = `predictLogCost(z, layers[l])`). Per-layer calls
 * cost one small graph per layer and step, which dominates descent on networks of many layers;
 * a model offering this form is searched with one graph per step.
 */
export interface BatchedCostPredictor {
  predictLogCostLayers(z: tf.Tensor2D, layers: readonly ConvLayer[]): { logCycles: tf.Tensor2D; logEnergy: tf.Tensor2D };
}

export function hasBatchedPrediction<P extends string>(model: LatentModel<P>): model is LatentModel<P> & BatchedCostPredictor {
  return typeof (model as Partial<BatchedCostPredictor>).predictLogCostLayers === 'function';
}

/** Per-layer predictions stacked to [layers.length, n], through the batched form when the model has it. */
function predictLayers<P extends string>(model: LatentModel<P>, z: tf.Tensor2D, layers: readonly ConvLayer[]): { logCycles: tf.Tensor2D; logEnergy: tf.Tensor2D } {
  if (hasBatchedPrediction(model)) return model.predictLogCostLayers(z, layers);
  const cycles: tf.Tensor1D[] = [];
  const energy: tf.Tensor1D[] = [];
  for (const layer of layers) {
    const p = model.predictLogCost(z, layer);
    cycles.push(p.logCycles);
    energy.push(p.logEnergy);
  }
  return { logCycles: tf.stack(cycles) as tf.Tensor2D, logEnergy: tf.stack(energy) as tf.Tensor2D };
}

/**
 * Predicted log network totals for latent points: log Σ_l count_l · exp(logCost_l(z)), computed for
 * all points (a row each) and layers at once. Returns tensors of shape [n].
 */
export function predictLogTotals<P extends string>(
  model: LatentModel<P>,
  z: tf.Tensor2D,
  layers: readonly WeightedLayer[],
): { logCycles: tf.Tensor1D; logEnergy: tf.Tensor1D } {
  return tf.tidy(() => {
    const perLayer = predictLayers(model, z, layers.map((l) => l.layer));
    const logCounts = tf.tensor2d(
      layers.map((l) => [Math.log(l.count)]),
      [layers.length, 1],
    );
    return {
      logCycles: tf.logSumExp(tf.add(perLayer.logCycles, logCounts), 0) as tf.Tensor1D,
      logEnergy: tf.logSumExp(tf.add(perLayer.logEnergy, logCounts), 0) as tf.Tensor1D,
    };
  });
}

/** Predicted totals of designs, through their latent means (what the predictor says of the snapped design). */
export function predictDesigns<P extends string>(model: LatentModel<P>, archs: readonly Design<P>[], layers: readonly WeightedLayer[]): PredictedMetrics[] {
  if (archs.length === 0) return [];
  const z = tf.tensor2d(model.encode(archs), [archs.length, model.latentDim]);
  const totals = predictLogTotals(model, z, layers);
  const logCycles = totals.logCycles.arraySync();
  const logEnergy = totals.logEnergy.arraySync();
  tf.dispose([z, totals.logCycles, totals.logEnergy]);
  return logCycles.map((c, i) => {
    const cycles = Math.exp(c);
    const energy = Math.exp(logEnergy[i]);
    return { cycles, energy, edp: cycles * energy };
  });
}

/**
 * Runs Adam with cosine annealing (PyTorch's CosineAnnealingLR, eta_min 0) on all start points at
 * once, minimising each start's weighted log predicted totals; returns the points at `recordSteps`
 * (step 0 = the starts, step `steps` = after the last update), grouped by recorded step. `stop` is
 * checked before every step; when it returns true, the points recorded so far are returned.
 */
export function descend<P extends string>(
  model: LatentModel<P>,
  layers: readonly WeightedLayer[],
  starts: readonly (readonly number[])[],
  weights: readonly LossWeights[],
  steps: number,
  learningRate: number,
  recordSteps: readonly number[],
  stop: () => boolean = () => false,
): number[][][] {
  const n = starts.length;
  const dim = model.latentDim;
  const z = Float64Array.from(starts.flat());
  const m = new Float64Array(n * dim);
  const v = new Float64Array(n * dim);
  const cyclesWeight = tf.tensor1d(weights.map((w) => w.cycles));
  const energyWeight = tf.tensor1d(weights.map((w) => w.energy));
  const loss = (point: tf.Tensor2D): tf.Scalar => {
    const totals = predictLogTotals(model, point, layers);
    return tf.sum(tf.add(tf.mul(totals.logCycles, cyclesWeight), tf.mul(totals.logEnergy, energyWeight)));
  };
  const gradient = tf.grad((point: tf.Tensor) => loss(point as tf.Tensor2D));
  const recorded: number[][][] = [];
  const snapshot = (): number[][] => Array.from({ length: n }, (_, i) => Array.from(z.subarray(i * dim, (i + 1) * dim)));
  try {
    for (let t = 0; t < steps; t++) {
      if (stop()) return recorded;
      if (recordSteps.includes(t)) recorded.push(snapshot());
      const g = tf.tidy(() => gradient(tf.tensor2d(Float32Array.from(z), [n, dim])).dataSync());
      const rate = (learningRate * (1 + Math.cos((Math.PI * t) / steps))) / 2;
      const correction1 = 1 - Math.pow(ADAM_BETA1, t + 1);
      const correction2 = 1 - Math.pow(ADAM_BETA2, t + 1);
      for (let k = 0; k < n * dim; k++) {
        const gk = Number.isFinite(g[k]) ? g[k] : 0;
        m[k] = ADAM_BETA1 * m[k] + (1 - ADAM_BETA1) * gk;
        v[k] = ADAM_BETA2 * v[k] + (1 - ADAM_BETA2) * gk * gk;
        z[k] -= (rate * (m[k] / correction1)) / (Math.sqrt(v[k] / correction2) + ADAM_EPSILON);
      }
    }
    if (recordSteps.includes(steps)) recorded.push(snapshot());
  } finally {
    tf.dispose([cyclesWeight, energyWeight]);
  }
  return recorded;
}

/** What the gradient optimiser needs besides the box: the model, the target and how points become designs. */
export interface GradientOptimizerSetup<P extends string> {
  readonly model: LatentModel<P>;
  readonly layers: readonly WeightedLayer[];
  readonly toDesigns: (points: readonly (readonly number[])[]) => Design<P>[];
  readonly options?: GradientSearchOptions;
  /** Checked before every descent step: when it returns true the round is dropped (e.g. the search was cancelled). */
  readonly stop?: () => boolean;
}

/**
 * VAESA's predictor-guided search as an ask/tell `Optimizer` over the latent box: each ask runs a round
 * (`starts` points uniform in the box, descended by `descend`) and proposes the points recorded at
 * `recordSteps`, grouped by the design each decodes to and ranked by the predictor's value of that
 * snapped design (its start's loss), best first; a design's other points follow it, so the ledger counts
 * them as duplicates. A new round starts while the search goes on and the last round gave at least one
 * new design, up to `maxRounds`; then the answer is empty (the search is exhausted). `predicted(point)`
 * gives the predictor's totals of a proposed point's design, kept with its evaluation.
 */
export function gradientOptimizer<P extends string>(context: OptimizerContext, setup: GradientOptimizerSetup<P>): Optimizer {
  const options = setup.options ?? {};
  const steps = options.steps ?? 200;
  const learningRate = options.learningRate ?? 0.1;
  const recordSteps = options.recordSteps ?? [0, Math.floor(steps / 2), steps];
  const maxRounds = options.maxRounds ?? 1;
  const count = options.starts ?? 4;
  if (!Number.isInteger(count) || count < 1) throw new InputError(invalidInput('options.gradient.starts', count, 'must be a positive integer'));
  if (!Number.isInteger(steps) || steps < 0) throw new InputError(invalidInput('options.gradient.steps', steps, 'must be a non-negative integer'));
  if (recordSteps.length === 0 || recordSteps.some((s) => !Number.isInteger(s) || s < 0 || s > steps)) {
    throw new InputError(invalidInput('options.gradient.recordSteps', recordSteps, `must be integers in [0, ${steps}], at least one`));
  }
  const { model, layers, toDesigns } = setup;
  const stop = setup.stop ?? (() => false);
  const { box, rng } = context;
  const objectiveWeights = logObjectiveWeights(context.objective);
  const predictions = new WeakMap<readonly number[], PredictedMetrics>();
  let rounds = 0;
  let foundInRound = true;
  return {
    ask: () => {
      if (rounds >= maxRounds || !foundInRound) return [];
      rounds++;
      foundInRound = false;
      const starts = Array.from({ length: count }, () => Array.from({ length: model.latentDim }, (_, d) => rng.uniform(box.lower[d], box.upper[d])));
      const weights: LossWeights[] = starts.map(() => {
        if (!context.pareto) return objectiveWeights;
        const w = rng.next();
        return { cycles: 2 * w, energy: 2 * (1 - w) };
      });
      const recorded = descend(model, layers, starts, weights, steps, learningRate, recordSteps, stop);
      if (stop()) return [];
      const points: (readonly number[])[] = [];
      for (const c of rankCandidates(model, toDesigns, layers, recorded, weights)) {
        for (const point of c.points) {
          predictions.set(point, c.predicted);
          points.push(point);
        }
      }
      return points;
    },
    tell: (results) => {
      if (results.some((r) => r.outcome === 'new')) foundInRound = true;
    },
    predicted: (point) => predictions.get(point),
  };
}

interface Candidate {
  /** The recorded points that decode to the candidate's design, in recording order. */
  readonly points: readonly (readonly number[])[];
  readonly predicted: PredictedMetrics;
  readonly rank: number;
}

/**
 * The distinct decoded designs of a round, best predicted loss first (ties: earlier recorded step, then
 * start), each with every recorded point that decodes to it.
 */
function rankCandidates<P extends string>(
  model: LatentModel<P>,
  toDesigns: (points: readonly (readonly number[])[]) => Design<P>[],
  layers: readonly WeightedLayer[],
  recorded: readonly (readonly (readonly number[])[])[],
  weights: readonly LossWeights[],
): Candidate[] {
  const points = recorded.flat();
  const archs = toDesigns(points);
  const byId = new Map<string, { arch: Design<P>; starts: number[]; points: (readonly number[])[] }>();
  archs.forEach((arch, k) => {
    const start = k % weights.length;
    const key = designKey(model.space, arch);
    const entry = byId.get(key);
    if (entry === undefined) byId.set(key, { arch, starts: [start], points: [points[k]] });
    else {
      entry.starts.push(start);
      entry.points.push(points[k]);
    }
  });
  const distinct = [...byId.values()];
  const predicted = predictDesigns(model, distinct.map((d) => d.arch), layers);
  return distinct
    .map((d, i) => ({
      points: d.points,
      predicted: predicted[i],
      rank: Math.min(
        ...d.starts.map((s) => weights[s].cycles * Math.log(predicted[i].cycles) + weights[s].energy * Math.log(predicted[i].energy)),
      ),
    }))
    .sort((a, b) => a.rank - b.rank);
}
