import * as E from 'fp-ts/Either';
import { formatError, type VaesaError } from '../src/common/errors';

/** The value of a `Right`; a `Left` stops the bench or script with the error's one-line message. */
export function orThrow<T>(e: E.Either<VaesaError, T>): T {
  if (E.isLeft(e)) throw new Error(formatError(e.left));
  return e.right;
}
