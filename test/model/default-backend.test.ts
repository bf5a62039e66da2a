/**
 * The library's default backend: wasm where no backend is active yet (tfjs's own choice would be cpu,
 * many times slower for training), and a backend the user chose is kept. Jest gives each test file its
 * own global object, so tfjs starts here with no active backend.
 */
import * as E from 'fp-ts/Either';
import { tf } from '../../src/model/tf';
import { ensureDefaultBackend, useBackend } from '../../src/model';
import { trainVaesa } from '../../src/train';
import { simbaDefaultArch } from '../../src/hardware';
import { networks } from '../../src/workload';
import type { DatasetRow } from '../../src/dataset';

const layer = networks.resnet50.layers[3].layer;
const rows: DatasetRow[] = [1, 2, 4, 8].map((k) => ({
  arch: { ...simbaDefaultArch, globalBuffer: 8192 * k },
  layer,
  cycles: 1000 * k,
  energy: 5000 / k,
  area: 2 + k,
}));

describe('default backend', () => {
  it('trainVaesa starts wasm when no backend is active', async () => {
    expect(tf.engine().backendName ?? null).toBeNull();
    const trained = await trainVaesa(rows, { preset: 'fast', schedule: { epochs: 1 }, seed: 1 });
    expect(E.isRight(trained) ? 'trained' : trained.left).toBe('trained');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('keeps a backend the user chose', async () => {
    expect(await useBackend('cpu')).toBe(true);
    const trained = await trainVaesa(rows, { preset: 'fast', schedule: { epochs: 1 }, seed: 1 });
    expect(E.isRight(trained) ? 'trained' : trained.left).toBe('trained');
    expect(tf.getBackend()).toBe('cpu');
    expect(await ensureDefaultBackend()).toBe('cpu');
  });
});
