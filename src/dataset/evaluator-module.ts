import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Evaluator } from '../common/evaluator';

/**
 * An evaluator named by where to load it, so that worker threads can build their own copy:
 * `module` is a package name or a file path (relative paths are resolved from the working directory),
 * `export` names a factory `(options) => Evaluator | Promise<Evaluator>` exported by it, and `options`
 * (structured-cloneable, e.g. JSON) is passed to the factory.
 */
export interface EvaluatorModule {
  readonly module: string;
  readonly export: string;
  readonly options?: unknown;
}

/** An evaluator function (in this thread only) or a module that every worker loads. */
export type EvaluatorSource = Evaluator | EvaluatorModule;

type EvaluatorFactory = (options: unknown) => Evaluator | Promise<Evaluator>;

/** Loads a module (CommonJS first, then as an ES module) the way a user's path or package name means it. */
async function importModule(specifier: string): Promise<Record<string, unknown>> {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  const resolved = isPath ? path.resolve(specifier) : specifier;
  const requireFromCwd = createRequire(path.join(process.cwd(), 'noop.js'));
  try {
    return requireFromCwd(resolved) as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw e;
    return (await import(isPath ? pathToFileURL(resolved).href : resolved)) as Record<string, unknown>;
  }
}

/** Builds the evaluator an `EvaluatorModule` names. Throws if the module or export is missing (a setup error). */
export async function loadEvaluator(spec: EvaluatorModule): Promise<Evaluator> {
  const mod = await importModule(spec.module);
  const factory = mod[spec.export];
  if (typeof factory !== 'function') {
    throw new TypeError(`evaluator module ${spec.module} has no function export ${spec.export}`);
  }
  const evaluator = await (factory as EvaluatorFactory)(spec.options);
  if (typeof evaluator !== 'function') throw new TypeError(`${spec.module}#${spec.export} did not return an evaluator function`);
  return evaluator;
}
