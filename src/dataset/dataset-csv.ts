/**
 * Dataset CSV files of any space: VAESA's columns for Simba's space (./csv.ts), the generic columns
 * otherwise (./design-csv.ts). A reader tells them apart by the header.
 */
import { isSimbaSpace, type DesignSpace } from '../hardware/space';
import type { ConvLayer } from '../workload/layer';
import type { Layer } from '../workload/lower';
import { createVaesaCsvReader, formatVaesaRow, vaesaHeader } from './csv';
import type { CsvLineReader } from './csv-lines';
import { createDesignCsvReader, designCsvHeader, formatDesignCsvRow, isDesignCsvHeader } from './design-csv';
import type { DatasetRow } from './row';

/** How rows of a space are written: the header and one line per row. */
export interface DatasetCsvFormat<P extends string> {
  readonly header: string;
  formatRow(row: DatasetRow<P>): string;
}

/**
 * The file format of a space's rows: VAESA's training file (with `prob_*` columns) for Simba's space,
 * the generic columns otherwise; `withArea` adds the area column (mm²).
 */
export function datasetCsvFormat<P extends string>(space: DesignSpace<P>, withArea: boolean): DatasetCsvFormat<P> {
  if (isSimbaSpace(space)) {
    const columns = { withLayer: true, withArea };
    return { header: vaesaHeader(columns), formatRow: (row) => formatVaesaRow(row as unknown as DatasetRow, columns) };
  }
  return { header: designCsvHeader(space, withArea), formatRow: (row) => formatDesignCsvRow(space, row, withArea) };
}

export interface DatasetCsvReadOptions {
  /** Name for messages (the file path). */
  readonly source: string;
  /** The space of a generic file: its parameters must be the columns and designs valid in it (VAESA files are Simba's). */
  readonly space?: DesignSpace;
  /** The layer of a VAESA per-layer file. */
  readonly fileLayer?: ConvLayer;
  readonly skipBadRows?: boolean;
}

/** An incremental reader of either format, chosen by the header line. */
export function createDatasetCsvReader(options: DatasetCsvReadOptions): CsvLineReader<DatasetRow<string, Layer>> {
  let reader: CsvLineReader<DatasetRow<string, Layer>> | undefined;
  return {
    push(line, unterminated) {
      reader ??= isDesignCsvHeader(line) ? createDesignCsvReader(options) : (createVaesaCsvReader(options) as unknown as CsvLineReader<DatasetRow<string, Layer>>);
      return reader.push(line, unterminated);
    },
    finish() {
      return (reader ?? createDesignCsvReader(options)).finish();
    },
  };
}
