import * as t from 'io-ts';
import * as E from 'fp-ts/Either';

const DIMS = ['R', 'S', 'P', 'Q', 'C', 'K', 'N'] as const;

/** A loop dimension of a convolution, Timeloop's names. */
export type Dim = (typeof DIMS)[number];

/** The seven loop dimensions in Timeloop's order. */
export const LAYER_DIMS: readonly Dim[] = DIMS;

/** Largest layer dimension, stride or dilation accepted (2^24: far beyond real layers; 1e300 is refused, not half-costed). */
export const MAX_LAYER_DIM = 2 ** 24;

const isLayerDim = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u > 0 && u <= MAX_LAYER_DIM;
const LayerDim = new t.Type<number, number, unknown>(
  'LayerDim',
  isLayerDim,
  (u, c) => (isLayerDim(u) ? t.success(u) : t.failure(u, c, `must be a positive integer up to ${MAX_LAYER_DIM}`)),
  (a) => a,
);

const ConvLayerFields = t.type({
  R: LayerDim,
  S: LayerDim,
  P: LayerDim,
  Q: LayerDim,
  C: LayerDim,
  K: LayerDim,
  N: LayerDim,
  strideW: LayerDim,
  strideH: LayerDim,
  dilationW: LayerDim,
  dilationH: LayerDim,
});

/**
 * A convolution layer in Timeloop's notation: R,S filter width/height (R pairs with P and W),
 * P,Q output width/height, C input channels, K output channels, N batch.
 * A fully-connected layer is a 1x1 convolution with P = Q = 1.
 */
export type ConvLayer = Readonly<t.TypeOf<typeof ConvLayerFields>>;

const ConvLayerInput = t.intersection([
  t.type({ R: t.unknown, S: t.unknown, P: t.unknown, Q: t.unknown, C: t.unknown, K: t.unknown, N: t.unknown }),
  t.partial({ strideW: t.unknown, strideH: t.unknown, dilationW: t.unknown, dilationH: t.unknown }),
]);

/** io-ts codec of `ConvLayer`; strides and dilations default to 1 when absent. */
export const ConvLayerCodec = new t.Type<ConvLayer, ConvLayer, unknown>(
  'ConvLayer',
  (u): u is ConvLayer => ConvLayerFields.is(u),
  (u, c) => {
    const base = ConvLayerInput.validate(u, c);
    if (E.isLeft(base)) return base;
    const v = base.right;
    return ConvLayerFields.validate(
      {
        ...v,
        strideW: v.strideW ?? 1,
        strideH: v.strideH ?? 1,
        dilationW: v.dilationW ?? 1,
        dilationH: v.dilationH ?? 1,
      },
      c,
    );
  },
  (a) => a,
);

/** Builds a layer from its dimensions (strides and dilations default to 1). Throws on non-positive integers. */
export function convLayer(
  dims: Pick<ConvLayer, Dim> & Partial<Pick<ConvLayer, 'strideW' | 'strideH' | 'dilationW' | 'dilationH'>>,
): ConvLayer {
  const r = ConvLayerCodec.decode(dims);
  if (E.isLeft(r)) throw new RangeError(`convLayer: invalid dimensions ${JSON.stringify(dims)}`);
  return r.right;
}

/** Number of multiply-accumulates. */
export function layerMacs(l: ConvLayer): number {
  return l.R * l.S * l.P * l.Q * l.C * l.K * l.N;
}

/** Input feature-map width (pairs with P and R), including the halo. */
export function inputWidth(l: ConvLayer): number {
  return (l.P - 1) * l.strideW + (l.R - 1) * l.dilationW + 1;
}

/** Input feature-map height (pairs with Q and S), including the halo. */
export function inputHeight(l: ConvLayer): number {
  return (l.Q - 1) * l.strideH + (l.S - 1) * l.dilationH + 1;
}

/** Tensor sizes in words. */
export function tensorSizes(l: ConvLayer): { weights: number; inputs: number; outputs: number } {
  return {
    weights: l.R * l.S * l.C * l.K,
    inputs: l.N * l.C * inputWidth(l) * inputHeight(l),
    outputs: l.N * l.K * l.P * l.Q,
  };
}

/** VAESA's layer name: `R_S_P_Q_C_K_N_Wstride_Hstride_Wdilation_Hdilation`. */
export function layerName(l: ConvLayer): string {
  return [l.R, l.S, l.P, l.Q, l.C, l.K, l.N, l.strideW, l.strideH, l.dilationW, l.dilationH].join('_');
}
