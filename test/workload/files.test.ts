import * as E from 'fp-ts/Either';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { layerKey, networks } from '../../src/workload';
import { readWorkloadFile } from '../../src/workload/files';

const reference = path.resolve(__dirname, '../../../shared/reference');

describe('readWorkloadFile', () => {
  it('reads VAESA JSON, a problem YAML and a CoSA folder', async () => {
    const alex = await readWorkloadFile(path.join(reference, 'vaesa-workloads/alexnet_dnn.json'));
    expect(E.isRight(alex) && alex.right.name).toBe('alexnet_dnn');
    expect(E.isRight(alex) && alex.right.layers.map((e) => e.layer)).toEqual(networks.alexnet.layers.map((e) => e.layer));
    const one = await readWorkloadFile(path.join(reference, 'cosa/workloads/resnet50_graph/_outputs_3356.yaml'));
    expect(E.isRight(one) && one.right.layers.map((e) => layerKey(e.layer))).toEqual(['1_1_1_1_2048_1000_1_1_1_1_1']);
    const dir = await readWorkloadFile(path.join(reference, 'cosa/workloads/resnet50_graph'));
    expect(dir).toEqual(E.right(networks.resnet50));
  });

  it('reports a missing file as an IoError with its path', async () => {
    const missing = path.join(os.tmpdir(), 'vaesa-no-such-file.json');
    expect(await readWorkloadFile(missing)).toMatchObject({ _tag: 'Left', left: { _tag: 'IoError', path: missing } });
  });

  it('reports the file name of a syntax error', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vaesa-workload-'));
    const file = path.join(dir, 'broken.json');
    await fs.writeFile(file, '[[1, 2');
    expect(await readWorkloadFile(file)).toMatchObject({ _tag: 'Left', left: { _tag: 'ParseError', source: file } });
    await fs.rm(dir, { recursive: true });
  });
});
