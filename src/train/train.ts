import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import { createRng, shuffled, type Rng } from '../common/rng';
import { fitNormalisation, layerFeatureWidth, normaliseLayer, normaliseTarget, type NormalisationStats } from '../dataset/normalise';
import type { DatasetRow } from '../dataset/row';
import { designKey, encodeDesign, isValidDesign, simbaSpace, type Design, type DesignSpace, type SimbaParam } from '../hardware/space';
import { trainedHeads, vaesaLoss, vaesaLossAndGradients, type LossBatch, type VaesaNetworks } from '../model/loss';
import { createPredictor, predictorVariables } from '../model/predictor';
import { createVae, vaeVariables } from '../model/vae';
import { ensureDefaultBackend, tf } from '../model/tf';
import { prepareWasmKernels } from '../model/wasm-kernels';
import { layerFeatures } from '../workload/features';
import { isProblem, layerKey, type Layer } from '../workload/lower';
import { validateProblem } from '../workload/problem';
import { adamStep, createAdam } from './adam';
import { modelConfigProblem, TRAINING_PRESETS, type TrainingPresetName, type TrainingSchedule, type VaesaModelConfig } from './config';
import { assembleTrainedVaesa, latentBoxOf, type EpochMetrics, type TrainedVaesa, type TrainingState } from './trained';

/** Options of `trainVaesa`; everything has a default (the `fast` preset, seed 0, joint training). */
export interface TrainOptions<P extends string = SimbaParam> {
  /** Starting point for the model and the schedule (default `fast`). */
  readonly preset?: TrainingPresetName;
  /** Overrides of the preset's model (latent size, network shapes, objective, loss weights, normalisation). */
  readonly model?: Partial<VaesaModelConfig>;
  /** Overrides of the preset's schedule (epochs, batch size, learning rate, ...). */
  readonly schedule?: Partial<TrainingSchedule>;
  readonly seed?: number;
  /**
   * `joint` (default, as the paper describes) trains encoder, decoder and heads together; `heads-only`
   * freezes the VAE and trains the predictors on its latent means (what VAESA's released train.py does).
   */
  readonly mode?: 'joint' | 'heads-only';
  /** Design space the rows' designs belong to (default `simbaSpace`); the VAE's input width is its parameter count. */
  readonly space?: DesignSpace<P>;
  /** Validation rows; when absent, `schedule.validationFraction` of the rows are held out. */
  readonly validation?: readonly DatasetRow<P, Layer>[];
  /**
   * Continue training this model: its config, normalisation, seed, schedule, optimiser state and epoch
   * count are kept. Only `schedule.epochs` may change (to train further); a `model`, `seed`, `preset` or
   * other schedule field that differs from the checkpoint's is refused (`InvalidInput` naming it), never
   * ignored or applied half-way.
   */
  readonly resume?: TrainedVaesa<P>;
  /** Called after every epoch (awaited), e.g. to draw a progress bar or save a checkpoint. */
  readonly onEpoch?: (metrics: EpochMetrics, model: TrainedVaesa<P>) => void | Promise<void>;
  /** Stops training after the current batch; the model trained so far is returned. */
  readonly signal?: AbortSignal;
  /**
   * Stops training after this many seconds; the model trained so far is returned. With
   * `schedule.annealing`, the learning rate anneals by whichever is further along, the planned steps
   * or this time, so a run cut short still ends at the small final rate (such a run depends on the
   * machine's speed, not only on the seed).
   */
  readonly timeLimitSeconds?: number;
  /**
   * Leave out rows whose design is not a valid design of the space (VAESA's reference data has a
   * few GlobalBuffer sizes above Simba's bound) instead of returning an error.
   */
  readonly dropDesignsOutsideSpace?: boolean;
}

