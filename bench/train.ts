/**
 * Training benchmark. `npx tsx bench/train.ts speed [--backend wasm|cpu] [--preset fast|paper]` measures
 * plain matMul, one dense layer's forward+backward (our gradient vs tfjs's built-in one), each product of a
 * training step (`wasmProduct` against tfjs's matMul with the same and with fresh weights) and a whole
 * training step (with, for `fast`, milliseconds per kernel name in one step); `npx tsx bench/train.ts quality [--backend wasm] [--seed 1] [--held-out 5] [--seconds S]
 * [--schedule JSON] [--model JSON]` trains the `fast` preset (with overrides) on the 45 reference layers
 * and reports the accuracy targets of docs/model.md; `npx tsx bench/train.ts vae [--hidden '[256]'] [--steps 6000]
 * [--batch 64] [--lr 3e-3] [--constant]` trains the VAE alone on the reference designs and reports its reconstruction;
 * `npx tsx bench/train.ts adam [--backend wasm|cpu]` times one Adam update per variable size, fused kernel against tfjs ops.
 */
import { orThrow } from './either';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { createRng } from '../src/common/rng';
import { formatError } from '../src/common/errors';
import { listVaesaCsvFiles, readVaesaCsvFiles } from '../src/dataset/files';
import { layerFromFileName } from '../src/dataset/csv';
import { sampleDesigns } from '../src/dataset/sample';
import { createMappingCache } from '../src/mapper/find-mapping';
import type { SearchEffortName } from '../src/mapper/search/search';
import { evaluateLayer } from '../src/mapper/evaluate-layer';
import { batchedMatmul, depthwiseConv, groupedConv, matmul } from '../src/workload/problem';
import { layerKey, layerLabel, type Layer } from '../src/workload/lower';
import { randomLayers } from '../src/workload/random-layers';
import type { ArchConfig } from '../src/hardware/arch';
import type { DatasetRow } from '../src/dataset/row';
import { pickLayers, splitByLayer, splitDataset, type Split } from '../src/dataset/split';
import { archId } from '../src/hardware/arch';
import { decodeArch, encodeArch, isValidArch, simbaSpace } from '../src/hardware/space';
import { VAESA_LOSS_WEIGHTS, vaesaLossAndGradients } from '../src/model/loss';
import { dense, denseReference } from '../src/model/dense';
import { transposeMatrix, wasmProduct } from '../src/model/kernels';
import { createVae, decodeVae, disposeVae, encodeVae, reparameterise, vaeVariables } from '../src/model/vae';
import { createPredictor, disposePredictor, predictorVariables } from '../src/model/predictor';
import { adamStep, adamStepWithOps, createAdam, disposeAdam } from '../src/train/adam';
import { mlpMacsPerSample } from '../src/model/mlp';
import { tf, useBackend } from '../src/model/tf';
import { TRAINING_PRESETS, type TrainingPresetName, type TrainingSchedule, type VaesaModelConfig } from '../src/train/config';
import { evaluateVaesa, spearman } from '../src/train/evaluate';
import { annealedLearningRate, trainVaesa } from '../src/train/train';
import { predictCosts, type TrainedVaesa } from '../src/train/trained';
import { convLayer, layerName, type ConvLayer } from '../src/workload/layer';
import { syntheticRows } from '../test/train/fixtures';

const REFERENCE_LAYERS = path.resolve(__dirname, '../../shared/reference/timeloop-cosa/layers');

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Fastest seconds of `fn` over `reps` runs after one warm-up run (the fastest is the least disturbed on a shared machine). */
function timeIt(fn: () => void, reps: number): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/** GFLOP/s of a plain product [m x k] x [k x n] and of the same product with each transpose flag. */
function matMulRates(m: number, k: number, n: number): { plain: number; transposeA: number; transposeB: number } {
  const flops = 2 * m * k * n;
  const a = tf.randomNormal([m, k]) as tf.Tensor2D;
  const b = tf.randomNormal([k, n]) as tf.Tensor2D;
  const aT = tf.transpose(a) as tf.Tensor2D;
  const bT = tf.transpose(b) as tf.Tensor2D;
  const rate = (f: () => tf.Tensor) => flops / timeIt(() => tf.tidy(() => void f().dataSync()), 5) / 1e9;
  const out = { plain: rate(() => tf.matMul(a, b)), transposeA: rate(() => tf.matMul(aT, b, true, false)), transposeB: rate(() => tf.matMul(a, bT, false, true)) };
  tf.dispose([a, b, aT, bT]);
  return out;
}

/**
 * GFLOP/s of a plain product [m x k] x [k x n], fastest of 50: with the same right-hand matrix each
 * time (the wasm backend's XNNPACK packs it once and reuses the packing: the best case), and with
 * a fresh one each time, computed just before (as every product of a training step meets it: the
 * weights change every step, and the backward pass multiplies by new gradients).
 */
