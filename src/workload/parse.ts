import * as E from 'fp-ts/Either';
import { load as loadYaml } from 'js-yaml';
import { decodeWith, invalidInput, parseError, type VaesaError } from '../common/errors';
import { ConvLayerCodec, layerName, type ConvLayer } from './layer';
import { ConvNetworkCodec, NetworkCodec, networkOf, type ConvNetwork, type Network } from './network';

/** Column order of VAESA's layer vectors (workload JSON and the `prob_*` CSV columns). */
export const VAESA_LAYER_FIELDS = ['R', 'S', 'P', 'Q', 'C', 'K', 'N', 'strideW', 'strideH'] as const;

/** VAESA's names for the same columns (Timeloop's problem keys). */
const VAESA_LAYER_KEYS = ['R', 'S', 'P', 'Q', 'C', 'K', 'N', 'Wstride', 'Hstride'] as const;

/** Parses JSON text, reporting a syntax error as a `ParseError` of `source`. */
export function parseJson(text: string, source: string): E.Either<VaesaError, unknown> {
  try {
    return E.right(JSON.parse(text) as unknown);
  } catch (e) {
    return E.left(parseError(source, `not valid JSON: ${(e as Error).message}`));
  }
}

/** Parses YAML text, reporting a syntax error as a `ParseError` of `source` with its line. */
export function parseYaml(text: string, source: string): E.Either<VaesaError, unknown> {
  try {
    return E.right(loadYaml(text));
  } catch (e) {
    const mark = (e as { mark?: { line?: number } }).mark;
    const reason = (e as { reason?: string }).reason ?? (e as Error).message;
    return E.left(parseError(source, `not valid YAML: ${reason}`, mark?.line === undefined ? undefined : mark.line + 1));
  }
}

/**
 * Decodes one VAESA layer vector `[R, S, P, Q, C, K, N, Wstride, Hstride]` (dilations are 1).
 * A bad entry is reported under the field's name, e.g. `[2].C`.
 */
export function decodeVaesaLayer(value: unknown, root = ''): E.Either<VaesaError, ConvLayer> {
  if (!Array.isArray(value) || value.length !== VAESA_LAYER_FIELDS.length) {
    return E.left(invalidInput(root, value, `expected a list of ${VAESA_LAYER_FIELDS.length} numbers [${VAESA_LAYER_KEYS.join(', ')}]`));
  }
  const fields: Record<string, unknown> = {};
  VAESA_LAYER_FIELDS.forEach((f, i) => {
    fields[f] = value[i];
  });
  return decodeWith(ConvLayerCodec, fields, root);
}

/** Decodes VAESA's workload value: a list of layer vectors. */
export function decodeVaesaWorkload(value: unknown): E.Either<VaesaError, ConvLayer[]> {
  if (!Array.isArray(value)) return E.left(invalidInput('', value, 'expected a list of layers [[R, S, P, Q, C, K, N, Wstride, Hstride], ...]'));
  if (value.length === 0) return E.left(invalidInput('', value, 'the workload has no layers'));
  return E.sequenceArray(value.map((v, i) => decodeVaesaLayer(v, `[${i}]`))) as E.Either<VaesaError, ConvLayer[]>;
}

/** Parses VAESA's workload JSON text (`alexnet_dnn.json`, `test_layers/layer_N.json`). */
export function parseVaesaWorkload(text: string, source = 'workload'): E.Either<VaesaError, ConvLayer[]> {
  return E.chain(decodeVaesaWorkload)(parseJson(text, source));
}

/**
 * Decodes a CoSA/Timeloop problem value `{ problem: { R, S, P, Q, C, K, N, Wstride, Hstride, Wdilation?, Hdilation? } }`.
 * Timeloop's newer nesting `problem: { instance: {...} }` is accepted too. Strides and dilations default to 1.
 */
export function decodeTimeloopLayer(value: unknown): E.Either<VaesaError, ConvLayer> {
  if (!isRecord(value) || !isRecord(value.problem)) {
    return E.left(invalidInput('problem', isRecord(value) ? value.problem : value, 'expected a mapping with the layer dimensions'));
  }
  const problem = value.problem;
  const nested = isRecord(problem.instance);
  const dims = nested ? (problem.instance as Record<string, unknown>) : problem;
  const root = nested ? 'problem.instance' : 'problem';
  for (const key of ['R', 'S', 'P', 'Q', 'C', 'K', 'N']) {
    if (!(key in dims)) return E.left(invalidInput(`${root}.${key}`, undefined, 'missing'));
  }
  const renamed = { strideW: 'Wstride', strideH: 'Hstride', dilationW: 'Wdilation', dilationH: 'Hdilation' } as const;
  const fields: Record<string, unknown> = { R: dims.R, S: dims.S, P: dims.P, Q: dims.Q, C: dims.C, K: dims.K, N: dims.N };
  for (const [ours, theirs] of Object.entries(renamed)) {
    if (theirs in dims) fields[ours] = dims[theirs];
  }
  const decoded = decodeWith(ConvLayerCodec, fields, root);
  // Report the bad field under the file's own key (Wstride, not strideW).
  return E.mapLeft((e: VaesaError) => (e._tag === 'InvalidInput' ? { ...e, path: renameTimeloopPath(e.path, renamed) } : e))(decoded);
}

