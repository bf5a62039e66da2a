import * as E from 'fp-ts/Either';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { formatVaesaCsv, layerFromFileName, vaesaHeader, type DatasetRow } from '../../src/dataset';
import { convertVaesaFiles, mergeVaesaCsv, readVaesaCsv, readVaesaCsvFiles, writeVaesaCsv } from '../../src/dataset/node';
import { layerName } from '../../src/workload';

const layersDir = path.resolve(__dirname, '../../../shared/reference/timeloop-cosa/layers');
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vaesa-dataset-files-'));
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

/** The reference file's data lines, read independently of the library. */
function rawLines(file: string): string[] {
  return zlib
    .gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l !== '');
}

function expectRowMatches(row: DatasetRow, line: string, layer: string): void {
  const cells = line.split(',');
  expect(row.cycles).toBe(Number(cells[1]));
  expect(row.energy).toBe(Number(cells[2]));
  expect([row.arch.meshX, row.arch.macs, row.arch.accumulationBuffer, row.arch.weightBuffer, row.arch.inputBuffer, row.arch.globalBuffer]).toEqual(
    [3, 4, 8, 10, 12, 14].map((i) => Number(cells[i])),
  );
  expect(layerName(row.layer)).toBe(layer);
}

describe('reference files', () => {
  it('reads a reference file with exact values (first and last rows by hand)', async () => {
    const read = await readVaesaCsv(path.join(layersDir, '1_1_14_14_1024_1024_1_1_1_1_1.csv.gz'));
    if (E.isLeft(read)) throw new Error(JSON.stringify(read.left));
    const rows = read.right.rows;
    expect(rows).toHaveLength(8604);
    // arch_pe0.25_mac0.25_buf_0.5_0.5_0.5_0.5,802816,352890761.65,4,256,256,1,128,32,128,8192,64,512,1,32768
    expect(rows[0]).toEqual({
      arch: { meshX: 4, macs: 256, accumulationBuffer: 32, weightBuffer: 8192, inputBuffer: 512, globalBuffer: 32768 },
      layer: { R: 1, S: 1, P: 14, Q: 14, C: 1024, K: 1024, N: 1, strideW: 1, strideH: 1, dilationW: 1, dilationH: 1 },
      cycles: 802816,
      energy: 352890761.65,
    });
    // arch_8_8_86_27392_166_173056,754074,996205338.53,8,1024,1024,1,128,86,128,27392,64,166,1,173056
    expect(rows[rows.length - 1]).toMatchObject({
      arch: { meshX: 8, macs: 1024, accumulationBuffer: 86, weightBuffer: 27392, inputBuffer: 166, globalBuffer: 173056 },
      cycles: 754074,
      energy: 996205338.53,
    });
  });

  it('reads all 45 reference files: every row, values equal to an independent split', async () => {
    const read = await readVaesaCsvFiles([layersDir]);
    if (E.isLeft(read)) throw new Error(JSON.stringify(read.left));
    expect(read.right.rows).toHaveLength(746_086);
    expect(read.right.skipped).toBe(0);
    let offset = 0;
    for (const name of readdirSync(layersDir).sort()) {
      const raw = rawLines(path.join(layersDir, name));
      const layer = name.replace('.csv.gz', '');
      // Check a spread of rows of every file (all of them would only repeat the same comparison).
      for (const i of [0, 1, Math.floor(raw.length / 3), Math.floor(raw.length / 2), raw.length - 1]) {
        expectRowMatches(read.right.rows[offset + i], raw[i], layer);
      }
      offset += raw.length;
    }
    expect(offset).toBe(746_086);
  });
});