function plainMatMulRates(m: number, k: number, n: number): { sameWeights: number; freshWeights: number } {
  const flops = 2 * m * k * n;
  const a = tf.randomNormal([m, k]) as tf.Tensor2D;
  const b = tf.randomNormal([k, n]) as tf.Tensor2D;
  const sameWeights = flops / timeIt(() => tf.tidy(() => void tf.matMul(a, b).dataSync()), 50) / 1e9;
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 51; i++) {
    const fresh = tf.mul(b, 1 + i * 1e-6);
    const t0 = performance.now();
    tf.tidy(() => void tf.matMul(a, fresh).dataSync());
    if (i > 0) fastest = Math.min(fastest, (performance.now() - t0) / 1000);
    fresh.dispose();
  }
  tf.dispose([a, b]);
  return { sameWeights, freshWeights: flops / fastest / 1e9 };
}

/** GFLOP/s of one dense layer's forward + backward (6 m k n FLOPs) with our gradient and tfjs's own. */
function denseRates(m: number, k: number, n: number): { ours: number; builtin: number } {
  const x = tf.randomNormal([m, k]) as tf.Tensor2D;
  const w = tf.randomNormal([k, n]) as tf.Tensor2D;
  const bias = tf.zeros([n]) as tf.Tensor1D;
  const rate = (op: typeof dense) => {
    const step = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(op(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, 'relu')));
    return (6 * m * k * n) / timeIt(() => tf.tidy(() => step([x, w, bias]).forEach((g) => g.dataSync())), 5) / 1e9;
  };
  const out = { ours: rate(dense), builtin: rate(denseReference) };
  tf.dispose([x, w, bias]);
  return out;
}

/** Samples/s and GFLOP/s of whole training steps of a preset (synthetic rows, validation excluded). */
async function trainingRate(preset: TrainingPresetName, rowsPerEpoch: number): Promise<{ samplesPerSecond: number; gflops: number; parameters: number }> {
  const schedule = TRAINING_PRESETS[preset].schedule;
  const rows = syntheticRows(rowsPerEpoch + 64, 1);
  const seconds: number[] = [];
  let model: TrainedVaesa | undefined;
  const result = await trainVaesa(rows.slice(0, rowsPerEpoch), {
    preset,
    validation: rows.slice(rowsPerEpoch),
    schedule: { epochs: 3, rowsPerEpoch, earlyStopping: false, batchSize: schedule.batchSize },
    onEpoch: (m) => void seconds.push(m.seconds),
  });
  if (E.isLeft(result)) throw new Error(formatError(result.left));
  model = result.right;
  const nets = model.networks;
  const macs = mlpMacsPerSample(nets.vae.encoder) + mlpMacsPerSample(nets.vae.decoder) + mlpMacsPerSample(nets.cyclesHead.mlp) + mlpMacsPerSample(nets.energyHead.mlp);
  const parameters = [nets.vae.encoder, nets.vae.decoder, nets.cyclesHead.mlp, nets.energyHead.mlp].reduce((s, m) => s + m.weights.reduce((a, w) => a + w.kernel.size + w.bias.size, 0), 0);
  model.dispose();
  const perEpoch = Math.min(...seconds.slice(1));
  const samplesPerSecond = rowsPerEpoch / perEpoch;
  // forward 2 MACs per multiply-add, backward twice that
  return { samplesPerSecond, gflops: (samplesPerSecond * 6 * macs) / 1e9, parameters };
}

/**
 * Wall time of one joint training step of a preset's networks on random data (fastest of 50 after
 * warm-up), with and without the Adam update, and its kernel count (`tf.profile`): shows the fixed
 * per-step cost against the part that grows with the batch.
 */
