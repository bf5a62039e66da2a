/** The checkpoint's two files in memory (what a browser downloads and uploads), and their agreement with the Node folder. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { simbaSpace } from '../../src/hardware';
import { tf } from '../../src/model/tf';
import { decodeVaesa, encodeVaesa } from '../../src/train/checkpoint-format';
import { loadVaesa, saveVaesa } from '../../src/train/checkpoint';
import { trainVaesa } from '../../src/train/train';
import { predictCosts, type TrainedVaesa } from '../../src/train/trained';
import { syntheticRows } from './fixtures';

const rows = syntheticRows(120, 21);
const probe = syntheticRows(20, 22);

function right<T>(e: E.Either<unknown, T>): T {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
}

let model: TrainedVaesa;
beforeAll(async () => {
  await tf.setBackend('cpu');
  model = right(
    await trainVaesa(rows, {
      seed: 3,
      model: { latentDim: 3, vaeHidden: [10], predictor: { hidden: [10], activation: 'tanh' } },
      schedule: { epochs: 2, batchSize: 32, validationFraction: 0.2 },
    }),
  );
});
afterAll(() => model.dispose());

describe('encodeVaesa / decodeVaesa', () => {
  it('round-trips a model exactly, and the bytes are the files saveVaesa writes', async () => {
    const encoded = encodeVaesa(model);
    const decoded = right(decodeVaesa(encoded.modelJson, encoded.weights, simbaSpace));
    expect(predictCosts(decoded, probe)).toEqual(predictCosts(model, probe));
    expect(decoded.encode(probe.map((r) => r.arch))).toEqual(model.encode(probe.map((r) => r.arch)));
    expect(decoded.history).toEqual(model.history);
    const again = encodeVaesa(decoded);
    expect(JSON.parse(again.modelJson)).toEqual(JSON.parse(encoded.modelJson));
    expect(Buffer.from(again.weights).equals(Buffer.from(encoded.weights))).toBe(true);

    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vaesa-ckpt-format-'));
    try {
      right(await saveVaesa(model, dir));
      expect(await fs.readFile(path.join(dir, 'model.json'), 'utf8')).toBe(encoded.modelJson);
      expect((await fs.readFile(path.join(dir, 'weights.bin'))).equals(Buffer.from(encoded.weights))).toBe(true);
      const loaded = right(await loadVaesa(dir, simbaSpace));
      expect(predictCosts(loaded, probe)).toEqual(predictCosts(decoded, probe));
      loaded.dispose();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    decoded.dispose();
  });

  it('names the problem: JSON that does not parse, weights of the wrong length', () => {
    const { modelJson, weights } = encodeVaesa(model);
    const badJson = decodeVaesa(modelJson.slice(0, 40), weights);
    expect(E.isLeft(badJson) && badJson.left._tag).toBe('ParseError');
    const short = decodeVaesa(modelJson, weights.subarray(0, weights.length - 4));
    expect(E.isLeft(short) && short.left).toMatchObject({ _tag: 'ParseError', source: 'weights.bin', message: `expected ${weights.length} bytes, found ${weights.length - 4}` });
  });
});
