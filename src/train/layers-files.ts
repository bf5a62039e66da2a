/**
 * Node edge: writes a trained model's networks as TensorFlow.js Layers model folders
 * (`model.json` + `weights.bin`, tfjs's own format), one per network, loadable by
 * `tf.loadLayersModel` in any tfjs app (over http in a browser, `file://` with tfjs-node).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import type { VaesaError } from '../common/errors';
import { toLayersModels, type VaesaLayersModels } from '../model/layers-export';
import { tf } from '../model/tf';
import type { TrainedVaesa } from './trained';

const WEIGHTS_FILE = 'weights.bin';

async function layersModelFiles(model: VaesaLayersModels[keyof VaesaLayersModels]): Promise<{ json: string; weights: Uint8Array }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (artifacts?.weightData === undefined || artifacts.weightSpecs === undefined) throw new Error('layersModelFiles: tfjs returned no weights');
  const weights = new Uint8Array(tf.io.concatenateArrayBuffers([artifacts.weightData].flat()));
  const json = JSON.stringify({
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
  });
  return { json, weights };
}

/**
 * Writes `<dir>/encoder`, `<dir>/decoder`, `<dir>/cycles-head` and `<dir>/energy-head`, each a Layers
 * model folder. The folder appears whole or not at all (written beside `dir`, then renamed); an
 * existing `dir` is refused. Inputs and outputs are in the model's normalised coordinates (see
 * docs/model.md); the vaesa checkpoint (`saveVaesa`) holds the normalisation.
 */
export async function saveLayersModels(trained: TrainedVaesa, dir: string): Promise<E.Either<VaesaError, string>> {
  const target = path.resolve(dir);
  if (await fs.stat(target).then(() => true, () => false)) {
    return E.left({ _tag: 'IoError', path: target, message: 'already exists; choose a new folder' });
  }
  const models = toLayersModels(trained.networks);
  const folders: Record<keyof VaesaLayersModels, string> = { encoder: 'encoder', decoder: 'decoder', cyclesHead: 'cycles-head', energyHead: 'energy-head' };
  const temp = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    for (const key of Object.keys(folders) as (keyof VaesaLayersModels)[]) {
      const { json, weights } = await layersModelFiles(models[key]);
      const folder = path.join(temp, folders[key]);
      await fs.mkdir(folder, { recursive: true });
      await fs.writeFile(path.join(folder, WEIGHTS_FILE), weights);
      await fs.writeFile(path.join(folder, 'model.json'), json);
    }
    await fs.rename(temp, target);
    return E.right(target);
  } catch (e) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    return E.left({ _tag: 'IoError', path: target, message: e instanceof Error ? e.message : String(e) });
  } finally {
    for (const m of Object.values(models)) m.dispose();
  }
}
