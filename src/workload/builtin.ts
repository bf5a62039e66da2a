import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import type { Network } from './network';
import { alexnet } from './networks/alexnet';
import { deepbench } from './networks/deepbench';
import { resnet50 } from './networks/resnet50';
import { resnext50_32x4d } from './networks/resnext50_32x4d';
import { vgg16 } from './networks/vgg16';
import { mobilenetV2 } from './networks/mobilenet_v2';
import { resnext50Grouped } from './networks/resnext50_grouped';
import { bertBase128, bertBase512, gpt2Decode, gpt2Prefill, llama7bDecode, llama7bPrefill, vitB16 } from './networks/transformers';

/**
 * The built-in networks by name: CoSA's workload lists (2-D convolutions only, as VAESA used them) and
 * networks written from their definitions with grouped and depthwise convolutions, GEMMs and attention
 * (docs/workloads.md lists them with their layer counts and MACs).
 */
export const networks = {
  alexnet,
  resnet50,
  resnext50_32x4d,
  deepbench,
  vgg16,
  'mobilenet-v2': mobilenetV2,
  'resnext50-grouped': resnext50Grouped,
  'bert-base-128': bertBase128,
  'bert-base-512': bertBase512,
  'vit-b16': vitB16,
  'gpt2-prefill': gpt2Prefill,
  'gpt2-decode': gpt2Decode,
  'llama7b-prefill': llama7bPrefill,
  'llama7b-decode': llama7bDecode,
} as const satisfies Readonly<Record<string, Network>>;

export type BuiltInNetworkName = keyof typeof networks;

/** The built-ins generated from CoSA's workload folders (`scripts/gen-networks.ts`). */
export const COSA_NETWORKS = ['alexnet', 'resnet50', 'resnext50_32x4d', 'deepbench', 'vgg16'] as const satisfies readonly BuiltInNetworkName[];

/** The networks VAESA trained and searched on (its data covers their distinct layers). */
export const VAESA_NETWORKS: readonly BuiltInNetworkName[] = ['resnet50', 'alexnet', 'resnext50_32x4d', 'deepbench'];

/** A built-in network by name, or an error listing the known names. */
export function getNetwork(name: string): E.Either<VaesaError, Network> {
  return Object.prototype.hasOwnProperty.call(networks, name)
    ? E.right(networks[name as BuiltInNetworkName])
    : E.left(invalidInput('network', name, `unknown network; known: ${Object.keys(networks).join(', ')}`));
}
