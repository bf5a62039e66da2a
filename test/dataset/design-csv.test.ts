import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { createRng } from '../../src/common/rng';
import { createDatasetCsvReader, formatDesignCsv, parseCsvText, parseVaesaCsv, datasetCsvFormat, formatVaesaCsv } from '../../src/dataset';
import { readDatasetCsv, readDatasetCsvFiles, writeDatasetCsv } from '../../src/dataset/node';
import type { DatasetRow } from '../../src/dataset/row';
import { defineSpace, sampleDesign, simbaSpace, type DesignSpace } from '../../src/hardware';
import { convLayer } from '../../src/workload/layer';
import type { Layer } from '../../src/workload/lower';
import { batchedMatmul, depthwiseConv, groupedConv, matmul } from '../../src/workload/problem';

function ownSpace(): DesignSpace<'peX' | 'sramKiB' | 'clock'> {
  const defined = defineSpace({
    name: 'own',
    params: [
      { name: 'peX', min: 2, max: 32, grid: { kind: 'pow2' } },
      { name: 'sramKiB', grid: { kind: 'values', values: [32, 48, 64, 96] } },
      { name: 'clock', min: 0.5, max: 2, grid: { kind: 'multiple', step: 0.1 }, encoding: 'linear' },
    ],
  });
  if (E.isLeft(defined)) throw new Error('own space');
  return defined.right;
}

const layers = [convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 128, N: 1, strideW: 2, strideH: 2 }), convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 2048, K: 1000, N: 1 })];

function rows<P extends string>(space: DesignSpace<P>, count: number, withArea: boolean): DatasetRow<P>[] {
  const rng = createRng(5);
  return Array.from({ length: count }, (_, i) => ({
    arch: sampleDesign(space, rng),
    layer: layers[i % 2],
    cycles: 1000 + i * 17.5,
    energy: 1e9 / (i + 1),
    ...(withArea ? { area: i / 3 } : {}),
  }));
}

