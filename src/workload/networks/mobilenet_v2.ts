// MobileNetV2 (torchvision's mobilenet_v2, width 1.0, 224x224, batch 1) written from its definition.
import { convLayer, type ConvLayer } from '../layer';
import { mergedNetwork, type Network, type NetworkLayer } from '../network';
import { depthwiseConv, matmul } from '../problem';
import { defined, once } from './define';

/** Inverted residual stages: expansion t, output channels c, repeats n, first stride s. */
const STAGES = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
] as const;

function pointwise(size: number, C: number, K: number): ConvLayer {
  return convLayer({ R: 1, S: 1, P: size, Q: size, C, K, N: 1 });
}

function layers(): NetworkLayer[] {
  const out: NetworkLayer[] = [once(convLayer({ R: 3, S: 3, P: 112, Q: 112, C: 3, K: 32, N: 1, strideW: 2, strideH: 2 }))];
  let channels = 32;
  let size = 112;
  for (const [t, c, n, s] of STAGES) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const hidden = channels * t;
      if (t !== 1) out.push(once(pointwise(size, channels, hidden)));
      size = Math.ceil(size / stride);
      out.push(once(defined(depthwiseConv({ G: hidden, R: 3, S: 3, P: size, Q: size, N: 1, strideW: stride, strideH: stride }))));
      out.push(once(pointwise(size, hidden, c)));
      channels = c;
    }
  }
  out.push(once(pointwise(size, channels, 1280)));
  out.push(once(defined(matmul({ M: 1, K: 1280, N: 1000 }))));
  return out;
}

export const mobilenetV2: Network = mergedNetwork('mobilenet-v2', layers());
