/** Line-by-line reading of CSV files, shared by VAESA's format (./csv.ts) and the generic one (./design-csv.ts). */
import * as E from 'fp-ts/Either';
import { parseError, type VaesaError } from '../common/errors';

/** The rows of a file and what was skipped. */
export interface CsvRead<R> {
  readonly rows: R[];
  /** Number of bad rows skipped (only with `skipBadRows`). */
  readonly skipped: number;
  /** The first few errors of skipped rows, for a report. */
  readonly skippedErrors: readonly VaesaError[];
}

/** How many skipped-row errors a read keeps for its report. */
export const MAX_REPORTED_ERRORS = 10;

/**
 * An incremental reader: feed it lines (without newline) in order, then `finish()`.
 * Lets the edge stream a large or gzipped file through the same rules as a whole-text parse.
 */
export interface CsvLineReader<R> {
  /**
   * Takes the next line; returns an error to stop on (never in skip mode, except for a bad header).
   * `unterminated` marks a file's last line when no newline follows it: every writer of these files
   * ends each line with one, so such a line is taken as cut short (`2621` where `262144` was
   * written) and refused (or skipped and counted with `skipBadRows`).
   */
  push(line: string, unterminated?: boolean): VaesaError | undefined;
  finish(): E.Either<VaesaError, CsvRead<R>>;
}

/** A line reader from a header parser and a row parser: blank lines are ignored, bad rows fail or are skipped and counted. */
export function createCsvLineReader<L, R>(
  options: { readonly source: string; readonly skipBadRows?: boolean },
  parseHeader: (line: string) => E.Either<VaesaError, L>,
  parseRow: (line: string, layout: L, lineNo: number) => E.Either<VaesaError, R>,
): CsvLineReader<R> {
  let layout: L | undefined;
  let lineNo = 0;
  let skipped = 0;
  const skippedErrors: VaesaError[] = [];
  const rows: R[] = [];
  const skip = (error: VaesaError): undefined => {
    skipped++;
    if (skippedErrors.length < MAX_REPORTED_ERRORS) skippedErrors.push(error);
    return undefined;
  };
  return {
    push(line, unterminated = false) {
      lineNo++;
      if (unterminated && line !== '' && line !== '\r') {
        const cut = parseError(options.source, 'the last line does not end with a newline, so it may be cut short (an interrupted write or copy); if it is complete, end the file with a newline', lineNo);
        return layout === undefined || !options.skipBadRows ? cut : skip(cut);
      }
      if (layout === undefined) {
        const header = parseHeader(line);
        if (E.isLeft(header)) return header.left;
        layout = header.right;
        return undefined;
      }
      if (line === '' || line === '\r') return undefined;
      const row = parseRow(line, layout, lineNo);
      if (E.isRight(row)) {
        rows.push(row.right);
        return undefined;
      }
      return options.skipBadRows ? skip(row.left) : row.left;
    },
    finish() {
      if (layout === undefined) return E.left(parseError(options.source, 'empty file: no header'));
      return E.right({ rows, skipped, skippedErrors });
    },
  };
}

/** Parses a whole text through a line reader; like a file, it must end with a newline (see `CsvLineReader.push`). */
export function parseCsvText<R>(text: string, reader: CsvLineReader<R>): E.Either<VaesaError, CsvRead<R>> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    const unterminated = end < 0;
    if (unterminated) end = text.length;
    const error = reader.push(text.slice(start, end), unterminated);
    if (error) return E.left(error);
    start = end + 1;
  }
  return reader.finish();
}