/** The design-parameter values, layer vector and targets of rows, as flat float arrays. */
interface PreparedRows {
  readonly count: number;
  /** Encoded design parameters per row. */
  readonly width: number;
  readonly design: Float32Array;
  /** Normalised layer features per row, `layerWidth` each. */
  readonly layerWidth: number;
  readonly layer: Float32Array;
  readonly cycles: Float32Array;
  readonly energy: Float32Array;
}

/**
 * Checks rows before training: at least one row, positive finite cycles and energy, designs valid
 * in the space, positive finite layer dimensions. Names the first bad row and field.
 */
export function validateTrainingRows<P extends string>(
  rows: readonly DatasetRow<P, Layer>[],
  space: DesignSpace<P>,
  root = 'rows',
): E.Either<VaesaError, readonly DatasetRow<P, Layer>[]> {
  if (rows.length === 0) return E.left(invalidInput(root, rows, 'the dataset is empty'));
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    for (const field of ['cycles', 'energy'] as const) {
      const v = r[field];
      if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
        return E.left(invalidInput(`${root}[${i}].${field}`, v, 'must be a positive finite number'));
      }
    }
    const validity = isValidDesign(space, r.arch);
    if (!validity.ok) return E.left(invalidInput(`${root}[${i}].arch`, r.arch, validity.reason));
    if (isProblem(r.layer)) {
      const problem = validateProblem(r.layer, `${root}[${i}].layer`);
      if (E.isLeft(problem)) return problem;
    } else if (layerFeatures(r.layer).some((x) => !(Number.isFinite(x) && x > 0))) {
      return E.left(invalidInput(`${root}[${i}].layer`, r.layer, 'needs positive dimensions (R S P Q C K N strides)'));
    }
  }
  return E.right(rows);
}

function prepareRows<P extends string>(rows: readonly DatasetRow<P, Layer>[], space: DesignSpace<P>, stats: NormalisationStats): PreparedRows {
  const n = rows.length;
  const p = space.params.length;
  const layerWidth = layerFeatureWidth(stats);
  const design = new Float32Array(n * p);
  const layer = new Float32Array(n * layerWidth);
  const cycles = new Float32Array(n);
  const energy = new Float32Array(n);
  const layerCache = new Map<string, number[]>();
  rows.forEach((r, i) => {
    design.set(encodeDesign(space, r.arch), i * p);
    const key = layerKey(r.layer);
    let features = layerCache.get(key);
    if (features === undefined) {
      features = normaliseLayer(stats, r.layer);
      layerCache.set(key, features);
    }
    layer.set(features, i * layerWidth);
    cycles[i] = normaliseTarget(stats, 'cycles', r.cycles, r.layer);
    energy[i] = normaliseTarget(stats, 'energy', r.energy, r.layer);
  });
  return { count: n, width: p, design, layerWidth, layer, cycles, energy };
}

/** Tensors of the rows at `indices`; `eps` is filled from `rng` (or zeros when absent). */
function makeBatch(data: PreparedRows, indices: ArrayLike<number>, latentDim: number, rng: Rng | undefined): LossBatch {
  const b = indices.length;
  const p = data.width;
  const w = data.layerWidth;
  const design = new Float32Array(b * p);
  const layer = new Float32Array(b * w);
  const cycles = new Float32Array(b);
  const energy = new Float32Array(b);
  const eps = new Float32Array(b * latentDim);
  for (let k = 0; k < b; k++) {
    const i = indices[k];
    design.set(data.design.subarray(i * p, (i + 1) * p), k * p);
    layer.set(data.layer.subarray(i * w, (i + 1) * w), k * w);
    cycles[k] = data.cycles[i];
    energy[k] = data.energy[i];
  }
  if (rng !== undefined) for (let k = 0; k < eps.length; k++) eps[k] = rng.normal();
  return {
    design: tf.tensor2d(design, [b, p]),
    layer: tf.tensor2d(layer, [b, w]),
    cycles: tf.tensor1d(cycles),
    energy: tf.tensor1d(energy),
    eps: tf.tensor2d(eps, [b, latentDim]),
  };
}