async function stepCost(
  preset: TrainingPresetName,
  batchSize: number,
): Promise<{ withAdam: number; withoutAdam: number; kernels: number; adamKernels: number; msPerKernelName: [string, number][] }> {
  const config = TRAINING_PRESETS[preset].model;
  const rng = createRng(1);
  const p = simbaSpace.params.length;
  const features = 9;
  const nets = {
    vae: createVae({ inputSize: p, latentDim: config.latentDim, hidden: config.vaeHidden }, rng.fork()),
    cyclesHead: createPredictor({ ...config.predictor, inputSize: config.latentDim + features }, rng.fork()),
    energyHead: createPredictor({ ...config.predictor, inputSize: config.latentDim + features }, rng.fork()),
  };
  const variables = [...vaeVariables(nets.vae), ...predictorVariables(nets.cyclesHead), ...predictorVariables(nets.energyHead)];
  const adam = createAdam(variables);
  const step = (update: boolean) =>
    tf.tidy(() => {
      const batch = {
        design: tf.randomUniform([batchSize, p]) as tf.Tensor2D,
        layer: tf.randomNormal([batchSize, features]) as tf.Tensor2D,
        cycles: tf.randomNormal([batchSize]) as tf.Tensor1D,
        energy: tf.randomNormal([batchSize]) as tf.Tensor1D,
        eps: tf.randomNormal([batchSize, config.latentDim]) as tf.Tensor2D,
      };
      const { terms, grads } = vaesaLossAndGradients(nets, batch, config.lossWeights, config.objective);
      if (update) adamStep(adam, variables, variables.map((v) => grads[v.name]), 1e-4);
      terms.total.dataSync();
    });
  const best = (update: boolean) => timeIt(() => step(update), 50) * 1000;
  const out = { withAdam: best(true), withoutAdam: best(false) };
  const kernels = (await tf.profile(() => step(true))).kernels.length;
  const withoutKernels = (await tf.profile(() => step(false))).kernels.length;
  // milliseconds per kernel name in one step (tf.profile's kernel times summed per name), median of 30 steps
  const perName = new Map<string, number[]>();
  for (let i = 0; i < 30; i++) {
    const sums = new Map<string, number>();
    for (const k of (await tf.profile(() => step(true))).kernels) sums.set(k.name, (sums.get(k.name) ?? 0) + Number(k.kernelTimeMs));
    sums.forEach((ms, name) => perName.set(name, [...(perName.get(name) ?? []), ms]));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const msPerKernelName = [...perName].map(([name, ms]): [string, number] => [name, median(ms)]).sort((a, b) => b[1] - a[1]);
  disposeVae(nets.vae);
  disposePredictor(nets.cyclesHead);
  disposePredictor(nets.energyHead);
  disposeAdam(adam);
  return { ...out, kernels, adamKernels: kernels - withoutKernels, msPerKernelName };
}

/** A product of a training step: C [m x n] = op(A) op(B) over k, `kind` telling which operand is read transposed. */
interface StepProduct {
  readonly kind: 'A·B' | 'Aᵀ·B' | 'A·Bᵀ';
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** How many times a step computes it. */
  readonly count: number;
}

/** The distinct products of one training step of a preset (both heads): per layer the forward, dkernel = xᵀ·dz and dx = dz·kernelᵀ. */
function stepProducts(preset: TrainingPresetName, batch: number): StepProduct[] {
  const config = TRAINING_PRESETS[preset].model;
  const rng = createRng(1);
  const vae = createVae({ inputSize: simbaSpace.params.length, latentDim: config.latentDim, hidden: config.vaeHidden }, rng.fork());
  const head = createPredictor({ ...config.predictor, inputSize: config.latentDim + 9 }, rng.fork());
  const byShape = new Map<string, StepProduct>();
  const add = (kind: StepProduct['kind'], m: number, k: number, n: number, count: number) => {
    const key = `${kind} ${m} ${k} ${n}`;
    byShape.set(key, { kind, m, k, n, count: (byShape.get(key)?.count ?? 0) + count });
  };
  for (const [mlp, count, firstInputGradient] of [[vae.encoder, 1, false], [vae.decoder, 1, true], [head.mlp, 2, true]] as const) {
    let inputs = mlp.inputSize;
    mlp.layers.forEach((layer, i) => {
      add('A·B', batch, inputs, layer.units, count);
      add('Aᵀ·B', inputs, batch, layer.units, count);
      if (i > 0 || firstInputGradient) add('A·Bᵀ', batch, layer.units, inputs, count);
      inputs = layer.units;
    });
  }
  disposeVae(vae);
  disposePredictor(head);
  return [...byShape.values()];
}

/**
 * Microseconds of each product of a step (fastest of 30 single calls after a warm-up): `wasmProduct`
 * (our kernel, reading a transposed operand in place) against tfjs's plain matMul of the same [m x k]x[k x n]
 * with the same right-hand matrix every call and with a fresh one (computed just before each call).
 */
function productTimes(p: StepProduct): { ours: number | undefined; same: number; fresh: number } {
  const a = tf.randomNormal(p.kind === 'Aᵀ·B' ? [p.k, p.m] : [p.m, p.k]) as tf.Tensor2D;
  const b = tf.randomNormal(p.kind === 'A·Bᵀ' ? [p.n, p.k] : [p.k, p.n]) as tf.Tensor2D;
  const plainA = tf.randomNormal([p.m, p.k]) as tf.Tensor2D;
  const plainB = tf.randomNormal([p.k, p.n]) as tf.Tensor2D;
  const fastest = (prepare: (i: number) => tf.Tensor2D | undefined, run: (x: tf.Tensor2D | undefined) => tf.Tensor | undefined): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 31; i++) {
      const input = prepare(i);
      const t0 = performance.now();
      const out = run(input); // synchronous on cpu and wasm: the result is computed when the kernel returns
      if (i > 0) best = Math.min(best, (performance.now() - t0) * 1000);
      tf.dispose([out, input].filter((t): t is tf.Tensor => t !== undefined));
    }
    return best;
  };
  const options = { transposeA: p.kind === 'Aᵀ·B', transposeB: p.kind === 'A·Bᵀ' };
  const probe = wasmProduct(a, b, options);
  const ours = probe === undefined ? undefined : fastest(() => undefined, () => wasmProduct(a, b, options));
  probe?.dispose();
  const same = fastest(() => undefined, () => tf.matMul(plainA, plainB));
  const fresh = fastest((i) => tf.mul(plainB, 1 + i * 1e-6) as tf.Tensor2D, (fresh) => tf.matMul(plainA, fresh as tf.Tensor2D));
  tf.dispose([a, b, plainA, plainB]);
  return { ours, same, fresh };
}

