import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import type { Network } from './network';
import { alexnet } from './networks/alexnet';
import { deepbench } from './networks/deepbench';
import { resnet50 } from './networks/resnet50';
import { resnext50_32x4d } from './networks/resnext50_32x4d';
import { vgg16 } from './networks/vgg16';

/** The built-in networks (CoSA's workload lists), by name. */
export const networks = { alexnet, resnet50, resnext50_32x4d, deepbench, vgg16 } as const satisfies Readonly<Record<BuiltInNetworkName, Network>>;

export type BuiltInNetworkName = 'alexnet' | 'resnet50' | 'resnext50_32x4d' | 'deepbench' | 'vgg16';

/** The networks VAESA trained and searched on (its data covers their distinct layers). */
export const VAESA_NETWORKS: readonly BuiltInNetworkName[] = ['resnet50', 'alexnet', 'resnext50_32x4d', 'deepbench'];

/** A built-in network by name, or an error listing the known names. */
export function getNetwork(name: string): E.Either<VaesaError, Network> {
  return Object.prototype.hasOwnProperty.call(networks, name)
    ? E.right(networks[name as BuiltInNetworkName])
    : E.left(invalidInput('network', name, `unknown network; known: ${Object.keys(networks).join(', ')}`));
}
