/**
 * Writes examples/tiny-transformer.onnx: one post-LN transformer encoder block (d 64, 4 heads, FFN 256,
 * 32 tokens) written as PyTorch exports one at opset 13 (separate Q/K/V MatMuls, Reshape/Transpose to
 * heads, Q·Kᵀ / sqrt(d_h), Softmax, P·V, LayerNorm as ReduceMean/Sub/Pow/Sqrt/Div, erf GELU), weights
 * without data. Run from the repository root: `npx tsx scripts/gen-example-onnx.ts`.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildOnnx, type NodeSpec } from '../test/workload/onnx-build';

const [tokens, d, heads, ffn] = [32, 64, 4, 256];
const dh = d / heads;

function layerNorm(x: string, out: string): NodeSpec[] {
  return [
    { op: 'ReduceMean', inputs: [x], outputs: [`${out}_mean`], attrs: { axes: [-1] } },
    { op: 'Sub', inputs: [x, `${out}_mean`], outputs: [`${out}_centred`] },
    { op: 'Pow', inputs: [`${out}_centred`, 'two'], outputs: [`${out}_sq`] },
    { op: 'ReduceMean', inputs: [`${out}_sq`], outputs: [`${out}_var`], attrs: { axes: [-1] } },
    { op: 'Add', inputs: [`${out}_var`, 'eps'], outputs: [`${out}_vareps`] },
    { op: 'Sqrt', inputs: [`${out}_vareps`], outputs: [`${out}_std`] },
    { op: 'Div', inputs: [`${out}_centred`, `${out}_std`], outputs: [`${out}_norm`] },
    { op: 'Mul', inputs: [`${out}_norm`, `${out}_gamma`], outputs: [`${out}_scaled`] },
    { op: 'Add', inputs: [`${out}_scaled`, `${out}_beta`], outputs: [out] },
  ];
}

const nodes: NodeSpec[] = [
  ...['q', 'k', 'v'].flatMap((n): NodeSpec[] => [
    { op: 'MatMul', inputs: ['x', `w${n}`], outputs: [`${n}_proj`] },
    { op: 'Add', inputs: [`${n}_proj`, `b${n}`], outputs: [`${n}_biased`] },
    { op: 'Reshape', inputs: [`${n}_biased`, 'heads_shape'], outputs: [`${n}_heads`] },
    { op: 'Transpose', inputs: [`${n}_heads`], outputs: [`${n}_t`], attrs: { perm: n === 'k' ? [0, 2, 3, 1] : [0, 2, 1, 3] } },
  ]),
  { op: 'MatMul', inputs: ['q_t', 'k_t'], outputs: ['scores'] },
  { op: 'Div', inputs: ['scores', 'scale'], outputs: ['scaled'] },
  { op: 'Softmax', inputs: ['scaled'], outputs: ['p'], attrs: { axis: -1 } },
  { op: 'MatMul', inputs: ['p', 'v_t'], outputs: ['context'] },
  { op: 'Transpose', inputs: ['context'], outputs: ['context_t'], attrs: { perm: [0, 2, 1, 3] } },
  { op: 'Reshape', inputs: ['context_t', 'model_shape'], outputs: ['merged'] },
  { op: 'MatMul', inputs: ['merged', 'wo'], outputs: ['attn_out'] },
  { op: 'Add', inputs: ['attn_out', 'x'], outputs: ['residual1'] },
  ...layerNorm('residual1', 'ln1'),
  { op: 'MatMul', inputs: ['ln1', 'w_up'], outputs: ['up'] },
  { op: 'Div', inputs: ['up', 'sqrt2'], outputs: ['up_scaled'] },
  { op: 'Erf', inputs: ['up_scaled'], outputs: ['erf'] },
  { op: 'Add', inputs: ['erf', 'one'], outputs: ['erf1'] },
  { op: 'Mul', inputs: ['up', 'erf1'], outputs: ['gelu_x2'] },
  { op: 'Mul', inputs: ['gelu_x2', 'half'], outputs: ['gelu'] },
  { op: 'MatMul', inputs: ['gelu', 'w_down'], outputs: ['down'] },
  { op: 'Add', inputs: ['down', 'ln1'], outputs: ['residual2'] },
  ...layerNorm('residual2', 'y'),
];

const scalars = ['two', 'eps', 'scale', 'sqrt2', 'one', 'half'];
const bytes = buildOnnx({
  name: 'tiny-transformer',
  inputs: { x: [1, tokens, d] },
  weights: {
    wq: [d, d], wk: [d, d], wv: [d, d], wo: [d, d], bq: [d], bk: [d], bv: [d], w_up: [d, ffn], w_down: [ffn, d],
    ln1_gamma: [d], ln1_beta: [d], y_gamma: [d], y_beta: [d],
    ...Object.fromEntries(scalars.map((s) => [s, []])),
  },
  ints: { heads_shape: [1, tokens, heads, dh], model_shape: [1, tokens, d] },
  nodes,
  outputs: ['y'],
});
const out = path.join(__dirname, '../examples/tiny-transformer.onnx');
writeFileSync(out, bytes);
console.log(`${path.relative(process.cwd(), out)}: ${bytes.length} bytes, ${nodes.length} nodes`);
