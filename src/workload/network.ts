import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { PositiveInt, formatError, type VaesaError } from '../common/errors';
import { ConvLayerCodec, type ConvLayer } from './layer';
import { LayerCodec, layerKey, layerMacsOf, lowerToConvLayers, type Layer } from './lower';

/** One entry of a network: a layer shape (a `ConvLayer` or any `Problem`) and how many times it occurs in the network. */
export const NetworkLayerCodec = t.readonly(t.type({ layer: LayerCodec, count: PositiveInt }), 'NetworkLayer');

/** A named DNN as a list of layer shapes with their occurrence counts. */
export const NetworkCodec = t.readonly(
  t.type({ name: t.string, layers: t.readonlyArray(NetworkLayerCodec) }),
  'Network',
);

/** A network of `ConvLayer`s only (VAESA's and CoSA's files). */
export const ConvNetworkCodec = t.readonly(
  t.type({ name: t.string, layers: t.readonlyArray(t.readonly(t.type({ layer: ConvLayerCodec, count: PositiveInt }))) }),
  'ConvNetwork',
);

/** One entry of a network (`NetworkLayerCodec`'s type); `L` narrows the layers, e.g. to `ConvLayer`. */
export interface NetworkLayer<L extends Layer = Layer> {
  readonly layer: L;
  readonly count: number;
}

/** A named DNN (`NetworkCodec`'s type); `L` narrows the layers, e.g. to `ConvLayer`. */
export interface Network<L extends Layer = Layer> {
  readonly name: string;
  readonly layers: readonly NetworkLayer<L>[];
}

/** A network whose layers are all 2-D convolutions (VAESA's and CoSA's networks, what `lowerNetwork` gives, what Simba's mapper costs). */
export type ConvNetwork = Network<ConvLayer>;

/** A network of `layers`, each occurring once. */
export function networkOf<L extends Layer>(name: string, layers: readonly L[]): Network<L> {
  return { name, layers: layers.map((layer) => ({ layer, count: 1 })) };
}

/** A network of `entries` with repeated shapes (by `layerKey`) merged, counts summed, in order of first occurrence. */
export function mergedNetwork<L extends Layer>(name: string, entries: readonly NetworkLayer<L>[]): Network<L> {
  const merged = new Map<string, { layer: L; count: number }>();
  for (const e of entries) {
    const key = layerKey(e.layer);
    const seen = merged.get(key);
    if (seen) seen.count += e.count;
    else merged.set(key, { layer: e.layer, count: e.count });
  }
  return { name, layers: [...merged.values()] };
}

/** Distinct layer shapes (by `layerKey`), in order of first occurrence. */
export function distinctLayers<L extends Layer>(layers: readonly L[]): L[] {
  const seen = new Set<string>();
  const out: L[] = [];
  for (const l of layers) {
    const key = layerKey(l);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(l);
    }
  }
  return out;
}

/** The distinct layer shapes of one or more networks, in order of first occurrence. */
export function uniqueLayers<L extends Layer>(networks: Network<L> | readonly Network<L>[]): L[] {
  return distinctLayers(networkList(networks).flatMap((n) => n.layers.map((e) => e.layer)));
}

function networkList<L extends Layer>(n: Network<L> | readonly Network<L>[]): readonly Network<L>[] {
  return isNetworkList(n) ? n : [n];
}

function isNetworkList<L extends Layer>(n: Network<L> | readonly Network<L>[]): n is readonly Network<L>[] {
  return Array.isArray(n);
}

/** Multiply-accumulates of one inference of the whole network (each layer times its count). */
export function networkMacs(network: Network): number {
  return network.layers.reduce((sum, e) => sum + e.count * layerMacsOf(e.layer), 0);
}

/** Total number of layers in the network (the sum of the counts). */
export function networkLayerCount(network: Network): number {
  return network.layers.reduce((sum, e) => sum + e.count, 0);
}

/**
 * The network with every layer lowered to 2-D convolutions (`lowerToConvLayers`), counts multiplied
 * and repeated shapes merged in order of first occurrence. MACs are unchanged. A custom problem shape
 * is an error naming its entry.
 */
export function lowerNetwork(network: Network): E.Either<VaesaError, ConvNetwork> {
  const parts: NetworkLayer<ConvLayer>[] = [];
  for (const [i, entry] of network.layers.entries()) {
    const lowered = lowerToConvLayers(entry.layer);
    if (E.isLeft(lowered)) return E.left(lowered.left._tag === 'InvalidInput' ? { ...lowered.left, path: `${network.name}.layers[${i}]` } : lowered.left);
    for (const part of lowered.right) parts.push({ layer: part.layer, count: entry.count * part.count });
  }
  return E.right(mergedNetwork(network.name, parts));
}

/**
 * `lowerNetwork` for Simba-only code whose contract is to throw a RangeError on a layer it cannot cost
 * (`evaluateNetwork` on an `ArchConfig`, search targets, dataset plans). Entry points that take user
 * input check with `lowerNetwork` first.
 */
export function lowerNetworkOrThrow(network: Network): ConvNetwork {
  const lowered = lowerNetwork(network);
  if (E.isLeft(lowered)) throw new RangeError(formatError(lowered.left));
  return lowered.right;
}

/** The distinct 2-D convolutions of one or more networks after lowering, in order of first occurrence. Throws a RangeError on a custom problem shape. */
export function uniqueConvLayers(networks: Network | readonly Network[]): ConvLayer[] {
  return distinctLayers(networkList(networks).flatMap((n) => lowerNetworkOrThrow(n).layers.map((e) => e.layer)));
}