/**
 * GFLOP/s of a native float32 sgemm [m x k] x [k x n] (numpy's BLAS, fastest of 20 after a warm-up), or
 * undefined when python3 with numpy is not installed: the yardstick for what the same cores can do.
 */
function nativeSgemmRate(m: number, k: number, n: number): number | undefined {
  const script = [
    'import numpy as np, time',
    `a = np.random.rand(${m}, ${k}).astype(np.float32); b = np.random.rand(${k}, ${n}).astype(np.float32)`,
    'a @ b',
    'best = min((lambda t0: (a @ b, time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(20))',
    `print(${2 * m * k * n} / best / 1e9)`,
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  const rate = Number(run.stdout.trim());
  return run.status === 0 && Number.isFinite(rate) ? rate : undefined;
}

async function speed(args: readonly string[]): Promise<void> {
  const backend = flag(args, 'backend') ?? 'wasm';
  const presets = (flag(args, 'preset') ?? 'fast,paper').split(',') as TrainingPresetName[];
  if (!(await useBackend(backend))) throw new Error(`backend ${backend} did not start`);
  console.log(`backend ${backend}`);
  for (const [m, k, n] of [[64, 1024, 2048], [256, 128, 256]] as const) {
    const mm = matMulRates(m, k, n);
    const d = denseRates(m, k, n);
    const native = nativeSgemmRate(m, k, n);
    console.log(
      `  [${m}x${k}]x[${k}x${n}] matMul GFLOP/s: plain ${mm.plain.toFixed(1)}, transposeA ${mm.transposeA.toFixed(1)}, transposeB ${mm.transposeB.toFixed(1)}; ` +
        `dense fwd+bwd: ours ${d.ours.toFixed(1)}, tfjs gradient ${d.builtin.toFixed(1)}; ` +
        `native sgemm (numpy) ${native === undefined ? 'not available' : native.toFixed(1)}`,
    );
  }
  const transposes = ([[128, 15], [128, 128], [128, 256], [256, 256]] as const).map(([r, c]) => {
    const x = tf.randomNormal([r, c]) as tf.Tensor2D;
    // 100 calls per timing: a single small transpose is too short to time on a loaded machine
    const us = (f: () => tf.Tensor) =>
      1e4 *
      timeIt(
        () =>
          tf.tidy(() => {
            for (let i = 0; i < 100; i++) f();
          }),
        15,
      );
    const out = `[${r}x${c}] tf.transpose ${us(() => tf.transpose(x)).toFixed(0)} µs, transposeMatrix ${us(() => transposeMatrix(x)).toFixed(0)} µs`;
    x.dispose();
    return out;
  });
  console.log(`  transposes: ${transposes.join('; ')}`);
  for (const preset of presets) {
    const width = preset === 'paper' ? 1024 : 256;
    const batch = TRAINING_PRESETS[preset].schedule.batchSize;
    const refBefore = plainMatMulRates(batch, width, width);
    const r = await trainingRate(preset, preset === 'paper' ? 640 : 10240);
    const refAfter = plainMatMulRates(batch, width, width);
    const ref = Math.max(refBefore.sameWeights, refAfter.sameWeights);
    const refFresh = Math.max(refBefore.freshWeights, refAfter.freshWeights);
    const native = nativeSgemmRate(batch, width, width);
    console.log(
      `  preset ${preset}: ${r.parameters} parameters, ${r.samplesPerSecond.toFixed(0)} samples/s, ${r.gflops.toFixed(1)} GFLOP/s ` +
        `(${((100 * r.gflops) / ref).toFixed(0)}% of a plain [batch x ${width}]x[${width} x ${width}] matMul at ${ref.toFixed(1)} GFLOP/s, ` +
        `${((100 * r.gflops) / refFresh).toFixed(0)}% of the same with fresh weights each call at ${refFresh.toFixed(1)} GFLOP/s; ` +
        `native sgemm of that shape: ${native === undefined ? 'not available' : `${native.toFixed(1)} GFLOP/s`})`,
    );
    const products = stepProducts(preset, batch).map((p) => ({ ...p, ...productTimes(p) }));
    const rate = (p: StepProduct, us: number | undefined) => (us === undefined ? 'n/a' : `${((2 * p.m * p.k * p.n) / us / 1e3).toFixed(1)}`);
    console.log(`    the step's products at batch ${batch}, GFLOP/s (fastest of 30 calls): ours (wasmProduct) / tfjs matMul same weights / fresh weights`);
    for (const p of products) {
      console.log(`      ${p.kind} [${p.m}x${p.k}]x[${p.k}x${p.n}] x${p.count}: ${rate(p, p.ours)} / ${rate(p, p.same)} / ${rate(p, p.fresh)}`);
    }
    // milliseconds of all products of a step; 'n/a' where wasmProduct does not run (any backend but wasm)
    const total = (pick: (p: (typeof products)[number]) => number | undefined) => {
      const ms = products.reduce((sum, p) => sum + p.count * (pick(p) ?? Number.NaN), 0) / 1000;
      return Number.isNaN(ms) ? 'n/a' : `${ms.toFixed(2)} ms`;
    };
    console.log(
      `    all ${products.reduce((n, p) => n + p.count, 0)} of them (without dbias's column sums): ours ${total((p) => p.ours)}, ` +
        `tfjs matMul same weights ${total((p) => p.same)}, fresh weights ${total((p) => p.fresh)}`,
    );
    if (preset === 'fast') {
      for (const batch of [64, 128, 256]) {
        const c = await stepCost(preset, batch);
        console.log(
          `    one step at batch ${batch}: ${c.withAdam.toFixed(1)} ms with Adam, ${c.withoutAdam.toFixed(1)} ms without; ${c.kernels} kernels (${c.adamKernels} of them Adam's)`,
        );
        if (batch === 128) console.log(`      ms per kernel name (median of 30 steps): ${c.msPerKernelName.map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(', ')}`);
      }
    }
  }
}

/**
 * Microseconds per variable of one Adam update, the fused kernel (`adamStep`) against the 12 tfjs ops
 * per variable (`adamStepWithOps`), for variables of growing size (fastest of 200 updates of a group
 * of equal variables): where the fused kernel's JavaScript loop stops paying for the dispatch it saves.
 */
async function adamCost(args: readonly string[]): Promise<void> {
  const backend = flag(args, 'backend') ?? 'wasm';
  if (!(await useBackend(backend))) throw new Error(`backend ${backend} did not start`);
  console.log(`backend ${backend}: microseconds per variable of one Adam update`);
  for (const size of [1, 256, 1024, 4096, 8192, 16384, 65536]) {
    const cost = (step: typeof adamStep): number => {
      const variables = Array.from({ length: Math.min(26, Math.max(1, Math.floor(65536 / size))) }, () => tf.variable(tf.randomNormal([size])));
      const grads = variables.map(() => tf.randomNormal([size]));
      const state = createAdam(variables);
      const seconds = timeIt(() => step(state, variables, grads, 1e-3), 200);
      const perVariable = (1e6 * seconds) / variables.length;
      tf.dispose([...variables, ...grads]);
      disposeAdam(state);
      return perVariable;
    };
    console.log(`  ${String(size).padStart(6)} numbers: adamStep ${cost(adamStep).toFixed(1)}, tfjs ops ${cost(adamStepWithOps).toFixed(1)}`);
  }
}

function fmt(x: number): string {
  return x.toFixed(3);
}

/** The reference rows split as the quality bench splits them: `heldOutCount` layers held out, the rest 75/10/15 by rows. */
async function referenceSplit(seed: number, heldOutCount: number): Promise<{ split: Split<DatasetRow>; byLayer: Split<DatasetRow> }> {
  const read = await readVaesaCsvFiles([REFERENCE_LAYERS]);
  if (E.isLeft(read)) throw new Error(formatError(read.left));
  const rows = read.right.rows;
  const layers = new Map<string, ConvLayer>();
  for (const r of rows) layers.set(layerName(r.layer), r.layer);
  const rng = createRng(seed);
  const heldOut = pickLayers(rng, [...layers.values()], heldOutCount);
  const byLayer = splitByLayer(rows, { test: heldOut });
  const split = splitDataset(byLayer.train, rng);
  console.log(`${rows.length} rows, ${layers.size} layers; held out: ${heldOut.map(layerName).join(' ')}`);
  console.log(`train ${split.train.length}, validation ${split.valid.length}, test ${split.test.length}, held-out-layer rows ${byLayer.test.length}`);
  return { split, byLayer };
}

/** Distinct designs of rows (valid in the space), as normalised vectors. */
function distinctDesignVectors(rows: readonly DatasetRow[]): number[][] {
  const seen = new Map<string, number[]>();
  for (const r of rows) if (isValidArch(simbaSpace, r.arch).ok) seen.set(archId(r.arch), encodeArch(simbaSpace, r.arch));
  return [...seen.values()];
}

/**
 * The VAE alone (no predictor heads) trained on the distinct designs of the training rows for
 * `--steps` steps (VAESA's MSE + beta KL, Adam, linear annealing to 1/100 unless `--constant`), then
 * the reconstruction of the test rows' designs: isolates how precisely a VAE shape can reconstruct.
 */
async function vaeOnly(args: readonly string[]): Promise<void> {
  const backend = flag(args, 'backend') ?? 'wasm';
  const seed = Number(flag(args, 'seed') ?? 1);
  const hidden = JSON.parse(flag(args, 'hidden') ?? '[256]') as number[];
  const latentDim = Number(flag(args, 'latent') ?? 6);
  const steps = Number(flag(args, 'steps') ?? 6000);
  const batchSize = Number(flag(args, 'batch') ?? 64);
  const learningRate = Number(flag(args, 'lr') ?? 3e-3);
  const annealing = args.includes('--constant') ? false : { finalFactor: 0.01 };
  if (!(await useBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const { split } = await referenceSplit(seed, 5);
  const train = distinctDesignVectors(split.train);
  const testDesigns = distinctDesignVectors(split.test);
  const p = simbaSpace.params.length;
  const flat = Float32Array.from(train.flat());
  const rng = createRng(seed);
  const vae = createVae({ inputSize: p, latentDim, hidden }, rng.fork());
  const variables = vaeVariables(vae);
  const adam = createAdam(variables);
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    const lr = annealedLearningRate(learningRate, step / steps, annealing);
    tf.tidy(() => {
      const x = new Float32Array(batchSize * p);
      for (let k = 0; k < batchSize; k++) {
        const i = rng.int(train.length);
        x.set(flat.subarray(i * p, (i + 1) * p), k * p);
      }
      const design = tf.tensor2d(x, [batchSize, p]);
      const eps = tf.tensor2d(Float32Array.from({ length: batchSize * latentDim }, () => rng.normal()), [batchSize, latentDim]);
      const { grads } = tf.variableGrads(() => {
        const { mu, logvar } = encodeVae(vae, design);
        const mse = tf.mean(tf.squaredDifference(decodeVae(vae, reparameterise(mu, logvar, eps)), design));
        const kl = tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logvar), tf.add(tf.square(mu), tf.exp(logvar))), 1)));
        return tf.add(mse, tf.mul(VAESA_LOSS_WEIGHTS.beta, kl)) as tf.Scalar;
      }, variables);
      adamStep(adam, variables, variables.map((v) => grads[v.name]), lr);
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  const { mse, logvar, decoded } = tf.tidy(() => {
    const x = tf.tensor2d(testDesigns);
    const { mu, logvar: lv } = encodeVae(vae, x);
    const out = decodeVae(vae, mu);
    return { mse: tf.mean(tf.squaredDifference(out, x)).dataSync()[0], logvar: tf.mean(lv).dataSync()[0], decoded: out.arraySync() };
  });
  const within = testDesigns.filter((v, i) => {
    const a = decodeArch(simbaSpace, v);
    const b = decodeArch(simbaSpace, decoded[i]);
    return simbaSpace.params.every((q) => Math.abs(b[q.name] - a[q.name]) <= 0.1 * a[q.name]);
  }).length;
  console.log(
    `VAE ${JSON.stringify(hidden)}, ${latentDim}-D, ${train.length} training designs: ${steps} steps of ${batchSize} in ${seconds.toFixed(0)} s (${annealing === false ? 'constant' : 'annealed'} lr ${learningRate}); ` +
      `test designs ${testDesigns.length}: MSE ${mse.toExponential(2)}, every parameter within 10% ${((100 * within) / testDesigns.length).toFixed(1)}%, mean logvar ${logvar.toFixed(2)}`,
  );
  disposeVae(vae);
  disposeAdam(adam);
}


