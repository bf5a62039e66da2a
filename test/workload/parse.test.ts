import * as E from 'fp-ts/Either';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { formatError, type VaesaError } from '../../src/common';
import {
  convLayer,
  decodeTimeloopLayer,
  layerName,
  parseCosaNetwork,
  parseTimeloopLayer,
  parseVaesaWorkload,
  parseWorkloadJson,
} from '../../src/workload';

const reference = path.resolve(__dirname, '../../../shared/reference');

function leftOf<A>(r: E.Either<VaesaError, A>): VaesaError {
  if (E.isRight(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.right)}`);
  return r.left;
}

const problemYaml = (fields: Record<string, unknown>): string =>
  `problem:\n${Object.entries(fields)
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
    .join('\n')}\n  shape: cnn-layer\n`;

const conv3 = { C: 64, Hdilation: 1, Hstride: 2, K: 128, N: 1, P: 28, Q: 14, R: 3, S: 5, Wdilation: 1, Wstride: 4 };

describe('VAESA workload JSON', () => {
  it('parses every reference file into layers with unit dilations', async () => {
    const dir = path.join(reference, 'vaesa-workloads');
    const files = ['alexnet_dnn.json', 'new_dnn.json', ...(await fs.readdir(path.join(dir, 'test_layers'))).map((f) => `test_layers/${f}`)];
    for (const file of files) {
      const text = await fs.readFile(path.join(dir, file), 'utf8');
      const raw = JSON.parse(text) as number[][];
      const parsed = parseVaesaWorkload(text, file);
      expect(E.isRight(parsed)).toBe(true);
      if (E.isRight(parsed)) expect(parsed.right.map((l) => layerName(l))).toEqual(raw.map((v) => [...v, 1, 1].join('_')));
    }
  });

  it('reads AlexNet in VAESA order', async () => {
    const text = await fs.readFile(path.join(reference, 'vaesa-workloads/alexnet_dnn.json'), 'utf8');
    const layers = parseVaesaWorkload(text);
    expect(E.isRight(layers) && layers.right[0]).toEqual(convLayer({ R: 11, S: 11, P: 55, Q: 55, C: 3, K: 64, N: 1, strideW: 4, strideH: 4 }));
    expect(E.isRight(layers) && layers.right).toHaveLength(8);
  });

  it('names the field and value of a bad entry', () => {
    expect(leftOf(parseVaesaWorkload('[[3,3,13,13,192,384,1,1,1],[1,1,1,1,-4096,1000,1,1,1]]'))).toMatchObject({
      _tag: 'InvalidInput',
      path: '[1].C',
      value: -4096,
    });
    expect(leftOf(parseVaesaWorkload('[[3,3,13,13,192,384,1,0,1]]'))).toMatchObject({ path: '[0].strideW', value: 0 });
    expect(leftOf(parseVaesaWorkload('[[3,3,13,"13",192,384,1,1,1]]'))).toMatchObject({ path: '[0].Q', value: '13' });
    expect(leftOf(parseVaesaWorkload('[[3,3,13,13,192,384,1,1]]'))).toMatchObject({ path: '[0]' });
    expect(leftOf(parseVaesaWorkload('{"R": 3}'))).toMatchObject({ _tag: 'InvalidInput', path: '' });
    expect(leftOf(parseVaesaWorkload('[]'))).toMatchObject({ _tag: 'InvalidInput' });
    expect(leftOf(parseVaesaWorkload('[[3,3,', 'bad.json'))).toMatchObject({ _tag: 'ParseError', source: 'bad.json' });
    expect(formatError(leftOf(parseVaesaWorkload('[[3,3,13,13,192,384,1,1,2.5]]')))).toBe(
      'invalid [0].strideH: must be a positive integer up to 16777216 (got 2.5)',
    );
  });
});

describe('Timeloop / CoSA problem YAML', () => {
  it('maps Timeloop keys to ConvLayer fields', () => {
    expect(parseTimeloopLayer(problemYaml(conv3))).toEqual(
      E.right({ R: 3, S: 5, P: 28, Q: 14, C: 64, K: 128, N: 1, strideW: 4, strideH: 2, dilationW: 1, dilationH: 1 }),
    );
  });

  it('defaults missing strides and dilations to 1 and accepts the nested instance form', () => {
    expect(decodeTimeloopLayer({ problem: { instance: { R: 1, S: 1, P: 7, Q: 7, C: 8, K: 9, N: 2 } } })).toEqual(
      E.right(convLayer({ R: 1, S: 1, P: 7, Q: 7, C: 8, K: 9, N: 2 })),
    );
  });

  it('parses every problem file of the built-in networks in the reference folder', async () => {
    const root = path.join(reference, 'cosa/workloads');
    let parsed = 0;
    for (const folder of ['alexnet_graph', 'resnet50_graph', 'resnext50_32x4d_graph', 'vgg16_graph', 'resnet18_batch16_graph']) {
      for (const file of await fs.readdir(path.join(root, folder))) {
        // example.yaml is a multi-document sample, not a problem file.
        if (!file.endsWith('.yaml') || ['layers.yaml', 'unique_layers.yaml', 'layer_count.yaml', 'example.yaml'].includes(file)) continue;
        const layer = parseTimeloopLayer(await fs.readFile(path.join(root, folder, file), 'utf8'), file);
        expect(E.isRight(layer)).toBe(true);
        parsed++;
      }
    }
    expect(parsed).toBeGreaterThan(150);
    const first = parseTimeloopLayer(await fs.readFile(path.join(root, 'resnet50_graph/_outputs_input.2.yaml'), 'utf8'));
    expect(E.isRight(first) && layerName(first.right)).toBe('7_7_112_112_3_64_1_2_2_1_1');
  });

  it("rejects DeepBench's dilation-0 layers naming Timeloop's key", async () => {
    const text = await fs.readFile(path.join(reference, 'cosa/workloads/deepbench_graph/01_DeepSpeech.yaml'), 'utf8');
    expect(leftOf(parseTimeloopLayer(text))).toMatchObject({ path: 'problem.Wdilation', value: 0 });
  });

  it('names the field and value of bad input', () => {
    expect(leftOf(parseTimeloopLayer(problemYaml({ ...conv3, C: -3 })))).toMatchObject({ path: 'problem.C', value: -3 });
    expect(leftOf(parseTimeloopLayer(problemYaml({ ...conv3, Hstride: 0 })))).toMatchObject({ path: 'problem.Hstride', value: 0 });
    expect(leftOf(parseTimeloopLayer(problemYaml({ ...conv3, K: 'many' })))).toMatchObject({ path: 'problem.K', value: 'many' });
    const { P: _dropped, ...noP } = conv3;
    expect(formatError(leftOf(parseTimeloopLayer(problemYaml(noP))))).toBe('invalid problem.P: missing (got nothing (missing))');
    expect(leftOf(parseTimeloopLayer('layers: []'))).toMatchObject({ path: 'problem' });
    expect(leftOf(parseTimeloopLayer('problem: [1,\n  2', 'x.yaml'))).toMatchObject({ _tag: 'ParseError', source: 'x.yaml', line: 2 });
  });
});

describe('CoSA network folders', () => {
  const problems = {
    a: problemYaml({ R: 1, S: 1, P: 1, Q: 1, C: 8, K: 4, N: 1 }),
    b: problemYaml({ R: 3, S: 3, P: 2, Q: 2, C: 8, K: 8, N: 1 }),
    c: problemYaml({ R: 1, S: 1, P: 1, Q: 1, C: 8, K: 4, N: 1 }),
  };

  it('merges repeated shapes when there are no counts', () => {
    const net = parseCosaNetwork('tiny', { layerList: '- a\n- b\n- c\n', problems });
    expect(E.isRight(net) && net.right.layers.map((e) => [layerName(e.layer), e.count])).toEqual([
      ['1_1_1_1_8_4_1_1_1_1_1', 2],
      ['3_3_2_2_8_8_1_1_1_1_1', 1],
    ]);
  });

  it('takes counts from layer_count and rejects unknown or bad counts', () => {
    const layerCount = "'1_1_1_1_8_4_1_1_1_1_1': 5\n'3_3_2_2_8_8_1_1_1_1_1': 2\n";
    const net = parseCosaNetwork('tiny', { layerList: '- a\n- b\n', layerCount, problems });
    expect(E.isRight(net) && net.right.layers.map((e) => e.count)).toEqual([5, 2]);
    expect(leftOf(parseCosaNetwork('tiny', { layerList: '- a\n', layerCount, problems }))).toMatchObject({ value: '3_3_2_2_8_8_1_1_1_1_1' });
    expect(leftOf(parseCosaNetwork('tiny', { layerList: '- a\n', layerCount: "'1_1_1_1_8_4_1_1_1_1_1': 0\n", problems }))).toMatchObject({
      path: 'tiny.layers[0].count',
      value: 0,
    });
    expect(leftOf(parseCosaNetwork('tiny', { layerList: '- a\n- zzz\n', problems }))).toMatchObject({ value: 'zzz' });
  });
});

describe('our workload JSON', () => {
  it('accepts VAESA vectors, ConvLayer lists and Network objects', () => {
    const fc = convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 16, K: 10, N: 1 });
    expect(parseWorkloadJson('[[1,1,1,1,16,10,1,1,1]]', 'fc')).toEqual(E.right({ name: 'fc', layers: [{ layer: fc, count: 1 }] }));
    expect(parseWorkloadJson('[{"R":1,"S":1,"P":1,"Q":1,"C":16,"K":10,"N":1}]', 'fc')).toEqual(
      E.right({ name: 'fc', layers: [{ layer: fc, count: 1 }] }),
    );
    const net = JSON.stringify({ name: 'mine', layers: [{ layer: fc, count: 3 }] });
    expect(parseWorkloadJson(net, 'file')).toEqual(E.right({ name: 'mine', layers: [{ layer: fc, count: 3 }] }));
  });

  it('names the bad field of each form', () => {
    expect(leftOf(parseWorkloadJson('[{"R":1,"S":1,"P":1,"Q":1,"K":10,"N":1}]', 'x'))).toMatchObject({ path: '[0].C', value: undefined });
    const net = JSON.stringify({ name: 'mine', layers: [{ layer: { R: 1, S: 1, P: 1, Q: 1, C: 16, K: 10, N: 1, strideW: 0 }, count: 1 }] });
    expect(leftOf(parseWorkloadJson(net, 'x'))).toMatchObject({ path: 'layers[0].layer.strideW', value: 0 });
    expect(leftOf(parseWorkloadJson('{"name":"n","layers":[{"layer":{"R":1,"S":1,"P":1,"Q":1,"C":1,"K":1,"N":1},"count":-1}]}', 'x'))).toMatchObject({
      path: 'layers[0].count',
      value: -1,
    });
    expect(leftOf(parseWorkloadJson('42', 'x'))).toMatchObject({ _tag: 'InvalidInput', value: 42 });
  });
});
