import * as E from 'fp-ts/Either';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatVaesaCsv, generateDataset, vaesaHeader, type DatasetRow } from '../../src/dataset';
import { generateDatasetFile, mergeVaesaCsv, readVaesaCsv, type EvaluatorModule, type GenerateFileOptions } from '../../src/dataset/node';
import type { Evaluator } from '../../src/common';
import { simbaSpace } from '../../src/hardware';
import { networks } from '../../src/workload';
import { createSyntheticEvaluator } from './fixtures/synthetic-evaluator';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vaesa-generate-file-'));
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

const options = (out: string): GenerateFileOptions => ({
  space: simbaSpace,
  networks: [networks.resnet50],
  sampler: { kind: 'random', count: 40 },
  seed: 3,
  evaluator: createSyntheticEvaluator({ withArea: true }),
  evaluatorId: 'synthetic with area',
  withArea: true,
  out: path.join(tmp, out),
  flushRows: 50,
});

async function rowsOf(o: GenerateFileOptions): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const r of generateDataset({ ...o, evaluator: o.evaluator as Evaluator })) rows.push(r);
  return rows;
}

describe('generateDatasetFile', () => {
  it('writes the header once and every row, equal to the formatted rows', async () => {
    const o = options('full.csv');
    expect(await generateDatasetFile(o)).toEqual(E.right({ rows: 960, resumedFrom: 0, repairedBytes: 0, complete: true }));
    const text = await fs.readFile(o.out, 'utf8');
    expect(text).toBe(formatVaesaCsv(await rowsOf(o), { withLayer: true, withArea: true }));
    expect(text.split('\n')[0]).toBe(`${vaesaHeader({ withLayer: true, withArea: false })},area`);
    expect(await readVaesaCsv(o.out)).toMatchObject({ right: { skipped: 0 } });
  });

  it('resumes a file cut mid-line (a crash) to the same bytes as an uninterrupted run', async () => {
    const full = await fs.readFile(path.join(tmp, 'full.csv'), 'utf8');
    const o = options('cut.csv');
    const cutAt = full.indexOf('\n', Math.floor(full.length * 0.4)) + 1 + 24; // 24 bytes into a line
    await fs.writeFile(o.out, full.slice(0, cutAt));
    await fs.copyFile(path.join(tmp, 'full.csv.run.json'), `${o.out}.run.json`);
    const resumed = await generateDatasetFile(o);
    const complete = full.slice(0, cutAt).split('\n').length - 2; // header and the partial line excluded
    expect(resumed).toEqual(E.right({ rows: 960, resumedFrom: complete, repairedBytes: 24, complete: true }));
    expect(await fs.readFile(o.out, 'utf8')).toBe(full);
    // Running again finds nothing to do.
    expect(await generateDatasetFile(o)).toEqual(E.right({ rows: 960, resumedFrom: 960, repairedBytes: 0, complete: true }));
    expect(await fs.readFile(o.out, 'utf8')).toBe(full);
  });

  it('stops on abort with whole rows on disk, then resumes to the same file (on 2 workers)', async () => {
    const full = await fs.readFile(path.join(tmp, 'full.csv'), 'utf8');
    const controller = new AbortController();
    const evaluator: EvaluatorModule = {
      module: path.join(__dirname, 'fixtures/synthetic-evaluator.ts'),
      export: 'createSyntheticEvaluator',
      options: { withArea: true },
    };
    const o = { ...options('aborted.csv'), evaluator, workers: 2, chunkSize: 16 };
    const stopped = await generateDatasetFile({
      ...o,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 300) controller.abort();
      },
    });
    expect(E.isRight(stopped) && stopped.right.complete).toBe(false);
    const partial = await fs.readFile(o.out, 'utf8');
    expect(full.startsWith(partial)).toBe(true);
    expect(partial.endsWith('\n')).toBe(true);
    expect(await generateDatasetFile(o)).toMatchObject({ right: { rows: 960, complete: true } });
    expect(await fs.readFile(o.out, 'utf8')).toBe(full);
  });

  it('puts rows on disk while generating (flushMs), so a crash loses little', async () => {
    const o = options('flushed.csv');
    const evaluate = createSyntheticEvaluator({ withArea: true });
    let calls = 0;
    let linesSeenAtCall50 = -1;
    const watching: Evaluator = (arch, layer) => {
      if (calls++ === 50) linesSeenAtCall50 = readFileSync(o.out, 'utf8').split('\n').length - 1;
      return evaluate(arch, layer);
    };
    await generateDatasetFile({ ...o, evaluator: watching, flushRows: 1e9, flushMs: 0, concurrency: 1 });
    // The header and the 50 rows before the 51st evaluation (one call at a time) are already in the file.
    expect(linesSeenAtCall50).toBe(51);
  });

  it('makes shards that merge into the single-machine file', async () => {
    const shards = [0, 1, 2].map((index) => ({ ...options(`shard-${index}.csv`), shard: { index, count: 3 } }));
    for (const s of shards) expect(await generateDatasetFile(s)).toMatchObject({ right: { rows: 320, complete: true } });
    const merged = path.join(tmp, 'merged.csv');
    expect(await mergeVaesaCsv(shards.map((s) => s.out), merged)).toEqual(E.right({ rows: 960 }));
    expect(await fs.readFile(merged, 'utf8')).toBe(await fs.readFile(path.join(tmp, 'full.csv'), 'utf8'));
  });

  it('refuses to resume a file made with other options, and starts afresh when told', async () => {
    const o = options('other.csv');
    await generateDatasetFile({ ...o, seed: 4 });
    const refused = await generateDatasetFile(o);
    expect(refused).toMatchObject({ left: { _tag: 'ParseError', source: o.out } });
    expect(E.isLeft(refused) && refused.left.message).toMatch(/made with seed 4, this run has 3/);
    expect(await generateDatasetFile({ ...o, withArea: false })).toMatchObject({ left: { _tag: 'ParseError', line: 1 } });
    expect(await generateDatasetFile({ ...o, resume: false })).toEqual(E.right({ rows: 960, resumedFrom: 0, repairedBytes: 0, complete: true }));
    expect(await fs.readFile(o.out, 'utf8')).toBe(await fs.readFile(path.join(tmp, 'full.csv'), 'utf8'));
    expect(await generateDatasetFile({ ...o, out: path.join(tmp, 'x.csv.gz') })).toMatchObject({ left: { _tag: 'InvalidInput', path: 'out' } });
  });

  it('refuses to resume with another evaluator (other numbers), without a record of the settings, or with an unnamed function', async () => {
    const o = options('evaluator.csv');
    const controller = new AbortController();
    await generateDatasetFile({ ...o, signal: controller.signal, onProgress: (p) => p.done >= 100 && controller.abort() });
    const partial = await fs.readFile(o.out, 'utf8');
    const other = await generateDatasetFile({ ...o, evaluatorId: 'synthetic, other energy table' });
    expect(other).toMatchObject({ left: { _tag: 'ParseError', source: o.out } });
    expect(E.isLeft(other) && other.left.message).toMatch(/made with evaluator synthetic with area, this run has synthetic, other energy table/);
    const unnamed = await generateDatasetFile({ ...o, evaluatorId: undefined });
    expect(unnamed).toMatchObject({ left: { _tag: 'InvalidInput', path: 'evaluatorId' } });
    await fs.rm(`${o.out}.run.json`);
    const unrecorded = await generateDatasetFile(o);
    expect(E.isLeft(unrecorded) && unrecorded.left.message).toMatch(/no readable .*run\.json/);
    // Nothing was appended by the refused runs.
    expect(await fs.readFile(o.out, 'utf8')).toBe(partial);
  });

  it('names a module evaluator by its module, export and options', async () => {
    const evaluator: EvaluatorModule = { module: path.join(__dirname, 'fixtures/synthetic-evaluator.ts'), export: 'createSyntheticEvaluator', options: { withArea: true } };
    const o = { ...options('module.csv'), evaluator, evaluatorId: undefined, sampler: { kind: 'random' as const, count: 2 } };
    expect(await generateDatasetFile(o)).toMatchObject({ right: { complete: true } });
    expect(await generateDatasetFile(o)).toMatchObject({ right: { resumedFrom: 48 } });
    const changed = await generateDatasetFile({ ...o, evaluator: { ...evaluator, options: { withArea: true, work: 1 } } });
    expect(E.isLeft(changed) && changed.left.message).toMatch(/made with evaluator/);
  });

  it('does not read a device or pipe to resume it (only a fresh run writes to one)', async () => {
    expect(await generateDatasetFile({ ...options('x.csv'), out: '/dev/null' })).toMatchObject({ left: { _tag: 'InvalidInput', path: 'out' } });
    expect(await generateDatasetFile({ ...options('x.csv'), out: '/dev/null', resume: false })).toMatchObject({ right: { rows: 960, complete: true } });
    const full = await generateDatasetFile({ ...options('x.csv'), out: '/dev/full', resume: false });
    expect(full).toMatchObject({ left: { _tag: 'IoError', path: '/dev/full' } });
  });

  it('keeps the rows finished before an evaluator fails (on disk, resumable) and returns the failure', async () => {
    const o = options('failing.csv');
    const evaluate = createSyntheticEvaluator({ withArea: true });
    let calls = 0;
    const failsAtThird: Evaluator = (arch, layer) => {
      if (++calls === 3) throw new Error('simulator crashed');
      return evaluate(arch, layer);
    };
    const failed = await generateDatasetFile({ ...o, evaluator: failsAtThird, concurrency: 1 });
    expect(failed).toMatchObject({ left: { _tag: 'InvalidInput', path: 'evaluator', value: 2 } });
    expect(E.isLeft(failed) && failed.left.message).toMatch(/evaluator threw on arch_.*: simulator crashed; the 2 rows before it are in/);
    const full = await fs.readFile(path.join(tmp, 'full.csv'), 'utf8');
    const kept = await fs.readFile(o.out, 'utf8');
    expect(kept.split('\n')).toHaveLength(4); // header, two rows, and the final newline's empty piece
    expect(full.startsWith(kept)).toBe(true);
    expect(await generateDatasetFile(o)).toMatchObject({ right: { rows: 960, resumedFrom: 2, complete: true } });
    expect(await fs.readFile(o.out, 'utf8')).toBe(full);
  });
});

