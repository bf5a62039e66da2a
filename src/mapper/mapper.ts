import type { CostModelName } from '../costmodel/cost';
import type { Mapping, PackedMapping } from '../costmodel/mapping';
import type { ArchConfig } from '../hardware/arch';
import type { ConvLayer } from '../workload/layer';
import type { Objective } from '../common/objective';

/**
 * A mapper other than the built-in search (e.g. a MIP): proposes mappings for one (arch, layer), best
 * first; `findMapping` costs them exactly and keeps the best valid one.
 */
export type MapperFunction = (arch: ArchConfig, layer: ConvLayer, options: { readonly model: CostModelName; readonly objective: Objective; readonly seed: number }) => readonly (Mapping | PackedMapping)[];

/** Built-in mappers by name. `'mip'`: CoSA's MIP on HiGHS (docs/mip-mapper.md), needs `mipSolver`. */
export type MapperName = 'search' | 'mip';