/** The unseen layers of `unseen`: shapes of no shared reference file (DLRM, VGG-16, DenseNet-161 convolutions and FC layers) and transformer products. */
function unseenLayers(): Layer[] {
  const convs = [
    '1_1_1_1_13_512', '1_1_1_1_512_256', '1_1_1_1_256_128', '1_1_1_1_4096_4096', '1_1_1_1_2208_1000',
    '3_3_7_7_192_48', '3_3_28_28_192_48', '1_1_14_14_1056_192', '7_7_112_112_3_96_1_2_2', '3_3_112_112_64_128', '3_3_224_224_3_64', '3_3_14_14_512_512',
  ].map((name) => {
    const [R, S, P, Q, C, K, N = 1, strideW = 1, strideH = 1] = name.split('_').map(Number);
    return convLayer({ R, S, P, Q, C, K, N, strideW, strideH });
  });
  const problems = [
    matmul({ M: 128, N: 768, K: 768 }),
    matmul({ M: 128, N: 3072, K: 768 }),
    matmul({ M: 1, N: 2304, K: 768 }),
    batchedMatmul({ B: 12, M: 128, N: 128, K: 64 }),
    batchedMatmul({ B: 12, M: 128, N: 64, K: 128 }),
    depthwiseConv({ G: 144, R: 3, S: 3, P: 56, Q: 56, N: 1 }),
    groupedConv({ G: 32, R: 3, S: 3, P: 28, Q: 28, C: 8, K: 8, N: 1 }),
  ].map((p) => {
    if (E.isLeft(p)) throw new Error(formatError(p.left));
    return p.right;
  });
  return [...convs, ...problems];
}

