// ResNeXt-50 32x4d (torchvision, 224x224, batch 1) with its 3x3 convolutions as grouped convolutions.
import { convLayer } from '../layer';
import { mergedNetwork, type Network, type NetworkLayer } from '../network';
import { groupedConv, matmul } from '../problem';
import { defined, once } from './define';

const GROUPS = 32;

function layers(): NetworkLayer[] {
  const out: NetworkLayer[] = [once(convLayer({ R: 7, S: 7, P: 112, Q: 112, C: 3, K: 64, N: 1, strideW: 2, strideH: 2 }))];
  let inC = 64;
  let size = 56;
  [3, 4, 6, 3].forEach((blocks, stage) => {
    const planes = 64 << stage;
    const width = planes * 2; // planes x (4 / 64) x 32 groups
    const outC = planes * 4;
    for (let b = 0; b < blocks; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const outSize = size / stride;
      out.push(once(convLayer({ R: 1, S: 1, P: size, Q: size, C: inC, K: width, N: 1 })));
      const perGroup = width / GROUPS;
      out.push(once(defined(groupedConv({ G: GROUPS, R: 3, S: 3, P: outSize, Q: outSize, C: perGroup, K: perGroup, N: 1, strideW: stride, strideH: stride }))));
      out.push(once(convLayer({ R: 1, S: 1, P: outSize, Q: outSize, C: width, K: outC, N: 1 })));
      if (b === 0) out.push(once(convLayer({ R: 1, S: 1, P: outSize, Q: outSize, C: inC, K: outC, N: 1, strideW: stride, strideH: stride })));
      inC = outC;
      size = outSize;
    }
  });
  out.push(once(defined(matmul({ M: 1, K: 2048, N: 1000 }))));
  return out;
}

export const resnext50Grouped: Network = mergedNetwork('resnext50-grouped', layers());
