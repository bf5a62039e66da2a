/**
 * Every example runs (against the built package, as a user's script would) and prints what it promises,
 * so the examples never rot. Sizes are passed small where the example takes them.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');

function runExample(file: string, ...args: string[]): string {
  return execFileSync(tsx, [path.join(repoRoot, 'examples', file), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('examples', () => {
  it('evaluate-design prints ResNet-50 totals and a per-level energy breakdown', () => {
    const out = runExample('evaluate-design.ts');
    expect(out).toMatch(/^ResNet-50: \d+ cycles, [\d.]+ uJ, area [\d.]+ mm², EDP [\d.]+e\+\d+/m);
    for (const level of ['Registers', 'AccumulationBuffer', 'WeightBuffer', 'InputBuffer', 'GlobalBuffer', 'DRAM']) expect(out).toContain(level);
  });

  it('evaluate-across-networks compares a design with Simba on CNNs and transformers', () => {
    const out = runExample('evaluate-across-networks.ts');
    const ratio = (name: string): number => Number(new RegExp(`^${name}\\s+\\S+\\s+\\S+\\s+([\\d.]+)$`, 'm').exec(out)?.[1]);
    for (const name of ['resnet50', 'mobilenet-v2', 'bert-base-128', 'gpt2-decode']) expect(ratio(name)).toBeGreaterThan(0);
    // The default design was found for ResNet-50: it beats Simba's default there.
    expect(ratio('resnet50')).toBeLessThan(1);
  });

  it('own-accelerator evaluates a Timeloop arch, problem and map file and refuses an overflowing mapping', () => {
    const out = runExample('own-accelerator.ts');
    expect(out).toMatch(/^psum_spad\/weights_spad\/ifmap_spad\/glb\/DRAM: \d+ cycles \(\d+ without bandwidth limits\), [\d.]+ uJ/m);
    for (const level of ['psum_spad', 'weights_spad', 'ifmap_spad', 'glb', 'DRAM']) expect(out).toMatch(new RegExp(`^  ${level}\\s+\\d+ cycles`, 'm'));
    expect(out).toContain('refused: invalid mapping.levels[2] (ifmap_spad) tile');
  });

  it('custom-pipeline trains on a custom space and runs its own optimiser loop', () => {
    expect(runExample('custom-pipeline.ts')).toMatch(/best EDP [\d.]+e\+\d+ for \{"meshX":\d+,"macs":\d+/);
  });

  it('train-on-vaesa-csv trains on the reference CSV files and scores a held-out layer', () => {
    expect(runExample('train-on-vaesa-csv.ts')).toMatch(/held-out layer: EDP Spearman -?[\d.]+/);
  });

  it('onnx-search imports an ONNX transformer block and searches a design for it', () => {
    const out = runExample('onnx-search.ts', path.join(repoRoot, 'examples/tiny-transformer.onnx'), '6');
    expect(out).toMatch(/^tiny-transformer: 5 distinct layers, 1,703,936 MACs/m);
    expect(out).toMatch(/batched-matmul B4_M32_N32_K16 \(act x act\) x 1/);
    expect(out).toMatch(/not costed: Add 10, .*Softmax 1/);
    expect(out).toMatch(/searched\s+EDP [\d.]+e\+\d+\s+\{"meshX":\d+/);
  });

  it('own-space runs an 8-parameter space with its own evaluator through dataset, training and search', () => {
    const out = runExample('own-space.ts', '40', '8');
    expect(out).toMatch(/^\d+ rows; test EDP Spearman -?[\d.]+; designs reconstructed exactly [\d.]+%/m);
    expect(out).toMatch(/latent BO\s+best EDP [\d.]+e\+\d+\s+\{"peX":\d+,"peY":\d+,"vector":\d+/);
    expect(out).toMatch(/random\s+best EDP [\d.]+e\+\d+/);
  });

  it('train-and-search runs latent BO against random search', () => {
    const out = runExample('train-and-search.ts', '24', '4');
    expect(out).toMatch(/latent BO\s+best EDP [\d.]+e\+\d+/);
    expect(out).toMatch(/random\s+best EDP [\d.]+e\+\d+/);
  });
});
