import * as t from 'io-ts';
import * as E from 'fp-ts/Either';

/**
 * Errors returned (never thrown) by fallible entry points: parsing files, decoding user JSON,
 * loading checkpoints, solving (the MIP mapper: `Infeasible`, `Timeout`, `SolverError`). A caller can
 * switch on `_tag`; the CLI prints `formatError(e)` as one line.
 */
export type VaesaError =
  | { readonly _tag: 'InvalidInput'; readonly path: string; readonly value: unknown; readonly message: string }
  | { readonly _tag: 'ParseError'; readonly source: string; readonly line?: number; readonly column?: string; readonly message: string }
  | { readonly _tag: 'IoError'; readonly path: string; readonly message: string }
  | { readonly _tag: 'Infeasible'; readonly message: string }
  /** A time limit ran out before any result was found; `seconds` is the time spent. */
  | { readonly _tag: 'Timeout'; readonly message: string; readonly seconds: number }
  /** An external solver (HiGHS) failed in a way no input explains. */
  | { readonly _tag: 'SolverError'; readonly message: string };

export const invalidInput = (path: string, value: unknown, message: string): VaesaError => ({
  _tag: 'InvalidInput',
  path,
  value,
  message,
});

export const parseError = (source: string, message: string, line?: number, column?: string): VaesaError => ({
  _tag: 'ParseError',
  source,
  message,
  ...(line === undefined ? {} : { line }),
  ...(column === undefined ? {} : { column }),
});

/** One human-readable line for an error. */
export function formatError(e: VaesaError): string {
  switch (e._tag) {
    case 'InvalidInput':
      return `invalid ${e.path || 'input'}: ${e.message} (got ${showValue(e.value)})`;
    case 'ParseError':
      return `${e.source}${e.line === undefined ? '' : `:${e.line}`}${e.column === undefined ? '' : ` column ${e.column}`}: ${e.message}`;
    case 'IoError':
      return `${e.path}: ${e.message}`;
    case 'Infeasible':
      return `infeasible: ${e.message}`;
    case 'Timeout':
      return `timeout after ${e.seconds.toFixed(1)} s: ${e.message}`;
    case 'SolverError':
      return `solver error: ${e.message}`;
  }
}

export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing (missing)';
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/** The path of an io-ts validation error, e.g. `layers[3].K`. */
function errorPath(err: t.ValidationError): string {
  let path = '';
  for (const c of err.context) {
    if (c.key === '') continue;
    path += /^\d+$/.test(c.key) ? `[${c.key}]` : path === '' ? c.key : `.${c.key}`;
  }
  return path;
}

/**
 * Decodes `value` with an io-ts codec; on failure returns the first error as an
 * `InvalidInput` naming the field path (prefixed by `root`) and the bad value.
 */
export function decodeWith<A, O, I>(codec: t.Type<A, O, I>, value: I, root = ''): E.Either<VaesaError, A> {
  const result = codec.decode(value);
  if (E.isRight(result)) return result;
  const first = result.left[0];
  const inner = errorPath(first);
  const path = root === '' ? inner : inner === '' ? root : inner.startsWith('[') ? `${root}${inner}` : `${root}.${inner}`;
  const message = first.message ?? `expected ${first.context[first.context.length - 1]?.type.name ?? 'a valid value'}`;
  return E.left(invalidInput(path, first.value, message));
}

/** A branded positive integer codec with a readable failure message. */
export const PositiveInt = new t.Type<number, number, unknown>(
  'PositiveInt',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u > 0,
  (u, c) =>
    typeof u === 'number' && Number.isInteger(u) && u > 0
      ? t.success(u)
      : t.failure(u, c, 'must be a positive integer'),
  (a) => a,
);

/**
 * A user-input problem found deep inside a module (an optimiser's option, a constraint the evaluator
 * cannot serve): thrown there and turned into a `Left` by the module's entry point, which catches it with
 * `catchInputError`. Building blocks called on their own (e.g. `gridOptimizer`) let it through.
 */
export class InputError extends Error {
  constructor(readonly error: VaesaError) {
    super(formatError(error));
    this.name = 'InputError';
  }
}

/** The value of a `Right`; a `Left` is thrown as an `InputError` (for `catchInputError` at the entry point). */
export function orInputError<T>(e: E.Either<VaesaError, T>): T {
  if (E.isLeft(e)) throw new InputError(e.left);
  return e.right;
}

/** Runs `f`, returning its value as a `Right` or an `InputError` it threw as a `Left`; anything else propagates. */
export async function catchInputError<T>(f: () => Promise<T>): Promise<E.Either<VaesaError, T>> {
  try {
    return E.right(await f());
  } catch (e) {
    if (e instanceof InputError) return E.left(e.error);
    throw e;
  }
}
