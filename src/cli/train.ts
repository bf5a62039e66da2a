/** `vaesa train`: trains the VAE and predictor heads on VAESA CSV files, with a per-epoch progress bar and checkpoints. */
import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import { designName } from '../hardware/arch';
import { isSimbaSpace, isValidDesign } from '../hardware/space';
import { layerKey, type Layer } from '../workload/lower';
import { createRng } from '../common/rng';
import { splitDataset } from '../dataset/split';
import { readDatasetCsvFiles } from '../dataset/files';
import { FAMILY_HELP, FAMILY_NAMES, spaceAndFamily } from './space';
import type { DesignFamilyName } from '../costmodel/design-family';
import type { DatasetRow } from '../dataset/row';
import { VAE_PRESETS, isPredictorPresetName, isVaePresetName, predictorPreset, PREDICTOR_PRESET_NAMES } from '../model/presets';
import { addBackendOption, selectBackend } from './backend';
import { evaluateVaesa, trainVaesa, type TrainOptions, type TrainedVaesa } from '../train';
import { TRAINING_PRESETS, type TrainingPresetName, type VaesaModelConfig, type TrainingSchedule } from '../train/config';
import { loadVaesa, saveVaesa } from '../train/checkpoint';
import { CliError, CliInterrupted, orFail, parseChoice, parseInteger, parsePositiveInt, parsePositiveNumber } from './errors';
import { formatNumber, printResult } from './output';
import { createProgress } from './progress';

interface TrainFlags {
  data: string[];
  family?: DesignFamilyName;
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
  force?: boolean;
  timeLimit?: number;
  skipBadRows?: boolean;
  space?: string;
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
    .option('--resume', 'continue training the checkpoint in --out (with its own model, seed and schedule; --epochs may raise the total)')
    .option('--force', 'replace an existing --out folder (without it, train refuses to overwrite)')
    .option('--time-limit <s>', 'stop after this many seconds of training (the best model so far is kept)', parsePositiveNumber('--time-limit'))
    .option('--skip-bad-rows', 'skip (and count) CSV rows that do not parse')
    .option('--space <file.json>', "the rows' design space (default Simba's six parameters, VAESA's CSV files); another space's files have its parameter columns (docs/dataset.md)")
    .option('--family <name>', `the rows' design space is that of ${FAMILY_HELP}`, parseChoice('--family', FAMILY_NAMES))
    .option('--json', 'print the result as JSON');
  return addBackendOption(cmd).action(async (o: TrainFlags) => {
      const given = (flag: string): boolean => cmd.getOptionValueSource(flag) === 'cli';
      if (o.resume && o.force) throw new CliError('--resume and --force contradict each other: --force starts a new model over --out');
      orFail(await checkOutputFolder(o.out, o.resume === true || o.force === true));
      await selectBackend(o.backend);
      const spaceGiven = spaceAndFamily(o).space;
      // VAESA's files (Simba) may hold designs outside the space, left out below; another space's are checked as read.
      const read = orFail(await readDatasetCsvFiles(o.data, { skipBadRows: o.skipBadRows, ...(isSimbaSpace(spaceGiven) ? {} : { space: spaceGiven }) }));
      const resume = o.resume ? orFail(await loadVaesa(o.out, spaceGiven)) : undefined;
      const space = resume?.space ?? spaceGiven;
      const inSpace = read.rows.filter((r) => isValidDesign(space, r.arch).ok);
      const outsideSpace = read.rows.length - inSpace.length;
      const duplicates = countDuplicateRows(inSpace);
      const seed = resume?.training.seed ?? o.seed;
      const split = splitDataset(inSpace, createRng(seed));
      const trained = await trainWithProgress(
        split.train,
        split.valid,
        {
          ...(given('preset') ? { preset: o.preset } : {}),
          model: modelOverrides(o),
          schedule: scheduleOverrides(o),
          ...(given('seed') || resume === undefined ? { seed: o.seed } : {}),
          space,
          resume,
          timeLimitSeconds: o.timeLimit,
        },
        { silent: o.json === true, out: o.out },
      );
      orFail(await saveVaesa(trained, o.out));
      const quality = evaluateVaesa(trained, split.test);
      const stopped = trained.training.stopReason === 'aborted';
      const summary = {
        out: o.out,
        rows: { train: split.train.length, valid: split.valid.length, test: split.test.length, skipped: read.skipped, outsideSpace, duplicates },
        epochs: trained.training.epoch,
        stopReason: trained.training.stopReason,
        test: quality,
      };
      printResult(o.json, summary, () => [
        `saved ${o.out} after ${trained.training.epoch} epochs (train ${split.train.length}, valid ${split.valid.length}, test ${split.test.length} rows)`,
        ...(outsideSpace > 0 ? [`left out ${outsideSpace} rows whose design is outside the ${space.name} space`] : []),
        ...(duplicates > 0 ? [`warning: ${duplicates} rows repeat the design and layer of an earlier row (the same file read twice?)`] : []),
        `test: EDP Spearman ${quality.prediction.edp.spearman.toFixed(3)}, cycles MAPE ${formatNumber(100 * quality.prediction.cycles.medianApe)}%, ` +
          `energy MAPE ${formatNumber(100 * quality.prediction.energy.medianApe)}%`,
        `reconstruction: ${(100 * quality.reconstruction.exactShare).toFixed(1)}% exact, ` +
          `${(100 * quality.reconstruction.within10PercentShare).toFixed(1)}% within 10% on every parameter`,
      ]);
      if (stopped) throw new CliInterrupted(`stopped by Ctrl-C after epoch ${trained.training.epoch}; the model so far is in ${o.out} (continue with --resume)`);
    });
}

