import * as t from 'io-ts';
import { PositiveInt } from '../common/errors';
import { ConvLayerCodec, layerMacs, layerName, type ConvLayer } from './layer';

/** One entry of a network: a layer shape and how many times it occurs in the network. */
export const NetworkLayerCodec = t.readonly(t.type({ layer: ConvLayerCodec, count: PositiveInt }), 'NetworkLayer');

/** A named DNN as a list of layer shapes with their occurrence counts. */
export const NetworkCodec = t.readonly(
  t.type({ name: t.string, layers: t.readonlyArray(NetworkLayerCodec) }),
  'Network',
);

export type NetworkLayer = t.TypeOf<typeof NetworkLayerCodec>;
export type Network = t.TypeOf<typeof NetworkCodec>;

/** A network of `layers`, each occurring once. */
export function networkOf(name: string, layers: readonly ConvLayer[]): Network {
  return { name, layers: layers.map((layer) => ({ layer, count: 1 })) };
}

/** Distinct layer shapes (by `layerName`), in order of first occurrence. */
export function distinctLayers(layers: readonly ConvLayer[]): ConvLayer[] {
  const seen = new Set<string>();
  const out: ConvLayer[] = [];
  for (const l of layers) {
    const key = layerName(l);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(l);
    }
  }
  return out;
}

/** The distinct layer shapes of one or more networks, in order of first occurrence. */
export function uniqueLayers(networks: Network | readonly Network[]): ConvLayer[] {
  const list: readonly Network[] = isNetworkList(networks) ? networks : [networks];
  return distinctLayers(list.flatMap((n) => n.layers.map((e) => e.layer)));
}

function isNetworkList(n: Network | readonly Network[]): n is readonly Network[] {
  return Array.isArray(n);
}

/** Multiply-accumulates of one inference of the whole network (each layer times its count). */
export function networkMacs(network: Network): number {
  return network.layers.reduce((sum, e) => sum + e.count * layerMacs(e.layer), 0);
}

/** Total number of layers in the network (the sum of the counts). */
export function networkLayerCount(network: Network): number {
  return network.layers.reduce((sum, e) => sum + e.count, 0);
}
