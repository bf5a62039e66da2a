/**
 * The checkpoint format, without files: a trained model as `model.json` (config, design space,
 * normalisation, history, training state and a tfjs weights manifest) and `weights.bin` (little-endian
 * float32: the networks' weights, then Adam's moments). The Node edge (checkpoint.ts) writes and reads
 * them as a folder; a browser downloads or uploads the same two files.
 */
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { decodeWith, invalidInput, type VaesaError } from '../common/errors';
import { createRng } from '../common/rng';
import { featureSetOf, normalisationStatsProblem, NormalisationStatsCodec } from '../dataset/normalise';
import { defineSpace, type DesignSpace, type ParamEncoding, type ParamGrid } from '../hardware/space';
import { layerFeatureNames, layerFeatureSetOf } from '../workload/features';
import { VAESA_LAYER_FIELDS } from '../workload/parse';
import type { VaesaNetworks } from '../model/loss';
import { mlpVariables, type Mlp } from '../model/mlp';
import { createPredictor } from '../model/predictor';
import { createVae } from '../model/vae';
import { tf } from '../model/tf';
import { restoreAdam } from './adam';
import { modelConfigProblem, type VaesaModelConfig } from './config';
import { assembleTrainedVaesa, type TrainedVaesa } from './trained';

const FORMAT = 'vaesa-checkpoint';
/**
 * 3: the layer features of any problem shape (`features.layer` names `PROBLEM_FEATURE_NAMES` or VAESA's
 * nine) and targets per MAC; 2: spaces of any parameters (grid `values`, `encoding`), the layer-feature
 * layout and the latent box; 1 (vaesa 0.1). All three load.
 */
const VERSION = 3;
/** The weights file's name in the manifest. */
export const WEIGHTS_FILE = 'weights.bin';