describe('generic dataset CSV', () => {
  const space = ownSpace();

  it('writes one column per parameter and the problem, and reads the same rows back', () => {
    const written = rows(space, 12, true);
    const text = formatDesignCsv(space, written, true);
    const [header, first] = text.split('\n');
    expect(header).toBe('peX,sramKiB,clock,shape,bounds,coefficients,cycles,energy,area');
    expect(first).toBe(`${written[0].arch.peX},${written[0].arch.sramKiB},${written[0].arch.clock},CNN-Layer,R=3 S=3 P=14 Q=14 C=64 K=128 N=1,Wstride=2 Hstride=2,1000,1000000000,0`);
    const read = parseCsvText(text, createDatasetCsvReader({ source: 'own.csv', space }));
    expect(read).toEqual(E.right({ rows: written, skipped: 0, skippedErrors: [] }));
    expect(text.split('\n')[2]).toContain(',CNN-Layer,R=1 S=1 P=1 Q=1 C=2048 K=1000 N=1,,');
  });

  it('writes and reads back rows of every built-in problem shape (grouped, depthwise, GEMM, batched GEMM with and without weights)', () => {
    const ok = <T>(e: E.Either<unknown, T>): T => {
      if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
      return e.right;
    };
    const problems: Layer[] = [
      ok(groupedConv({ G: 32, R: 3, S: 3, P: 28, Q: 28, C: 4, K: 4, N: 1, strideW: 2, strideH: 2 })),
      ok(depthwiseConv({ G: 144, R: 3, S: 3, P: 56, Q: 56, N: 1 })),
      ok(matmul({ M: 128, N: 768, K: 64 })),
      ok(batchedMatmul({ B: 12, M: 128, N: 128, K: 64 })),
      ok(batchedMatmul({ B: 2, M: 8, N: 16, K: 32, weightsAreActivations: false })),
      layers[0],
    ];
    const written: DatasetRow<'peX' | 'sramKiB' | 'clock', Layer>[] = rows(space, problems.length, false).map((r, i) => ({ ...r, layer: problems[i] }));
    const text = formatDesignCsv(space, written, false);
    const lines = text.split('\n');
    expect(lines[1]).toContain(',GroupedConv,G=32 R=3 S=3 P=28 Q=28 C=4 K=4 N=1,Wstride=2 Hstride=2,');
    expect(lines[3]).toContain(',GEMM,M=128 N=768 K=64,,');
    expect(lines[4]).toContain(',BatchedGEMM,B=12 M=128 N=128 K=64,,');
    expect(lines[5]).toContain(',BatchedGEMM+Weights,B=2 M=8 N=16 K=32,,');
    const read = parseCsvText(text, createDatasetCsvReader({ source: 'own.csv', space }));
    expect(read).toEqual(E.right({ rows: written, skipped: 0, skippedErrors: [] }));
    const unknown = [lines[0], lines[3].replace(',GEMM,', ',Attention,'), ''].join('\n');
    expect(parseCsvText(unknown, createDatasetCsvReader({ source: 'f.csv' }))).toMatchObject({ left: { line: 2, column: 'shape' } });
    const wrongDim = [lines[0], lines[3].replace('M=128', 'P=128'), ''].join('\n');
    expect(parseCsvText(wrongDim, createDatasetCsvReader({ source: 'f.csv' }))).toMatchObject({ left: { line: 2, column: 'bounds' } });
    const custom = { ...ok(matmul({ M: 2, N: 2, K: 2 })), kind: 'custom' as const, shape: { ...ok(matmul({ M: 2, N: 2, K: 2 })).shape, name: 'Mine' } };
    expect(() => formatDesignCsv(space, [{ ...written[0], layer: custom }], false)).toThrow(/no CSV form/);
  });

  it('names the line and column of a bad cell, and checks the header and designs against the space', () => {
    const text = formatDesignCsv(space, rows(space, 3, false), false);
    const lines = text.split('\n');
    const read = (t: string, s?: DesignSpace) => parseCsvText(t, createDatasetCsvReader({ source: 'f.csv', ...(s ? { space: s } : {}) }));
    const badDesign = [lines[0], lines[1].replace(/^\d+,\d+/, '3,50'), ''].join('\n');
    expect(read(badDesign, space)).toMatchObject({ left: { _tag: 'ParseError', line: 2, column: 'peX', message: 'peX = 3 is not a power of two' } });
    expect(read(badDesign)).toMatchObject({ _tag: 'Right' });
    const badEnergy = [lines[0], lines[1].replace(/,[^,]+$/, ',-1'), ''].join('\n');
    expect(read(badEnergy)).toMatchObject({ left: { line: 2, column: 'energy' } });
    const badBounds = [lines[0], lines[1].replace('R=3 ', ''), ''].join('\n');
    expect(read(badBounds)).toMatchObject({ left: { line: 2, column: 'bounds', message: 'bounds: R is missing' } });
    const otherSpace = lines.join('\n').replace(/^peX,sramKiB/, 'peY,sramKiB');
    expect(read(otherSpace, space)).toMatchObject({ left: { line: 1, message: expect.stringMatching(/expected column 1 to be peX/) } });
    const skipped = parseCsvText(badEnergy, createDatasetCsvReader({ source: 'f.csv', skipBadRows: true }));
    expect(skipped).toMatchObject({ right: { rows: [], skipped: 1 } });
  });

  it("Simba's space keeps VAESA's columns, and the same reader reads both formats", () => {
    const simbaRows = rows(simbaSpace, 4, false);
    const format = datasetCsvFormat(simbaSpace, false);
    const text = [format.header, ...simbaRows.map(format.formatRow), ''].join('\n');
    expect(text).toBe(formatVaesaCsv(simbaRows, { withLayer: true, withArea: false }));
    const viaBoth = parseCsvText(text, createDatasetCsvReader({ source: 'simba.csv' }));
    expect(viaBoth).toEqual(parseVaesaCsv(text, { source: 'simba.csv' }));
  });

  it('files: written and read back, plain and gzipped, either format', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vaesa-design-csv-'));
    try {
      const own = rows(space, 10, false);
      const simba = rows(simbaSpace, 10, true);
      expect(await writeDatasetCsv(path.join(dir, 'own.csv.gz'), space, own)).toEqual(E.right({ rows: 10 }));
      expect(await writeDatasetCsv(path.join(dir, 'simba.csv'), simbaSpace, simba, { withArea: true })).toEqual(E.right({ rows: 10 }));
      expect(await readDatasetCsv(path.join(dir, 'own.csv.gz'), { space })).toEqual(E.right({ rows: own, skipped: 0, skippedErrors: [] }));
      expect(await readDatasetCsv(path.join(dir, 'simba.csv'))).toEqual(E.right({ rows: simba, skipped: 0, skippedErrors: [] }));
      const both = await readDatasetCsvFiles([dir]);
      expect(E.isRight(both) && both.right.rows.length).toBe(20);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
