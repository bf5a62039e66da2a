import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../../src/model/tf';
import { applyMlp } from '../../src/model/mlp';
import { saveLayersModels } from '../../src/train/layers-files';
import { trainVaesa } from '../../src/train/train';
import { syntheticRows } from './fixtures';

function right<T>(e: E.Either<unknown, T>): T {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
}

/**
 * Reads a Layers model folder as tfjs's own loaders do (model.json's topology, its weights manifest's
 * files in order). tfjs-core has no file:// loader without tfjs-node, and jest's sandbox cannot use
 * Node's fetch for tfjs's http loader (its JSON objects come from another realm).
 */
function folderHandler(folder: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await fs.readFile(path.join(folder, 'model.json'), 'utf8')) as { format: string; modelTopology: object; weightsManifest: tf.io.WeightsManifestConfig };
      expect(json.format).toBe('layers-model');
      const buffers = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map((p) => fs.readFile(path.join(folder, p)))));
      const bytes = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      };
    },
  };
}

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vaesa-layers-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('saveLayersModels', () => {
  it('writes four Layers models that tf.loadLayersModel loads and that compute what the trained networks compute', async () => {
    const trained = right(
      await trainVaesa(syntheticRows(120, 3), {
        seed: 2,
        model: { latentDim: 3, vaeHidden: [16, 8], predictor: { hidden: [12, 6], activation: 'relu' } },
        schedule: { epochs: 1, batchSize: 32, learningRate: 3e-3, rowsPerEpoch: undefined, annealing: { finalFactor: 1 }, earlyStopping: false, plateau: { factor: 0.5, patience: 1, minLearningRate: 0 }, validationFraction: 0.2 },
      }),
    );
    const out = path.join(dir, 'export');
    expect(right(await saveLayersModels(trained, out))).toBe(out);
    expect((await fs.readdir(out)).sort()).toEqual(['cycles-head', 'decoder', 'encoder', 'energy-head']);
    // A second export into the same folder is refused, the first is kept.
    const again = await saveLayersModels(trained, out);
    expect(E.isLeft(again) && again.left._tag).toBe('IoError');

    const nets = trained.networks;
    const cases = [
      { folder: 'encoder', mlp: nets.vae.encoder },
      { folder: 'decoder', mlp: nets.vae.decoder },
      { folder: 'cycles-head', mlp: nets.cyclesHead.mlp },
      { folder: 'energy-head', mlp: nets.energyHead.mlp },
    ];
    for (const { folder, mlp } of cases) {
      const loaded = await tfl.loadLayersModel(folderHandler(path.join(out, folder)));
      const x = tf.randomUniform([7, mlp.inputSize], -1, 1, 'float32', 9) as tf.Tensor2D;
      const ours = applyMlp(mlp, x).arraySync();
      const theirs = (loaded.predict(x) as tf.Tensor2D).arraySync();
      expect(theirs.length).toBe(7);
      theirs.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(ours[i][j], 5)));
      loaded.dispose();
    }
    trained.dispose();
  });
});