/** Rows of `layers` on `designs` scored by the built-in cost model (Simba, default mapper), cached in `file`. */
async function ownRows(file: string, layers: readonly Layer[], designs: number, seed: number, effort: SearchEffortName): Promise<{ arch: ArchConfig; layer: Layer; cycles: number; energy: number }[]> {
  const cached = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (cached !== undefined) return JSON.parse(cached);
  const cache = createMappingCache();
  const archs = sampleDesigns(simbaSpace, { kind: 'random', count: designs }, createRng(seed));
  const rows = [];
  const t0 = performance.now();
  for (const arch of archs) {
    for (const layer of layers) {
      const cost = orThrow(evaluateLayer(arch, layer, { cache, effort }));
      rows.push({ arch, layer, cycles: cost.cycles, energy: cost.energy });
    }
  }
  console.log(`  ${rows.length} rows (${archs.length} designs x ${layers.length} layers) evaluated in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  await fs.writeFile(file, JSON.stringify(rows));
  return rows;
}

async function quality(args: readonly string[]): Promise<void> {
  const backend = flag(args, 'backend') ?? 'wasm';
  const seed = Number(flag(args, 'seed') ?? 1);
  const heldOutCount = Number(flag(args, 'held-out') ?? 5);
  const seconds = flag(args, 'seconds');
  const schedule = JSON.parse(flag(args, 'schedule') ?? '{}') as Partial<TrainingSchedule>;
  const modelOverrides = JSON.parse(flag(args, 'model') ?? '{}') as Partial<VaesaModelConfig>;
  if (!(await useBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const { split, byLayer } = await referenceSplit(seed, heldOutCount);
  const t0 = performance.now();
  const result = await trainVaesa(split.train, {
    preset: 'fast',
    seed,
    schedule,
    model: modelOverrides,
    validation: split.valid.slice(0, 5000),
    dropDesignsOutsideSpace: true,
    ...(seconds === undefined ? {} : { timeLimitSeconds: Number(seconds) }),
    onEpoch: (m) =>
      console.log(
        `  epoch ${m.epoch}/${m.epochs} ${m.seconds.toFixed(1)}s lr ${m.learningRate.toExponential(1)} train ${m.trainLoss.toFixed(3)} ` +
          `val ${m.validation.loss.toFixed(3)} (recon ${m.validation.reconstruction.toExponential(2)}, cycles ${m.validation.cycles.toFixed(3)}, energy ${m.validation.energy.toFixed(3)})`,
      ),
  });
  if (E.isLeft(result)) throw new Error(formatError(result.left));
  const trainSeconds = (performance.now() - t0) / 1000;
  const model = result.right;
  console.log(`trained ${model.training.epoch} epochs in ${trainSeconds.toFixed(0)} s (${model.training.stopReason})`);
  const report = (name: string, test: readonly DatasetRow[]) => {
    const ev = evaluateVaesa(model, test);
    const p = ev.prediction;
    console.log(
      `${name}: ${p.rows} rows; Spearman cycles ${fmt(p.cycles.spearman)} energy ${fmt(p.energy.spearman)} EDP ${fmt(p.edp.spearman)} ` +
        `(within a layer ${fmt(p.edpSpearmanWithinLayer)}); median APE cycles ${fmt(p.cycles.medianApe)} energy ${fmt(p.energy.medianApe)} EDP ${fmt(p.edp.medianApe)}`,
    );
    const r = ev.reconstruction;
    console.log(
      `  reconstruction of ${r.designs} designs: every parameter within 10% ${(100 * r.within10PercentShare).toFixed(1)}%, exact ${(100 * r.exactShare).toFixed(1)}%; ` +
        `mean grid-step error ${Object.entries(r.meanGridStepError).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}; ` +
        `within 10% per parameter ${Object.entries(r.within10PercentShareByParam).map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`).join(', ')}`,
    );
  };
  const latent = tf.tidy(() => {
    const designs = tf.tensor2d(split.test.slice(0, 20000).filter((r) => isValidArch(model.space, r.arch).ok).map((r) => encodeArch(model.space, r.arch)));
    const { mu, logvar } = encodeVae(model.networks.vae, designs);
    const inUnitBox = tf.mean(tf.cast(tf.lessEqual(tf.max(tf.abs(mu), 1), 1), 'float32'));
    return { logvar: tf.mean(logvar).dataSync()[0], muStd: Array.from(tf.sqrt(tf.moments(mu, 0).variance).dataSync()), inUnitBox: inUnitBox.dataSync()[0] };
  });
  console.log(
    `latent: mean logvar ${latent.logvar.toFixed(2)} (noise std ${Math.exp(latent.logvar / 2).toExponential(1)}), mean std per dimension ${latent.muStd.map((x) => x.toFixed(2)).join(' ')}, ` +
      `${(100 * latent.inUnitBox).toFixed(0)}% of test designs inside [-1, 1]^d; final validation reconstruction MSE ${model.history[model.history.length - 1]?.validation.reconstruction.toExponential(2)}`,
  );
  report('test split', split.test);
  report('held-out layers', byLayer.test);
  model.dispose();
}