/**
 * Learning rate after `progress` (0 at the first step, 1 after the last planned one) of the planned
 * training: linear from `base` to `base * finalFactor`, or `base` without annealing.
 */
export function annealedLearningRate(base: number, progress: number, annealing: TrainingSchedule['annealing']): number {
  if (annealing === undefined || annealing === false) return base;
  const p = Math.min(1, Math.max(0, progress));
  return base * (1 - p * (1 - annealing.finalFactor));
}

/** The generator of one epoch's shuffle and noise: a function of seed and epoch, so resuming repeats it. */
function epochRng(seed: number, epoch: number): Rng {
  return createRng(seed * 1_000_003 + epoch);
}

/** Mean loss terms over rows (no noise: the latent mean is decoded), in chunks. */
function validationMetrics(nets: VaesaNetworks, data: PreparedRows, model: VaesaModelConfig): EpochMetrics['validation'] {
  const chunk = 4096;
  const sums = [0, 0, 0, 0, 0];
  for (let start = 0; start < data.count; start += chunk) {
    const end = Math.min(data.count, start + chunk);
    const indices = Array.from({ length: end - start }, (_, k) => start + k);
    const values = tf.tidy(() => {
      const t = vaesaLoss(nets, makeBatch(data, indices, model.latentDim, undefined), model.lossWeights, model.objective);
      return tf.stack([t.total, t.reconstruction, t.kl, t.cycles, t.energy]).dataSync();
    });
    values.forEach((v, k) => (sums[k] += v * (end - start)));
  }
  const [loss, reconstruction, kl, cycles, energy] = sums.map((s) => s / data.count);
  return { loss, reconstruction, kl, cycles, energy };
}

function splitValidation<P extends string>(rows: readonly DatasetRow<P, Layer>[], fraction: number, rng: Rng): { train: DatasetRow<P, Layer>[]; validation: DatasetRow<P, Layer>[] } {
  const order = shuffled(rng, rows);
  const count = rows.length < 2 ? 0 : Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * fraction)));
  return { validation: order.slice(0, count), train: order.slice(count) };
}

function distinctDesigns<P extends string>(space: DesignSpace<P>, rows: readonly DatasetRow<P, Layer>[]): Design<P>[] {
  const seen = new Map<string, Design<P>>();
  for (const r of rows) seen.set(designKey(space, r.arch), r.arch);
  return [...seen.values()];
}