function renameTimeloopPath(path: string, renamed: Record<string, string>): string {
  return path.replace(/\.(\w+)$/, (m, key: string) => (key in renamed ? `.${renamed[key]}` : m));
}

/** Parses a CoSA/Timeloop problem YAML file's text into a layer. */
export function parseTimeloopLayer(text: string, source = 'problem'): E.Either<VaesaError, ConvLayer> {
  return E.chain(decodeTimeloopLayer)(parseYaml(text, source));
}

/** The texts of a CoSA workload folder (`<network>_graph/`): its layer list, optional counts, and problem files by name. */
export interface CosaNetworkFiles {
  /** `unique_layers.yaml` (or `layers.yaml` when there is no unique list): a YAML list of problem file names without `.yaml`. */
  readonly layerList: string;
  /** `layer_count.yaml`: occurrences of each layer, keyed by `layerName`. */
  readonly layerCount?: string;
  /** Problem YAML text by file name without `.yaml`. */
  readonly problems: Readonly<Record<string, string>>;
}

/**
 * Builds a network from a CoSA workload folder. Layers keep the list's order; repeated shapes are merged.
 * Counts come from `layerCount` when given (every layer must have one, and no other key may appear),
 * otherwise each shape counts its occurrences in the list (1 for a unique list).
 */
export function parseCosaNetwork(name: string, files: CosaNetworkFiles): E.Either<VaesaError, ConvNetwork> {
  const list = parseYaml(files.layerList, `${name}/layer list`);
  if (E.isLeft(list)) return list;
  if (!Array.isArray(list.right) || list.right.some((x) => typeof x !== 'string')) {
    return E.left(invalidInput(`${name}.layerList`, list.right, 'expected a YAML list of problem names'));
  }
  const order = new Map<string, { layer: ConvLayer; occurrences: number }>();
  for (const fileName of list.right as string[]) {
    const text = files.problems[fileName];
    if (text === undefined) return E.left(invalidInput(`${name}.layerList`, fileName, 'no problem file of this name'));
    const layer = parseTimeloopLayer(text, `${name}/${fileName}.yaml`);
    if (E.isLeft(layer)) return layer;
    const key = layerName(layer.right);
    const seen = order.get(key);
    if (seen) seen.occurrences++;
    else order.set(key, { layer: layer.right, occurrences: 1 });
  }
  if (files.layerCount === undefined) {
    return E.right({ name, layers: [...order.values()].map((e) => ({ layer: e.layer, count: e.occurrences })) });
  }
  const counts = parseYaml(files.layerCount, `${name}/layer_count.yaml`);
  if (E.isLeft(counts)) return counts;
  if (!isRecord(counts.right)) return E.left(invalidInput(`${name}.layerCount`, counts.right, 'expected a mapping from layer name to count'));
  const countOf = counts.right;
  for (const key of Object.keys(countOf)) {
    if (!order.has(key)) return E.left(invalidInput(`${name}.layerCount`, key, 'counts a layer that is not in the layer list'));
  }
  const layers = [...order.entries()].map(([key, e]) => ({ layer: e.layer, count: countOf[key] }));
  return decodeWith(ConvNetworkCodec, { name, layers }, name);
}

/**
 * Parses a workload JSON file in any of the accepted forms into a network:
 * VAESA's list of layer vectors, a list of `ConvLayer` objects (each occurring once), or a `Network` object.
 * `name` names the network when the file does not (e.g. the file name).
 */
export function parseWorkloadJson(text: string, name: string, source = name): E.Either<VaesaError, Network> {
  return E.chain((value: unknown) => decodeWorkload(value, name))(parseJson(text, source));
}

/** `parseWorkloadJson` for an already parsed value. */
export function decodeWorkload(value: unknown, name: string): E.Either<VaesaError, Network> {
  if (Array.isArray(value)) {
    if (value.length > 0 && Array.isArray(value[0])) return E.map((ls: ConvLayer[]) => networkOf(name, ls))(decodeVaesaWorkload(value));
    if (value.length === 0) return E.left(invalidInput('', value, 'the workload has no layers'));
    return E.map((ls: ConvLayer[]) => networkOf(name, ls))(
      E.sequenceArray(value.map((v, i) => decodeWith(ConvLayerCodec, v, `[${i}]`))) as E.Either<VaesaError, ConvLayer[]>,
    );
  }
  if (isRecord(value) && 'layers' in value) return decodeWith(NetworkCodec, { name, ...value });
  return E.left(invalidInput('', value, 'expected a list of layers or a network object { name, layers: [{ layer, count }] }'));
}

function isRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}