const ActivationCodec = t.union([t.literal('tanh'), t.literal('relu')]);
const ObjectiveCodec = t.union([t.literal('edp'), t.literal('latency'), t.literal('energy')]);
const ModelConfigCodec = t.type({
  latentDim: t.number,
  vaeHidden: t.array(t.number),
  predictor: t.type({ hidden: t.array(t.number), activation: ActivationCodec }),
  objective: ObjectiveCodec,
  lossWeights: t.type({ reconstruction: t.number, beta: t.number, predictor: t.number }),
  normalisation: t.type({
    target: t.type({ log: t.boolean, standardise: t.boolean, perMac: t.union([t.boolean, t.undefined]) }),
    layer: t.type({
      log: t.boolean,
      scaling: t.union([t.literal('none'), t.literal('max'), t.literal('mean')]),
      features: t.union([t.literal('vaesa'), t.literal('problem'), t.undefined]),
    }),
  }),
});
const GridCodec = t.union([
  t.type({ kind: t.literal('pow2') }),
  t.type({ kind: t.literal('multiple'), step: t.number }),
  t.type({ kind: t.literal('values'), values: t.array(t.number) }),
]);
const EncodingCodec = t.union([t.type({ kind: t.literal('log'), unit: t.number, scale: t.number }), t.type({ kind: t.literal('linear') })]);
/** A parameter as version 2 saves it, or as version 1 did (VAESA's log encoding as top-level `unit` and `scale`). */
const ParamSpecCodec = t.union([
  t.type({ name: t.string, min: t.number, max: t.number, grid: GridCodec, encoding: EncodingCodec }),
  t.type({ name: t.string, min: t.number, max: t.number, grid: GridCodec, unit: t.number, scale: t.number }),
]);
/** The layer features the heads read, in order (VAESA's nine: R S P Q C K N Wstride Hstride, or `PROBLEM_FEATURE_NAMES`). */
const FeatureLayoutCodec = t.type({ layer: t.array(t.string) });
const EpochMetricsCodec = t.type({
  epoch: t.number,
  epochs: t.number,
  learningRate: t.number,
  trainLoss: t.number,
  validation: t.type({ loss: t.number, reconstruction: t.number, kl: t.number, cycles: t.number, energy: t.number }),
  seconds: t.number,
  rows: t.number,
});
const ScheduleCodec = t.intersection([
  t.type({
    epochs: t.number,
    batchSize: t.number,
    learningRate: t.number,
    plateau: t.union([t.literal(false), t.type({ factor: t.number, patience: t.number, minLearningRate: t.number })]),
    earlyStopping: t.union([t.literal(false), t.type({ patience: t.number })]),
    validationFraction: t.number,
  }),
  t.partial({ rowsPerEpoch: t.number, annealing: t.union([t.literal(false), t.type({ finalFactor: t.number })]) }),
]);
const TrainingStateCodec = t.intersection([t.type({
  epoch: t.number,
  learningRate: t.number,
  bestLoss: t.union([t.number, t.null]),
  bestEpoch: t.number,
  plateauCount: t.number,
  seed: t.number,
  stopReason: t.union([t.literal('epochs'), t.literal('early-stopping'), t.literal('aborted'), t.literal('time-limit')]),
  optimiserStep: t.number,
}), t.partial({ schedule: ScheduleCodec })]);
const WeightSpecCodec = t.type({ name: t.string, shape: t.array(t.number), dtype: t.literal('float32') });
const ModelJsonCodec = t.type({
  format: t.literal(FORMAT),
  version: t.union([t.literal(1), t.literal(2), t.literal(VERSION)]),
  vaesa: t.type({
    // Absent in version 1 (read as VAESA's nine layer features and no latent box).
    features: t.union([FeatureLayoutCodec, t.undefined]),
    latentBox: t.union([t.type({ lower: t.array(t.number), upper: t.array(t.number) }), t.undefined]),
    config: ModelConfigCodec,
    space: t.type({ name: t.string, params: t.array(ParamSpecCodec) }),
    normalisation: NormalisationStatsCodec,
    history: t.array(EpochMetricsCodec),
    training: TrainingStateCodec,
  }),
  weightsManifest: t.array(t.type({ paths: t.array(t.string), weights: t.array(WeightSpecCodec) })),
});

/** Named network weights in a fixed order (the order of the weights file). */
function namedNetworkWeights(networks: VaesaNetworks): { name: string; tensor: tf.Variable }[] {
  const named = (prefix: string, mlp: Mlp) =>
    mlpVariables(mlp).map((v, i) => ({ name: `${prefix}/${Math.floor(i / 2)}/${i % 2 === 0 ? 'kernel' : 'bias'}`, tensor: v }));
  return [
    ...named('vae/encoder', networks.vae.encoder),
    ...named('vae/decoder', networks.vae.decoder),
    ...named('cycles_head', networks.cyclesHead.mlp),
    ...named('energy_head', networks.energyHead.mlp),
  ];
}

/** A trained model as the checkpoint's two files: `model.json`'s text and `weights.bin`'s bytes. */
export interface EncodedVaesa {
  readonly modelJson: string;
  readonly weights: Uint8Array;
}

/** `model.json` checked against the format, with the weights file it names. */
export interface VaesaModelJson {
  readonly decoded: t.TypeOf<typeof ModelJsonCodec>;
  /** The weights file named by the manifest (`weights.bin` as saved). */
  readonly weightsFile: string;
}