/**
 * Generalisation to unseen layer shapes on our own data: a `fast` model trained on the built-in cost
 * model's rows for the 45 shared layers (`--designs` random designs each) ranks `--unseen-designs`
 * other designs on each unseen layer; EDP Spearman per layer, median and worst.
 */
async function unseen(args: readonly string[]): Promise<void> {
  const backend = flag(args, 'backend') ?? 'wasm';
  const seed = Number(flag(args, 'seed') ?? 1);
  const designs = Number(flag(args, 'designs') ?? 400);
  const unseenDesigns = Number(flag(args, 'unseen-designs') ?? 200);
  const cacheDir = flag(args, 'cache') ?? os.tmpdir();
  const schedule = JSON.parse(flag(args, 'schedule') ?? '{}') as Partial<TrainingSchedule>;
  const modelOverrides = JSON.parse(flag(args, 'model') ?? '{}') as Partial<VaesaModelConfig>;
  const randomCount = Number(flag(args, 'random-layers') ?? 0);
  const randomDesigns = Number(flag(args, 'random-designs') ?? 20);
  const effort = (flag(args, 'effort') ?? 'default') as SearchEffortName;
  if (!(await useBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const files = await listVaesaCsvFiles([REFERENCE_LAYERS]);
  if (E.isLeft(files)) throw new Error(formatError(files.left));
  const shared = files.right.map((f) => {
    const l = layerFromFileName(f);
    if (E.isLeft(l)) throw new Error(formatError(l.left));
    return l.right;
  });
  const cached = (name: string): string => path.join(cacheDir, `vaesa-unseen-${effort}-${name}.json`);
  const train = await ownRows(cached(`shared-${designs}-${seed}`), shared, designs, seed, effort);
  const test = await ownRows(cached(`test-${unseenDesigns}-${seed + 1}`), unseenLayers(), unseenDesigns, seed + 1, effort);
  const random = randomCount === 0 ? [] : await ownRows(cached(`random-${randomCount}-${randomDesigns}-${seed + 2}`), randomLayers(randomCount, seed + 2), randomDesigns, seed + 2, effort);
  const t0 = performance.now();
  const result = await trainVaesa([...train, ...random], { preset: 'fast', seed, schedule, model: modelOverrides });
  if (E.isLeft(result)) throw new Error(formatError(result.left));
  const model = result.right;
  console.log(`trained on ${train.length + random.length} rows (${shared.length} shared layers, ${randomCount} random ones) in ${((performance.now() - t0) / 1000).toFixed(0)} s, load average ${os.loadavg()[0].toFixed(1)}`);
  const rhos: number[] = [];
  for (const layer of unseenLayers()) {
    const rows = test.filter((r) => layerKey(r.layer) === layerKey(layer));
    const predicted = predictCosts(model, rows.map((r) => ({ arch: r.arch, layer })));
    const rho = spearman(predicted.map((p) => p.edp), rows.map((r) => r.cycles * r.energy));
    rhos.push(rho);
    console.log(`  ${layerLabel(layer).padEnd(44)} EDP Spearman ${fmt(rho)}`);
  }
  const sorted = [...rhos].sort((a, b) => a - b);
  console.log(`unseen layers: ${rhos.length}, median EDP Spearman ${fmt(sorted[Math.floor(sorted.length / 2)])}, worst ${fmt(sorted[0])}`);
  model.dispose();
}

export async function main(args: readonly string[]): Promise<void> {
  const command = args[0] ?? 'speed';
  if (command === 'speed') return speed(args.slice(1));
  if (command === 'quality') return quality(args.slice(1));
  if (command === 'vae') return vaeOnly(args.slice(1));
  if (command === 'adam') return adamCost(args.slice(1));
  if (command === 'unseen') return unseen(args.slice(1));
  throw new Error(
    'usage: bench/train.ts speed [--backend wasm|cpu] [--preset fast,paper] | quality [--backend wasm] [--seed 1] [--held-out 5] [--seconds S] [--schedule JSON] [--model JSON] | ' +
      'vae [--hidden JSON] [--latent 6] [--steps 6000] [--batch 64] [--lr 3e-3] [--constant] | adam [--backend wasm|cpu]',
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
