/**
 * Node edge: saving and loading trained models as a folder in the tfjs model format
 * (`model.json` with a weights manifest + `weights.bin`; the format is checkpoint-format.ts).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import type { VaesaError } from '../common/errors';
import type { DesignSpace } from '../hardware/space';
import { ensureDefaultBackend } from '../model/tf';
import { encodeVaesa, parseVaesaModelJson, vaesaFromParts, WEIGHTS_FILE } from './checkpoint-format';
import type { TrainedVaesa } from './trained';

const ioError = (file: string, e: unknown): VaesaError => ({
  _tag: 'IoError',
  path: file,
  message: e instanceof Error ? e.message : String(e),
});

/**
 * Saves a trained model (weights, config, design space, normalisation, history and optimiser state)
 * to folder `dir`, atomically: it is written beside `dir` and renamed into place, so a reader sees
 * the old checkpoint or the new one, never a partial one.
 */
export async function saveVaesa<P extends string>(trained: TrainedVaesa<P>, dir: string): Promise<E.Either<VaesaError, string>> {
  const { modelJson, weights } = encodeVaesa(trained);
  const target = path.resolve(dir);
  const temp = `${target}.tmp-${process.pid}-${Date.now()}`;
  const old = `${target}.old-${process.pid}-${Date.now()}`;
  try {
    await fs.mkdir(temp, { recursive: true });
    await fs.writeFile(path.join(temp, WEIGHTS_FILE), weights);
    await fs.writeFile(path.join(temp, 'model.json'), modelJson);
    const existed = await fs.stat(target).then(() => true, () => false);
    if (existed) await fs.rename(target, old);
    await fs.rename(temp, target);
    if (existed) await fs.rm(old, { recursive: true, force: true });
    return E.right(target);
  } catch (e) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    return E.left(ioError(target, e));
  }
}

/**
 * Loads a model saved by `saveVaesa` (by this version or by vaesa 0.1); errors name the file and the bad
 * field. Given `space`, the saved space must have the same parameter names in the same order (its bounds
 * and grids come from the file), and the model is typed with that space's parameters. Where no tfjs
 * backend is active yet, it starts the library's default (wasm, else cpu) before making the model's tensors.
 */
export async function loadVaesa(dir: string): Promise<E.Either<VaesaError, TrainedVaesa<string>>>;
export async function loadVaesa<P extends string>(dir: string, space: DesignSpace<P>): Promise<E.Either<VaesaError, TrainedVaesa<P>>>;
export async function loadVaesa(dir: string, expected?: DesignSpace): Promise<E.Either<VaesaError, TrainedVaesa<string>>> {
  const jsonPath = path.join(dir, 'model.json');
  let text: string;
  try {
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (e) {
    return E.left(ioError(jsonPath, e));
  }
  const parsed = parseVaesaModelJson(text, jsonPath);
  if (E.isLeft(parsed)) return parsed;
  const weightsPath = path.join(dir, parsed.right.weightsFile);
  let buffer: Buffer;
  try {
    buffer = await fs.readFile(weightsPath);
  } catch (e) {
    return E.left(ioError(weightsPath, e));
  }
  await ensureDefaultBackend();
  return vaesaFromParts(parsed.right, buffer, weightsPath, expected);
}