// setTimeout rather than setImmediate: the main entry also runs in browsers.
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The first schedule field outside its range, as an `InvalidInput` naming it (before any training). */
function scheduleProblem(schedule: TrainingSchedule): VaesaError | undefined {
  const positiveInteger = (v: number): boolean => Number.isInteger(v) && v > 0;
  // 0 epochs is allowed: an untrained model (initial weights and normalisation).
  const count = (v: number): boolean => Number.isInteger(v) && v >= 0;
  const positive = (v: number): boolean => Number.isFinite(v) && v > 0;
  const checks: [string, number | undefined, (v: number) => boolean, string][] = [
    ['epochs', schedule.epochs, count, 'must be a non-negative integer'],
    ['batchSize', schedule.batchSize, positiveInteger, 'must be a positive integer'],
    ['learningRate', schedule.learningRate, positive, 'must be a positive finite number'],
    ['rowsPerEpoch', schedule.rowsPerEpoch, positiveInteger, 'must be a positive integer'],
    ['annealing.finalFactor', schedule.annealing ? schedule.annealing.finalFactor : undefined, (v) => positive(v) && v <= 1, 'must be in (0, 1]'],
  ];
  for (const [field, value, ok, rule] of checks) {
    if (value !== undefined && !ok(value)) return invalidInput(`options.schedule.${field}`, value, rule);
  }
  return undefined;
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What `options` asks for that the resumed checkpoint fixes otherwise (see `TrainOptions.resume`). */
function resumeConflict<P extends string>(resume: TrainedVaesa<P>, options: TrainOptions<P>): VaesaError | undefined {
  const why = 'differs from the checkpoint being resumed, which keeps its own (train afresh to change it)';
  for (const [key, value] of Object.entries(options.model ?? {})) {
    const saved = resume.config[key as keyof VaesaModelConfig];
    if (value !== undefined && !sameValue(value, saved)) return invalidInput(`options.model.${key}`, value, `${why}: ${JSON.stringify(saved)}`);
  }
  if (options.seed !== undefined && options.seed !== resume.training.seed) {
    return invalidInput('options.seed', options.seed, `${why}: ${resume.training.seed} (another seed would re-split the rows)`);
  }
  const saved = resume.training.schedule;
  if (saved === undefined) return undefined;
  const asked: Partial<TrainingSchedule> = { ...(options.preset === undefined ? {} : TRAINING_PRESETS[options.preset].schedule), ...options.schedule };
  for (const [key, value] of Object.entries(asked)) {
    if (key === 'epochs' || value === undefined) continue;
    const was = saved[key as keyof TrainingSchedule];
    if (!sameValue(value, was)) return invalidInput(`options.schedule.${key}`, value, `${why}: ${JSON.stringify(was)}`);
  }
  return undefined;
}

/**
 * Trains VAESA's VAE and predictor heads on dataset rows (or continues `options.resume`).
 * Returns an error, before any training, for an empty dataset, a bad row, an out-of-range option or
 * an option that contradicts the resumed checkpoint; and, during training, if the loss stops being a
 * finite number (a diverged run, e.g. a learning rate far too high). Otherwise it returns the trained
 * model (the best by validation loss when early stopping is on), also when aborted or out of time.
 * The rows' designs belong to `options.space` (default Simba's); the VAE's input width is its parameter count.
 * Where no tfjs backend is active yet, it starts the library's default: wasm, or cpu when wasm cannot
 * start (`useBackend` before the call chooses another; in a browser it also says where the wasm files are).
 *
 * @example
 * ```ts
 * import { formatError, generateDataset, networks, simbaSpace, trainVaesa } from 'vaesa';
 * const rows = [];
 * for await (const r of generateDataset({ space: simbaSpace, networks: [networks.resnet50], sampler: { kind: 'random', count: 64 }, seed: 0 })) rows.push(r);
 * const trained = await trainVaesa(rows, { preset: 'fast', seed: 0 });
 * if (trained._tag === 'Left') throw new Error(formatError(trained.left));
 * ```
 */
export async function trainVaesa<P extends string = SimbaParam>(
  rows: readonly DatasetRow<P, Layer>[],
  options: TrainOptions<P> = {},
): Promise<E.Either<VaesaError, TrainedVaesa<P>>> {
  const resume = options.resume;
  if (resume !== undefined) {
    const conflict = resumeConflict(resume, options);
    if (conflict !== undefined) return E.left(conflict);
  }
  // Without a space the rows are Simba's (the default of 0.1).
  const space = resume?.space ?? options.space ?? (simbaSpace as unknown as DesignSpace<P>);
  const inSpace = (r: DatasetRow<P, Layer>): boolean => !options.dropDesignsOutsideSpace || isValidDesign(space, r.arch).ok;
  const checked = validateTrainingRows(rows.filter(inSpace), space);
  if (E.isLeft(checked)) return checked;
  const validationRows = options.validation?.filter(inSpace);
  if (validationRows !== undefined) {
    const v = validateTrainingRows(validationRows, space, 'validation');
    if (E.isLeft(v)) return v;
  }
  const preset = TRAINING_PRESETS[options.preset ?? 'fast'];
  const model: VaesaModelConfig = resume?.config ?? { ...preset.model, ...options.model };
  // A resumed run keeps its schedule but may train for more epochs (other fields were checked equal above).
  const saved = resume?.training.schedule;
  const schedule: TrainingSchedule =
    saved === undefined ? { ...preset.schedule, ...options.schedule } : { ...saved, epochs: options.schedule?.epochs ?? saved.epochs };
  const badSchedule = scheduleProblem(schedule) ?? (resume === undefined ? modelConfigProblem(model) : undefined);
  if (badSchedule !== undefined) return E.left(badSchedule);
  const seed = resume?.training.seed ?? options.seed ?? 0;
  // Each epoch's generator is seeded with seed x 1,000,003 + epoch, which must stay a safe integer.
  if (!(Number.isInteger(seed) && Math.abs(seed) < 2 ** 31)) return E.left(invalidInput('options.seed', seed, 'must be an integer from -(2^31 - 1) to 2^31 - 1'));
  const rng = createRng(seed);
  const splitRng = rng.fork();
  const split =
    validationRows !== undefined
      ? { train: checked.right.slice(), validation: validationRows }
      : splitValidation(checked.right, schedule.validationFraction, splitRng);
  if (split.validation.length === 0) return E.left(invalidInput('rows', rows.length, 'need at least 2 rows (one for validation)'));

  await ensureDefaultBackend();
  // The wasm backend's own kernels, where the user selected it without `useBackend` (a no-op elsewhere).
  await prepareWasmKernels(tf.backend());
  const stats = resume?.stats ?? fitNormalisation(split.train, model.normalisation);
  const train = prepareRows(split.train, space, stats);
  const validation = prepareRows(split.validation, space, stats);

  const networks: VaesaNetworks = resume?.networks ?? {
    vae: createVae({ inputSize: space.params.length, latentDim: model.latentDim, hidden: model.vaeHidden }, rng.fork()),
    cyclesHead: createPredictor({ ...model.predictor, inputSize: model.latentDim + train.layerWidth }, rng.fork()),
    energyHead: createPredictor({ ...model.predictor, inputSize: model.latentDim + train.layerWidth }, rng.fork()),
  };
  const allVariables = [...vaeVariables(networks.vae), ...predictorVariables(networks.cyclesHead), ...predictorVariables(networks.energyHead)];
  const optimiser = resume?.optimiser ?? createAdam(allVariables);
  // The heads the objective trains, and the VAE unless frozen (the other head's Adam state stays untouched).
  const joint = (options.mode ?? 'joint') === 'joint';
  const trainedVariables = [...(joint ? vaeVariables(networks.vae) : []), ...trainedHeads(networks, model.objective).flatMap(predictorVariables)];
  const trainedSlots = trainedVariables.map((v) => allVariables.indexOf(v));

  const history: EpochMetrics[] = resume ? [...resume.history] : [];
  let state: TrainingState = resume?.training ?? {
    epoch: 0,
    learningRate: schedule.learningRate,
    bestLoss: Number.POSITIVE_INFINITY,
    bestEpoch: 0,
    plateauCount: 0,
    seed,
    stopReason: 'epochs',
  };
  state = { ...state, schedule };
  let best: tf.Tensor[] | undefined;
  const started = performance.now();
  const timeUsed = (): number => (options.timeLimitSeconds === undefined ? 0 : (performance.now() - started) / 1000 / options.timeLimitSeconds);
  const outOfTime = (): boolean => timeUsed() > 1;
  let stopReason: TrainingState['stopReason'] = 'epochs';
  let sinceBest = state.epoch - state.bestEpoch;

  const trainDesigns = distinctDesigns(space, split.train);
  const assemble = (): TrainedVaesa<P> => {
    const latentBox = latentBoxOf(networks, space, trainDesigns);
    return assembleTrainedVaesa({ config: model, space, stats, networks, history: history.slice(), training: { ...state, stopReason }, optimiser, ...(latentBox === undefined ? {} : { latentBox }) });
  };

  const rowsPerEpoch = Math.min(schedule.rowsPerEpoch ?? train.count, train.count);
  const batchesPerEpoch = Math.ceil(rowsPerEpoch / schedule.batchSize);
  let learningRate = state.learningRate;
  for (let epoch = state.epoch + 1; epoch <= schedule.epochs; epoch++) {
    const t0 = performance.now();
    const erng = epochRng(seed, epoch);
    const order = shuffled(erng, Array.from({ length: train.count }, (_, i) => i)).slice(0, rowsPerEpoch);
    let lossSum = tf.scalar(0);
    let batches = 0;
    for (let start = 0; start < order.length; start += schedule.batchSize) {
      const progress = Math.max(((epoch - 1) * batchesPerEpoch + batches) / (schedule.epochs * batchesPerEpoch), timeUsed());
      learningRate = annealedLearningRate(state.learningRate, progress, schedule.annealing);
      if (options.signal?.aborted) stopReason = 'aborted';
      else if (outOfTime()) stopReason = 'time-limit';
      if (stopReason !== 'epochs') break;
      const indices = order.slice(start, start + schedule.batchSize);
      const next = tf.tidy(() => {
        const batch = makeBatch(train, indices, model.latentDim, erng);
        const { terms, grads } = vaesaLossAndGradients(networks, batch, model.lossWeights, model.objective, joint);
        adamStep(optimiser, trainedVariables, trainedVariables.map((v) => grads[v.name]), learningRate, trainedSlots);
        return tf.add(lossSum, terms.total) as tf.Scalar;
      });
      lossSum.dispose();
      lossSum = next;
      batches++;
      if (batches % 64 === 0) await yieldToEventLoop();
    }
    const trainLoss = batches === 0 ? Number.NaN : lossSum.dataSync()[0] / batches;
    lossSum.dispose();
    if (stopReason !== 'epochs') break;

    const val = validationMetrics(networks, validation, model);
    if (!(Number.isFinite(trainLoss) && Number.isFinite(val.loss))) {
      if (best !== undefined) tf.dispose(best);
      if (resume === undefined) assemble().dispose();
      return E.left(
        invalidInput(
          'options.schedule.learningRate',
          learningRate,
          `training diverged: the ${Number.isFinite(trainLoss) ? 'validation' : 'training'} loss is ${Number.isFinite(trainLoss) ? val.loss : trainLoss} at epoch ${epoch}; no model is returned (try a smaller learning rate)`,
        ),
      );
    }
    const improved = val.loss < state.bestLoss * (1 - 1e-4);
    let { learningRate: baseLearningRate, plateauCount } = state;
    if (improved) {
      plateauCount = 0;
      sinceBest = 0;
      if (schedule.earlyStopping !== false) {
        if (best !== undefined) tf.dispose(best);
        best = allVariables.map((v) => tf.clone(v));
      }
    } else {
      sinceBest++;
      plateauCount++;
      if (schedule.plateau !== false && plateauCount > schedule.plateau.patience) {
        baseLearningRate = Math.max(schedule.plateau.minLearningRate, baseLearningRate * schedule.plateau.factor);
        plateauCount = 0;
      }
    }
    state = {
      ...state,
      epoch,
      learningRate: baseLearningRate,
      plateauCount,
      bestLoss: improved ? val.loss : state.bestLoss,
      bestEpoch: improved ? epoch : state.bestEpoch,
    };
    const metrics: EpochMetrics = {
      epoch,
      epochs: schedule.epochs,
      learningRate,
      trainLoss,
      validation: val,
      seconds: (performance.now() - t0) / 1000,
      rows: order.length,
    };
    history.push(metrics);
    if (schedule.earlyStopping !== false && sinceBest >= schedule.earlyStopping.patience) stopReason = 'early-stopping';
    if (options.onEpoch !== undefined) await options.onEpoch(metrics, assemble());
    await yieldToEventLoop();
    if (stopReason !== 'epochs') break;
  }
  if (best !== undefined) {
    if (state.bestEpoch < state.epoch) allVariables.forEach((v, i) => v.assign(best![i]));
    tf.dispose(best);
  }
  return E.right(assemble());
}