describe('writing and converting', () => {
  const sampleRows = async (): Promise<DatasetRow[]> => {
    const read = await readVaesaCsv(path.join(layersDir, '3_3_7_7_512_512_1_1_1_1_1.csv.gz'));
    if (E.isLeft(read)) throw new Error('read failed');
    return read.right.rows.slice(0, 500);
  };

  it('round-trips a file, plain and gzipped, with the exact header', async () => {
    const rows = await sampleRows();
    for (const name of ['rt.csv', 'rt.csv.gz']) {
      const file = path.join(tmp, name);
      expect(await writeVaesaCsv(file, rows)).toEqual(E.right({ rows: 500 }));
      expect(await readVaesaCsv(file)).toEqual(E.right({ rows, skipped: 0, skippedErrors: [] }));
    }
    const text = await fs.readFile(path.join(tmp, 'rt.csv'), 'utf8');
    expect(text.split('\n')[0]).toBe(vaesaHeader({ withLayer: true, withArea: false }));
    expect(text).toBe(formatVaesaCsv(rows, { withLayer: true, withArea: false }));
  });

  it('writes a per-layer file that reads back through its name', async () => {
    const rows = await sampleRows();
    const file = path.join(tmp, '3_3_7_7_512_512_1_1_1_1_1.csv');
    await writeVaesaCsv(file, rows, { withLayer: false, withArea: false });
    expect((await fs.readFile(file, 'utf8')).split('\n')[0]).toBe(vaesaHeader({ withLayer: false, withArea: false }));
    expect(await readVaesaCsv(file)).toEqual(E.right({ rows, skipped: 0, skippedErrors: [] }));
  });

  it('reports bad rows with line numbers, or skips them', async () => {
    const rows = await sampleRows();
    const file = path.join(tmp, 'bad.csv');
    const lines = formatVaesaCsv(rows.slice(0, 5), { withLayer: true, withArea: false }).split('\n');
    lines[3] = lines[3].replace(/^([^,]*,[^,]*,)[^,]*/, '$1-12.5');
    await fs.writeFile(file, lines.join('\n'));
    expect(await readVaesaCsv(file)).toMatchObject({ left: { _tag: 'ParseError', source: file, line: 4, column: 'unique_energy_sum' } });
    const skipped = await readVaesaCsv(file, { skipBadRows: true });
    expect(E.isRight(skipped) && [skipped.right.rows.length, skipped.right.skipped]).toEqual([4, 1]);
    expect(await readVaesaCsv(path.join(tmp, 'missing.csv'))).toMatchObject({ left: { _tag: 'IoError' } });
  });

  it('converts per-layer files into one training file, optionally a seeded subsample', async () => {
    const inputs = ['1_1_1_1_2048_1000_1_1_1_1_1.csv.gz', '3_3_7_7_512_512_1_1_1_1_1.csv.gz'].map((f) => path.join(layersDir, f));
    const out = path.join(tmp, 'train.csv');
    const all = await convertVaesaFiles({ inputs, out });
    const expectedRows = inputs.reduce((n, f) => n + rawLines(f).length, 0);
    expect(all).toMatchObject({ right: { rowsRead: expectedRows, rowsWritten: expectedRows, skipped: 0 } });
    const back = await readVaesaCsv(out);
    expect(E.isRight(back) && back.right.rows.map((r) => layerName(r.layer))).toEqual([
      ...rawLines(inputs[0]).map(() => '1_1_1_1_2048_1000_1_1_1_1_1'),
      ...rawLines(inputs[1]).map(() => '3_3_7_7_512_512_1_1_1_1_1'),
    ]);

    const sampled = async (seed: number) => {
      const file = path.join(tmp, `sample-${seed}.csv`);
      expect(await convertVaesaFiles({ inputs, out: file, sample: 1000, seed })).toMatchObject({ right: { rowsWritten: 1000 } });
      return fs.readFile(file, 'utf8');
    };
    const a = await sampled(1);
    expect(await sampled(1)).toBe(a);
    expect(await sampled(2)).not.toBe(a);
    // The subsample keeps rows of the full file in their order.
    const full = new Set((await fs.readFile(out, 'utf8')).split('\n'));
    expect(a.split('\n').every((l) => full.has(l))).toBe(true);
  });

  it('merges shards with one header and refuses mismatched or incomplete ones', async () => {
    const rows = await sampleRows();
    const parts = [rows.slice(0, 100), rows.slice(100, 350), rows.slice(350)];
    const files = parts.map((p, i) => path.join(tmp, `part-${i}.csv`));
    for (const [i, p] of parts.entries()) await writeVaesaCsv(files[i], p);
    const merged = path.join(tmp, 'merged.csv');
    expect(await mergeVaesaCsv(files, merged)).toEqual(E.right({ rows: 500 }));
    expect(await fs.readFile(merged, 'utf8')).toBe(formatVaesaCsv(rows, { withLayer: true, withArea: false }));

    const otherHeader = path.join(tmp, 'other.csv');
    await writeVaesaCsv(otherHeader, parts[0], { withLayer: true, withArea: false });
    await fs.writeFile(otherHeader, (await fs.readFile(otherHeader, 'utf8')).replace('prob_8', 'prob_8,area').replace(/\n(?=.)/g, ',1\n'));
    expect(await mergeVaesaCsv([files[0], otherHeader], merged)).toMatchObject({ left: { source: otherHeader, line: 1 } });
    const cut = path.join(tmp, 'cut.csv');
    await fs.writeFile(cut, (await fs.readFile(files[1], 'utf8')).slice(0, -7));
    expect(await mergeVaesaCsv([files[0], cut], merged)).toMatchObject({ left: { source: cut } });
  });

  it('names a per-layer file whose name is not a layer', async () => {
    const file = path.join(tmp, 'mystery.csv');
    await fs.writeFile(file, `${vaesaHeader({ withLayer: false, withArea: false })}\n`);
    expect(await readVaesaCsv(file)).toMatchObject({ left: { _tag: 'ParseError', line: 1 } });
    expect(layerFromFileName(file)).toMatchObject({ _tag: 'Left' });
  });

  it('writes atomically: a write that fails half-way leaves the old file and no temporary file', async () => {
    const rows = await sampleRows();
    const file = path.join(tmp, 'atomic', 'kept.csv');
    await fs.mkdir(path.dirname(file));
    await writeVaesaCsv(file, rows.slice(0, 10));
    const before = await fs.readFile(file, 'utf8');
    async function* failing(): AsyncGenerator<DatasetRow> {
      yield* rows.slice(0, 300);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    expect(await writeVaesaCsv(file, failing())).toMatchObject({ left: { _tag: 'IoError', path: file, message: expect.stringMatching(/ENOSPC/) } });
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    // A merge that fails on its second shard also keeps the old file.
    const cut = path.join(tmp, 'atomic', 'cut-shard.csv');
    await fs.writeFile(cut, before.slice(0, -3));
    expect(await mergeVaesaCsv([file, cut], file)).toMatchObject({ left: { source: cut } });
    expect(await fs.readFile(file, 'utf8')).toBe(before);
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['cut-shard.csv', 'kept.csv']);
    // A device is written directly (no rename over it): a full one is an error.
    expect(await writeVaesaCsv('/dev/full', rows)).toMatchObject({ left: { _tag: 'IoError', path: '/dev/full' } });
  });

  it('refuses a folder without CSV files and files with a header but no rows (convert, stats, train read nothing)', async () => {
    const empty = path.join(tmp, 'empty-folder');
    await fs.mkdir(empty);
    expect(await readVaesaCsvFiles([empty])).toMatchObject({ left: { _tag: 'InvalidInput', path: 'folder', value: empty } });
    const headerOnly = path.join(tmp, 'header-only.csv');
    await fs.writeFile(headerOnly, `${vaesaHeader({ withLayer: true, withArea: false })}\n`);
    expect(await readVaesaCsvFiles([headerOnly])).toMatchObject({ left: { _tag: 'ParseError', message: expect.stringMatching(/no rows to use: the files have a header but no data rows/) } });
    const out = path.join(tmp, 'converted-nothing.csv');
    expect(await convertVaesaFiles({ inputs: [headerOnly], out })).toMatchObject({ left: { _tag: 'ParseError' } });
    await expect(fs.stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