/** A trained model (weights, config, design space, normalisation, history and optimiser state) as the checkpoint's two files. */
export function encodeVaesa<P extends string>(trained: TrainedVaesa<P>): EncodedVaesa {
  const network = namedNetworkWeights(trained.networks);
  const moments = [
    ...network.map((w, i) => ({ name: `optimiser/m/${w.name}`, tensor: trained.optimiser.m[i] })),
    ...network.map((w, i) => ({ name: `optimiser/v/${w.name}`, tensor: trained.optimiser.v[i] })),
  ];
  const all = [...network, ...moments];
  const data = all.map((w) => w.tensor.dataSync() as Float32Array);
  const bytes = new Uint8Array(data.reduce((s, d) => s + d.byteLength, 0));
  let offset = 0;
  for (const d of data) {
    bytes.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), offset);
    offset += d.byteLength;
  }
  const { training } = trained;
  const modelJson = {
    format: FORMAT,
    version: VERSION,
    vaesa: {
      config: trained.config,
      space: trained.space,
      features: { layer: [...layerFeatureNames(featureSetOf(trained.stats))] },
      ...(trained.latentBox === undefined ? {} : { latentBox: trained.latentBox }),
      normalisation: trained.stats,
      history: trained.history,
      training: {
        ...training,
        bestLoss: Number.isFinite(training.bestLoss) ? training.bestLoss : null,
        optimiserStep: trained.optimiser.step,
      },
    },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: all.map((w) => ({ name: w.name, shape: w.tensor.shape, dtype: 'float32' })) }],
  };
  return { modelJson: JSON.stringify(modelJson, null, 1), weights: bytes };
}

/** Parses and checks `model.json` (`source` names it in errors). */
export function parseVaesaModelJson(text: string, source = 'model.json'): E.Either<VaesaError, VaesaModelJson> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return E.left({ _tag: 'ParseError', source, message: (e as Error).message });
  }
  return E.map((decoded: t.TypeOf<typeof ModelJsonCodec>) => ({ decoded, weightsFile: decoded.weightsManifest[0]?.paths[0] ?? WEIGHTS_FILE }))(decodeWith(ModelJsonCodec, raw, 'model.json'));
}

/**
 * Builds the model from a checked `model.json` and the weights file's bytes (`weightsSource` names them
 * in errors). Given `expected`, the saved space must have its parameter names in its order.
 */
