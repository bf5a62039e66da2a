import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { formatError, type VaesaError } from '../../src/common';
import {
  formatVaesaCsv,
  formatVaesaRow,
  layerFromFileName,
  parseVaesaCsv,
  vaesaHeader,
  type DatasetRow,
} from '../../src/dataset';
import { simbaDefaultArch } from '../../src/hardware';
import { convLayer } from '../../src/workload';

const VAESA_TRAINING_HEADER =
  'name,unique_cycle_sum,unique_energy_sum,arith_meshX,arith_ins,mem0_ins,mem0_ent,mem1_ins,mem1_ent,mem2_ins,mem2_ent,mem3_ins,mem3_ent,mem4_ins,mem4_ent,prob_0,prob_1,prob_2,prob_3,prob_4,prob_5,prob_6,prob_7,prob_8';

const layer = convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 256, K: 256, N: 1, strideW: 2, strideH: 2 });
const row: DatasetRow = { arch: simbaDefaultArch, layer, cycles: 200704, energy: 365745365.15 };

function leftOf<A>(r: E.Either<VaesaError, A>): VaesaError {
  if (E.isRight(r)) throw new Error('expected a failure');
  return r.left;
}

describe('VAESA CSV format', () => {
  it("writes VAESA's exact training header and a per-layer header without prob_*", () => {
    expect(vaesaHeader({ withLayer: true, withArea: false })).toBe(VAESA_TRAINING_HEADER);
    expect(vaesaHeader({ withLayer: false, withArea: false })).toBe(VAESA_TRAINING_HEADER.replace(/,prob_.*$/, ''));
    expect(vaesaHeader({ withLayer: true, withArea: true })).toBe(`${VAESA_TRAINING_HEADER},area`);
  });

  it("formats a row in VAESA's column order with Simba's instance counts", () => {
    expect(formatVaesaRow(row, { withLayer: true, withArea: false })).toBe(
      'arch_16_8_64_16384_1024_65536,200704,365745365.15,16,1024,1024,1,128,64,128,16384,64,1024,1,65536,3,3,14,14,256,256,1,2,2',
    );
  });

  it('round-trips rows exactly (write -> read)', () => {
    const arb = fc.record({
      arch: fc.record({
        meshX: fc.constantFrom(1, 2, 4, 8, 16, 32, 64),
        macs: fc.integer({ min: 1, max: 32 }).map((k) => 128 * k),
        accumulationBuffer: fc.integer({ min: 1, max: 128 }).map((k) => 2 * k),
        weightBuffer: fc.integer({ min: 1, max: 256 }).map((k) => 256 * k),
        inputBuffer: fc.integer({ min: 1, max: 2048 }).map((k) => 2 * k),
        globalBuffer: fc.integer({ min: 1, max: 256 }).map((k) => 1024 * k),
      }),
      layer: fc
        .tuple(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 2 }))
        .map(([r, c, s]) => convLayer({ R: r, S: r, P: 7, Q: 9, C: c, K: 64, N: 1, strideW: s, strideH: s })),
      cycles: fc.integer({ min: 1, max: 2 ** 40 }),
      energy: fc.double({ min: 1e-3, max: 1e15, noNaN: true }),
      area: fc.double({ min: 0, max: 1e3, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(arb, { minLength: 1, maxLength: 20 }), (rows) => {
        const columns = { withLayer: true, withArea: true };
        const back = parseVaesaCsv(formatVaesaCsv(rows, columns), { source: 't.csv' });
        expect(back).toEqual(E.right({ rows, skipped: 0, skippedErrors: [] }));
      }),
    );
  });

  it('reads a per-layer file with the layer given by its name', () => {
    const text = `${vaesaHeader({ withLayer: false, withArea: false })}\n${formatVaesaRow(row, { withLayer: false, withArea: false })}\r\n`;
    const read = parseVaesaCsv(text, { source: 'x.csv', fileLayer: layer });
    expect(read).toEqual(E.right({ rows: [row], skipped: 0, skippedErrors: [] }));
    expect(leftOf(parseVaesaCsv(text, { source: 'x.csv' }))).toMatchObject({ _tag: 'ParseError', line: 1 });
  });

  describe('bad rows', () => {
    const good = formatVaesaRow(row, { withLayer: true, withArea: false });
    const cells = good.split(',');
    const withCell = (i: number, v: string) => cells.map((c, k) => (k === i ? v : c)).join(',');
    const file = (...lines: string[]) => `${[VAESA_TRAINING_HEADER, good, ...lines, good].join('\n')}\n`;

    it('rejects a missing column, a non-number and a negative energy with line and column', () => {
      expect(leftOf(parseVaesaCsv(file(cells.slice(0, -1).join(',')), { source: 'd.csv' }))).toEqual({
        _tag: 'ParseError',
        source: 'd.csv',
        line: 3,
        column: 'prob_8',
        message: 'expected 24 columns, found 23',
      });
      expect(leftOf(parseVaesaCsv(file(good, withCell(1, 'fast')), { source: 'd.csv' }))).toEqual({
        _tag: 'ParseError',
        source: 'd.csv',
        line: 4,
        column: 'unique_cycle_sum',
        message: 'must be a positive decimal number up to 1e+100 (got "fast")',
      });
      expect(leftOf(parseVaesaCsv(file(withCell(2, '-3.5')), { source: 'd.csv' }))).toMatchObject({ line: 3, column: 'unique_energy_sum' });
      expect(leftOf(parseVaesaCsv(file(withCell(19, '')), { source: 'd.csv' }))).toMatchObject({ line: 3, column: 'prob_4' });
      expect(leftOf(parseVaesaCsv(file(withCell(10, '1.5')), { source: 'd.csv' }))).toMatchObject({ line: 3, column: 'mem2_ent' });
      expect(leftOf(parseVaesaCsv(file(withCell(22, '0')), { source: 'd.csv' }))).toMatchObject({ line: 3, column: 'prob_7' });
    });

    it('reads unusual but valid cells the same way as plain ones, and rejects a zero instance count', () => {
      const read = (line: string) => parseVaesaCsv(`${VAESA_TRAINING_HEADER}\n${line}\n`, { source: 'd.csv' });
      const plain = read(good);
      expect(E.isRight(plain)).toBe(true);
      expect(read(withCell(8, '64.0'))).toEqual(plain);
      expect(read(withCell(8, '0064'))).toEqual(plain);
      expect(read(`${good}\r`)).toEqual(plain);
      expect(read(withCell(1, '2.00704e5'))).toEqual(plain);
      // Beyond 2^31 - 1 a design parameter is out of range (and past 2^53 not even exact).
      expect(leftOf(read(withCell(14, '1234567890123456789')))).toMatchObject({ line: 2, column: 'mem4_ent' });
      expect(leftOf(read(withCell(6, '0')))).toMatchObject({ line: 2, column: 'mem0_ent' });
      expect(leftOf(read(withCell(13, '-1')))).toMatchObject({ line: 2, column: 'mem4_ins' });
      expect(leftOf(read(`${good},`))).toMatchObject({ line: 2, message: 'expected 24 columns, found 25' });
    });

    it('skips and counts bad rows when asked', () => {
      const read = parseVaesaCsv(file(withCell(2, '-1'), 'garbage', withCell(4, 'x')), { source: 'd.csv', skipBadRows: true });
      expect(E.isRight(read) && read.right.rows).toHaveLength(2);
      expect(E.isRight(read) && read.right.skipped).toBe(3);
      expect(E.isRight(read) && read.right.skippedErrors.map((e) => (e._tag === 'ParseError' ? e.line : 0))).toEqual([3, 4, 5]);
    });

    it('rejects a wrong header', () => {
      expect(leftOf(parseVaesaCsv(VAESA_TRAINING_HEADER.replace('arith_ins', 'macs'), { source: 'd.csv' }))).toMatchObject({ line: 1 });
      expect(leftOf(parseVaesaCsv(`${VAESA_TRAINING_HEADER},extra`, { source: 'd.csv' }))).toMatchObject({ line: 1 });
      expect(leftOf(parseVaesaCsv('', { source: 'd.csv' }))).toMatchObject({ _tag: 'ParseError' });
    });
  });

  it('takes the layer from reference and VAESA file names', () => {
    expect(layerFromFileName('/x/3_3_14_14_256_256_1_2_2_1_1.csv.gz')).toEqual(E.right(layer));
    expect(layerFromFileName('dataset_3_3_14_14_256_256_1_2_2_1_1.csv')).toEqual(E.right(layer));
    expect(E.isLeft(layerFromFileName('dataset_all_layer.csv'))).toBe(true);
    expect(E.isLeft(layerFromFileName('3_3_14_14_0_256_1_2_2_1_1.csv'))).toBe(true);
  });

  describe('cells that are not plain decimal numbers, cut lines, BOMs and binary files', () => {
    const good = formatVaesaRow(row, { withLayer: true, withArea: false });
    const cells = good.split(',');
    const withCell = (i: number, v: string) => cells.map((c, k) => (k === i ? v : c)).join(',');
    const read = (text: string, skipBadRows = false) => parseVaesaCsv(text, { source: 'd.csv', skipBadRows });
    const one = (line: string) => read(`${VAESA_TRAINING_HEADER}\n${line}\n`);

    it('refuses Infinity, hexadecimal, out-of-range and padded numbers, naming the column', () => {
      for (const [i, v, column] of [
        [1, 'Infinity', 'unique_cycle_sum'],
        [2, '1e308', 'unique_energy_sum'],
        [2, '-Infinity', 'unique_energy_sum'],
        [4, '0x10', 'arith_ins'],
        [8, '0b1000000', 'mem1_ent'],
        [8, ' 64', 'mem1_ent'],
        [20, '1e300', 'prob_5'],
      ] as const) {
        expect({ v, left: leftOf(one(withCell(i, v))) }).toMatchObject({ v, left: { line: 2, column } });
      }
      expect(E.isRight(one(withCell(2, '3.6574536515e8')))).toBe(true);
    });

    it('refuses a last line without a newline (it may be cut short), or skips and counts it', () => {
      const whole = `${VAESA_TRAINING_HEADER}\n${good}\n${good}\n`;
      expect(E.isRight(read(whole)) && read(whole)).toMatchObject({ right: { rows: [{}, {}] } });
      const cut = whole.slice(0, -4); // `...,1,2,2\n` loses its last cells: still a valid-looking row
      expect(leftOf(read(cut))).toMatchObject({ _tag: 'ParseError', line: 3, message: expect.stringMatching(/does not end with a newline/) });
      expect(read(cut, true)).toMatchObject({ right: { rows: [{}], skipped: 1 } });
      expect(leftOf(read(VAESA_TRAINING_HEADER))).toMatchObject({ line: 1, message: expect.stringMatching(/does not end with a newline/) });
    });

    it('reads a header with a byte-order mark, and keeps messages about binary data short', () => {
      expect(read(`\uFEFF${VAESA_TRAINING_HEADER}\n${good}\n`)).toEqual(read(`${VAESA_TRAINING_HEADER}\n${good}\n`));
      const binary = String.fromCharCode(...Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
      const header = leftOf(read(`${binary}\n`));
      expect(formatError(header).length).toBeLessThan(200);
      const row = leftOf(read(`${VAESA_TRAINING_HEADER}\n${withCell(3, binary.replace(/[,\n]/g, ''))}\n`));
      expect(formatError(row).length).toBeLessThan(200);
    });
  });
});

