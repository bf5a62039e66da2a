import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as E from 'fp-ts/Either';
import { formatError, type VaesaError } from '../common/errors';
import type { Evaluator } from '../common/evaluator';
import type { SimbaParam } from '../hardware/space';

/**
 * An evaluator named by where to load it, so that worker threads can build their own copy:
 * `module` is a package name or a file path (relative paths are resolved from the working directory;
 * `vaesa/node` always finds this library),
 * `export` names a factory `(options) => Evaluator | Either<VaesaError, Evaluator>` (or a promise of
 * either) exported by it, and `options`
 * (structured-cloneable, e.g. JSON) is passed to the factory.
 */
export interface EvaluatorModule {
  readonly module: string;
  readonly export: string;
  readonly options?: unknown;
}

/** An evaluator function (in this thread only) or a module that every worker loads. */
export type EvaluatorSource<P extends string = SimbaParam> = Evaluator<P> | EvaluatorModule;

type FactoryResult = Evaluator | E.Either<VaesaError, Evaluator>;
type EvaluatorFactory = (options: unknown) => FactoryResult | Promise<FactoryResult>;

/**
 * Loads a module (CommonJS first, then as an ES module) the way a user's path or package name means it:
 * from the working directory, or else from this library's own location, so that `vaesa` and `vaesa/node`
 * (the package naming itself) resolve even where the working directory has no node_modules.
 */
async function importModule(specifier: string): Promise<Record<string, unknown>> {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  const resolved = isPath ? path.resolve(specifier) : resolvePackage(specifier);
  try {
    return createRequire(__filename)(resolved) as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw e;
    return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  }
}

function resolvePackage(name: string): string {
  try {
    return createRequire(path.join(process.cwd(), 'noop.js')).resolve(name);
  } catch (e) {
    if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e;
    return createRequire(__filename).resolve(name);
  }
}

/** Builds the evaluator an `EvaluatorModule` names. Throws if the module or export is missing or the factory refuses its options (a setup error). */
export async function loadEvaluator(spec: EvaluatorModule): Promise<Evaluator> {
  const mod = await importModule(spec.module);
  const factory = mod[spec.export];
  if (typeof factory !== 'function') {
    throw new TypeError(`evaluator module ${spec.module} has no function export ${spec.export}`);
  }
  const made = await (factory as EvaluatorFactory)(spec.options);
  if (typeof made !== 'function' && E.isLeft(made)) throw new TypeError(`${spec.module}#${spec.export}: ${formatError(made.left)}`);
  const evaluator = typeof made === 'function' ? made : made.right;
  if (typeof evaluator !== 'function') throw new TypeError(`${spec.module}#${spec.export} did not return an evaluator function`);
  return evaluator;
}
