/** `vaesa train`: trains the VAE and predictor heads on VAESA CSV files, with a per-epoch progress bar and checkpoints. */
import type { Command } from 'commander';
import { createRng } from '../common/rng';
import { simbaSpace } from '../hardware';
import { splitDataset } from '../dataset/split';
import { readVaesaCsvFiles } from '../dataset/files';
import type { DatasetRow } from '../dataset/row';
import { VAE_PRESETS, isPredictorPresetName, isVaePresetName, predictorPreset, PREDICTOR_PRESET_NAMES } from '../model/presets';
import { addBackendOption, selectBackend } from './backend';
import { evaluateVaesa, trainVaesa, type TrainOptions, type TrainedVaesa } from '../train';
import { TRAINING_PRESETS, type TrainingPresetName, type VaesaModelConfig, type TrainingSchedule } from '../train/config';
import { loadVaesa, saveVaesa } from '../train/checkpoint';
import { CliError, orFail, parseChoice, parseInteger, parsePositiveInt, parsePositiveNumber } from './errors';
import { formatNumber, printResult } from './output';
import { createProgress } from './progress';

interface TrainFlags {
  data: string[];
  preset: TrainingPresetName;
  seed: number;
  out: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  nz?: number;
  vaeModel?: string;
  predictorModel?: string;
  obj?: 'edp' | 'latency' | 'energy';
  backend?: string;
  resume?: boolean;
  timeLimit?: number;
  skipBadRows?: boolean;
  json?: boolean;
}

/** The model overrides the flags ask for, checked against the preset names. */
function modelOverrides(o: TrainFlags): Partial<VaesaModelConfig> {
  const out: { -readonly [K in keyof VaesaModelConfig]?: VaesaModelConfig[K] } = {};
  if (o.nz !== undefined) out.latentDim = o.nz;
  if (o.obj !== undefined) out.objective = o.obj;
  if (o.vaeModel !== undefined) {
    if (!isVaePresetName(o.vaeModel)) throw new CliError(`--vae-model must be one of ${Object.keys(VAE_PRESETS).join(', ')}, got "${o.vaeModel}"`);
    out.vaeHidden = VAE_PRESETS[o.vaeModel];
  }
  if (o.predictorModel !== undefined) {
    if (!isPredictorPresetName(o.predictorModel)) {
      throw new CliError(`--predictor-model must be one of ${PREDICTOR_PRESET_NAMES.join(', ')}, got "${o.predictorModel}"`);
    }
    out.predictor = predictorPreset(o.predictorModel);
  }
  return out;
}

function scheduleOverrides(o: TrainFlags): Partial<TrainingSchedule> {
  return {
    ...(o.epochs === undefined ? {} : { epochs: o.epochs }),
    ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
    ...(o.lr === undefined ? {} : { learningRate: o.lr }),
  };
}

export function registerTrainCommand(program: Command): Command {
  const cmd = program
    .command('train')
    .description("train VAESA's VAE and latency/energy predictors on VAESA CSV files; saves a checkpoint folder")
    .requiredOption('--data <paths...>', 'training CSV files or folders (VAESA training or per-layer format, .csv or .csv.gz)')
    .option('--preset <name>', 'fast | paper', parseChoice('--preset', Object.keys(TRAINING_PRESETS) as TrainingPresetName[]), 'fast')
    .option('--seed <s>', 'seed of the split, initialisation and batches', parseInteger('--seed'), 0)
    .requiredOption('--out <dir>', 'checkpoint folder (model.json + weights, config, space, normalisation)')
    .option('--epochs <n>', 'epochs (overrides the preset)', parsePositiveInt('--epochs'))
    .option('--batch-size <n>', 'batch size', parsePositiveInt('--batch-size'))
    .option('--lr <x>', 'learning rate', parsePositiveNumber('--lr'))
    .option('--nz <n>', 'latent dimensions', parsePositiveInt('--nz'))
    .option('--vae-model <name>', `VAE shape: ${Object.keys(VAE_PRESETS).join(', ')}`)
    .option('--predictor-model <name>', `predictor shape: ${PREDICTOR_PRESET_NAMES.join(', ')}`)
    .option('--obj <objective>', 'edp | latency | energy', parseChoice('--obj', ['edp', 'latency', 'energy'] as const))
    .option('--resume', 'continue training the checkpoint in --out')
    .option('--time-limit <s>', 'stop after this many seconds of training (the best model so far is kept)', parsePositiveNumber('--time-limit'))
    .option('--skip-bad-rows', 'skip (and count) CSV rows that do not parse')
    .option('--json', 'print the result as JSON');
  return addBackendOption(cmd).action(async (o: TrainFlags) => {
      await selectBackend(o.backend);
      const read = orFail(await readVaesaCsvFiles(o.data, { skipBadRows: o.skipBadRows }));
      const resume = o.resume ? orFail(await loadVaesa(o.out)) : undefined;
      const split = splitDataset(read.rows, createRng(o.seed));
      const trained = await trainWithProgress(split.train, split.valid, {
        preset: o.preset,
        model: modelOverrides(o),
        schedule: scheduleOverrides(o),
        seed: o.seed,
        space: simbaSpace,
        resume,
        timeLimitSeconds: o.timeLimit,
        dropDesignsOutsideSpace: true,
      }, o.json === true);
      orFail(await saveVaesa(trained, o.out));
      const quality = evaluateVaesa(trained, split.test);
      const summary = {
        out: o.out,
        rows: { train: split.train.length, valid: split.valid.length, test: split.test.length, skipped: read.skipped },
        epochs: trained.training.epoch,
        test: quality,
      };
      printResult(o.json, summary, () => [
        `saved ${o.out} after ${trained.training.epoch} epochs (train ${split.train.length}, valid ${split.valid.length}, test ${split.test.length} rows)`,
        `test: EDP Spearman ${quality.prediction.edp.spearman.toFixed(3)}, cycles MAPE ${formatNumber(100 * quality.prediction.cycles.medianApe)}%, ` +
          `energy MAPE ${formatNumber(100 * quality.prediction.energy.medianApe)}%`,
        `reconstruction: ${(100 * quality.reconstruction.exactShare).toFixed(1)}% exact, ` +
          `${(100 * quality.reconstruction.within10PercentShare).toFixed(1)}% within 10% on every parameter`,
      ]);
    });
}

/** Trains with a progress bar (one tick per epoch) and Ctrl-C stopping after the current batch. */
export async function trainWithProgress(
  train: readonly DatasetRow[],
  validation: readonly DatasetRow[],
  options: Omit<TrainOptions, 'validation' | 'onEpoch' | 'signal'>,
  silent: boolean,
): Promise<TrainedVaesa> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let progress: ReturnType<typeof createProgress> | undefined;
  try {
    const result = await trainVaesa(train, {
      ...options,
      validation,
      signal: controller.signal,
      onEpoch: (m) => {
        progress ??= createProgress({ label: 'epochs', total: m.epochs, silent });
        progress.update(m.epoch, `loss ${m.trainLoss.toFixed(4)} val ${m.validation.loss.toFixed(4)} lr ${m.learningRate.toExponential(1)}`);
      },
    });
    progress?.stop();
    return orFail(result);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