/** Rows whose design and layer repeat an earlier row's. */
export function countDuplicateRows(rows: readonly DatasetRow<string, Layer>[]): number {
  const seen = new Set<string>();
  let repeats = 0;
  for (const r of rows) {
    const key = `${designName(r.arch)} ${layerKey(r.layer)}`;
    if (seen.has(key)) repeats++;
    else seen.add(key);
  }
  return repeats;
}

/**
 * Checks before any work that the model folder can be written, and that an existing one is replaced
 * only when asked (`replaceable`: --resume or --force).
 */
async function checkOutputFolder(out: string, replaceable: boolean): Promise<E.Either<VaesaError, void>> {
  const target = path.resolve(out);
  const exists = await fs.stat(target).then(() => true, () => false);
  if (exists && !replaceable) {
    return E.left(invalidInput('--out', out, 'already exists: pass --resume to continue its model, --force to replace it, or choose another folder'));
  }
  const probe = `${target}.tmp-probe-${process.pid}`;
  try {
    await fs.mkdir(probe, { recursive: true });
    await fs.rm(probe, { recursive: true, force: true });
    return E.right(undefined);
  } catch (e) {
    return E.left({ _tag: 'IoError', path: out, message: `cannot write the model beside it: ${(e as Error).message}` });
  }
}

/** The flag of each option a resumed run may refuse, for messages in the user's terms. */
const FLAG_OF_OPTION: Record<string, string> = {
  'options.model.latentDim': '--nz',
  'options.model.vaeHidden': '--vae-model',
  'options.model.predictor': '--predictor-model',
  'options.model.objective': '--obj',
  'options.schedule.learningRate': '--lr',
  'options.schedule.batchSize': '--batch-size',
  'options.seed': '--seed',
};

function inFlagTerms(e: VaesaError): VaesaError {
  if (e._tag !== 'InvalidInput') return e;
  const flag = FLAG_OF_OPTION[e.path] ?? (e.path.startsWith('options.schedule.') ? '--preset' : undefined);
  return flag === undefined ? e : { ...e, path: `${flag} (${e.path})` };
}

/**
 * Trains with a progress bar (one tick per epoch) and Ctrl-C stopping after the current batch. With
 * `out`, the model is saved there (atomically) after every epoch, so a killed run loses at most one epoch.
 */
export async function trainWithProgress<P extends string>(
  train: readonly DatasetRow<P, Layer>[],
  validation: readonly DatasetRow<P, Layer>[],
  options: Omit<TrainOptions<P>, 'validation' | 'onEpoch' | 'signal'>,
  output: { readonly silent: boolean; readonly out?: string },
): Promise<TrainedVaesa<P>> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let progress: ReturnType<typeof createProgress> | undefined;
  try {
    const result = await trainVaesa(train, {
      ...options,
      validation,
      signal: controller.signal,
      onEpoch: async (m, model) => {
        progress ??= createProgress({ label: 'epochs', total: m.epochs, silent: output.silent });
        progress.update(m.epoch, `loss ${m.trainLoss.toFixed(4)} val ${m.validation.loss.toFixed(4)} lr ${m.learningRate.toExponential(1)}`);
        if (output.out !== undefined) orFail(await saveVaesa(model, output.out));
      },
    });
    progress?.stop();
    return orFail(E.mapLeft(inFlagTerms)(result));
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
