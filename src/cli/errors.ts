import * as E from 'fp-ts/Either';
import { formatError, type VaesaError } from '../common/errors';
import type { EvaluatorModule } from '../dataset/evaluator-module';

/** A user mistake (bad flag, bad file): printed as one line, exit code 2, no stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** A run stopped by Ctrl-C after saving what it had: its message goes to stderr, exit code 130 (128 + SIGINT). */
export class CliInterrupted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliInterrupted';
  }
}

/** Unwraps an Either from the library, turning its error into a one-line CliError. */
export function orFail<A>(result: E.Either<VaesaError, A>): A {
  if (E.isLeft(result)) throw new CliError(formatError(result.left));
  return result.right;
}

/** Parses a positive integer flag value. */
export function parsePositiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new CliError(`${flag} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** Parses a positive (finite) number flag value. */
export function parsePositiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(Number.isFinite(n) && n > 0)) throw new CliError(`${flag} must be a positive number, got "${value}"`);
    return n;
  };
}

/** Parses an integer flag value (seeds may be 0 or negative). */
export function parseInteger(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new CliError(`${flag} must be an integer from -(2^53 - 1) to 2^53 - 1, got "${value}"`);
    return n;
  };
}

/** Parses a flag whose value must be one of `choices`. */
export function parseChoice<T extends string>(flag: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new CliError(`${flag} must be one of ${choices.join(', ')}, got "${value}"`);
    }
    return value as T;
  };
}

/** `--evaluator path/to/module.js#factory` as an `EvaluatorModule`. */
export function parseEvaluatorFlag(value: string): EvaluatorModule {
  const hash = value.lastIndexOf('#');
  if (hash <= 0 || hash === value.length - 1) throw new CliError(`--evaluator must be module#export (e.g. ./my-evaluator.js#createEvaluator), got "${value}"`);
  return { module: value.slice(0, hash), export: value.slice(hash + 1) };
}