export function vaesaFromParts(modelJson: VaesaModelJson, weights: Uint8Array, weightsSource = modelJson.weightsFile, expected?: DesignSpace): E.Either<VaesaError, TrainedVaesa<string>> {
  const { vaesa, weightsManifest } = modelJson.decoded;
  const specs = weightsManifest.flatMap((g) => g.weights);
  const expectedBytes = specs.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (weights.byteLength !== expectedBytes) {
    return E.left({ _tag: 'ParseError', source: weightsSource, message: `expected ${expectedBytes} bytes, found ${weights.byteLength}` });
  }
  const layout = vaesa.features?.layer ?? VAESA_LAYER_FIELDS;
  const featureSet = layerFeatureSetOf(layout);
  if (featureSet === undefined) {
    return E.left(invalidInput('model.json.vaesa.features.layer', layout, `this version reads layer features ${VAESA_LAYER_FIELDS.join(' ')} or ${layerFeatureNames('problem').join(' ')}`));
  }
  if (featureSet !== featureSetOf(vaesa.normalisation)) {
    return E.left(invalidInput('model.json.vaesa.normalisation.features', featureSetOf(vaesa.normalisation), `the layout names the ${featureSet} features`));
  }
  const badStats = normalisationStatsProblem(vaesa.normalisation, 'model.json.vaesa.normalisation');
  if (badStats !== undefined) return E.left(badStats);
  const layerWidth = layout.length;
  const defined = defineSpace({
    name: vaesa.space.name,
    params: vaesa.space.params.map((p) => ({ name: p.name, min: p.min, max: p.max, grid: p.grid as ParamGrid, encoding: savedEncoding(p) })),
  });
  if (E.isLeft(defined)) return E.left({ ...defined.left, ...(defined.left._tag === 'InvalidInput' ? { path: `model.json.vaesa.${defined.left.path}` } : {}) });
  const space: DesignSpace = defined.right;
  const names = (s: DesignSpace): string => s.params.map((p) => p.name).join(', ');
  if (expected !== undefined && names(expected) !== names(space)) {
    return E.left(invalidInput('model.json.vaesa.space.params', names(space), `the model's parameters differ from the space ${expected.name} (${names(expected)})`));
  }
  const config: VaesaModelConfig = vaesa.config;
  const badConfig = modelConfigProblem(config, 'model.json.vaesa.config');
  if (badConfig !== undefined) return E.left(badConfig);
  const rng = createRng(0);
  const networks: VaesaNetworks = {
    vae: createVae({ inputSize: space.params.length, latentDim: config.latentDim, hidden: config.vaeHidden }, rng),
    cyclesHead: createPredictor({ ...config.predictor, inputSize: config.latentDim + layerWidth }, rng),
    energyHead: createPredictor({ ...config.predictor, inputSize: config.latentDim + layerWidth }, rng),
  };
  const network = namedNetworkWeights(networks);
  const floats = new Float32Array(weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength));
  const byName = new Map<string, tf.Tensor>();
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const bad = floats.subarray(offset, offset + size).findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) {
      tf.dispose([...byName.values()]);
      return E.left({ _tag: 'ParseError', source: weightsSource, message: `weight ${spec.name} has a non-finite value (${floats[offset + bad]}) at index ${bad}: a damaged or diverged model` });
    }
    byName.set(spec.name, tf.tensor(floats.subarray(offset, offset + size), spec.shape));
    offset += size;
  }
  const take = (name: string, like: tf.Tensor): tf.Tensor | undefined => {
    const w = byName.get(name);
    return w !== undefined && w.shape.join() === like.shape.join() ? w : undefined;
  };
  const missing = network.find((w) => take(w.name, w.tensor) === undefined || take(`optimiser/m/${w.name}`, w.tensor) === undefined || take(`optimiser/v/${w.name}`, w.tensor) === undefined);
  if (missing !== undefined) {
    tf.dispose([...byName.values()]);
    return E.left({ _tag: 'InvalidInput', path: 'model.json.weightsManifest', value: missing.name, message: `weight ${missing.name} is missing or has the wrong shape for the saved config` });
  }
  for (const w of network) w.tensor.assign(byName.get(w.name)!);
  const { optimiserStep, bestLoss, ...training } = vaesa.training;
  const optimiser = restoreAdam(
    network.map((w) => byName.get(`optimiser/m/${w.name}`)!),
    network.map((w) => byName.get(`optimiser/v/${w.name}`)!),
    optimiserStep,
  );
  // Variables hold their own reference to the data, so the loaded tensors can go.
  tf.dispose([...byName.values()]);
  return E.right(
    assembleTrainedVaesa({
      config,
      space,
      stats: vaesa.normalisation,
      networks,
      history: vaesa.history,
      training: { ...training, bestLoss: bestLoss ?? Number.POSITIVE_INFINITY },
      optimiser,
      ...(vaesa.latentBox === undefined ? {} : { latentBox: vaesa.latentBox }),
    }),
  );
}

function savedEncoding(p: t.TypeOf<typeof ParamSpecCodec>): ParamEncoding {
  return 'encoding' in p ? p.encoding : { kind: 'log', unit: p.unit, scale: p.scale };
}

/**
 * A model from the checkpoint's two files as text and bytes, e.g. chosen by a browser's file picker;
 * errors name the file and the bad field.
 */
export function decodeVaesa(modelJson: string, weights: Uint8Array): E.Either<VaesaError, TrainedVaesa<string>>;
export function decodeVaesa<P extends string>(modelJson: string, weights: Uint8Array, space: DesignSpace<P>): E.Either<VaesaError, TrainedVaesa<P>>;
export function decodeVaesa(modelJson: string, weights: Uint8Array, space?: DesignSpace): E.Either<VaesaError, TrainedVaesa<string>> {
  return E.chain((parsed: VaesaModelJson) => vaesaFromParts(parsed, weights, parsed.weightsFile, space))(parseVaesaModelJson(modelJson));
}
