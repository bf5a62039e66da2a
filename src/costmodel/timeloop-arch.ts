import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import { parseYaml } from '../workload/parse';
import { areaTable40nm, type AreaTable } from './area';
import { ertMaxEnergies, patDramEnergy, patMacEnergy, patSramEnergy } from './energy-tables';
import { isRecord } from './json';
import type { ArchSpec, ArithmeticLevel, StorageLevel } from './spec';

/** How `parseTimeloopArch` prices accesses. */
export interface TimeloopArchOptions {
  /** `'pat'`: Timeloop's built-in formulas; `'accelergy'`: the max action energies of `ert`. */
  readonly energyModel: 'pat' | 'accelergy';
  /** Accelergy's ERT as YAML text (v0.2 dictionary or v0.3 list format); required for `'accelergy'`. */
  readonly ert?: string;
  /** Area constants (default `areaTable40nm`); see `parseTimeloopArch`. */
  readonly area?: AreaTable;
}

/** Timeloop's storage attributes (11920be's `buffer.cpp`) that the model reads. */
const TIMELOOP_STORAGE_KEYS = [
  'name',
  'technology',
  'entries',
  'instances',
  'meshX',
  'word-bits',
  'block-size',
  'cluster-size',
  'num-ports',
  'num-banks',
  'bandwidth',
  'read_bandwidth',
  'write_bandwidth',
  'network-word-bits',
  'multiple-buffering',
] as const;
/** Accelergy's attributes of a v0.3 component: read by Accelergy, not by Timeloop, so accepted and ignored. */
const ACCELERGY_KEYS = ['depth', 'width', 'n_banks', 'n_rdwr_ports', 'n_rd_ports', 'n_wr_ports', 'type', 'datawidth', 'technology', 'latency'];
const ARITHMETIC_KEYS = ['name', 'instances', 'meshX', 'word-bits'];

type Attributes = Readonly<Record<string, unknown>>;

/** A component before pricing: its name, class (v0.3) and attributes. */
interface Component {
  readonly name: string;
  readonly className: string | undefined;
  readonly attributes: Attributes;
  readonly path: string;
  /** Instances implied by the enclosing `Name[a..b]` subtrees (v0.3), 1 in flat files. */
  readonly rangeInstances: number;
}

function positiveInt(attrs: Attributes, key: string, path: string, fallback?: number): E.Either<VaesaError, number> {
  const v = attrs[key] ?? fallback;
  if (v === undefined) return E.left(invalidInput(`${path}.${key}`, undefined, 'missing'));
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) return E.left(invalidInput(`${path}.${key}`, v, 'must be a positive integer'));
  return E.right(v);
}

function positiveNumber(attrs: Attributes, key: string, path: string): E.Either<VaesaError, number | undefined> {
  const v = attrs[key];
  if (v === undefined) return E.right(undefined);
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return E.left(invalidInput(`${path}.${key}`, v, 'must be a positive number'));
  return E.right(v);
}

function checkKeys(attrs: Attributes, allowed: readonly string[], path: string): VaesaError | undefined {
  const extra = Object.keys(attrs).find((k) => !allowed.includes(k));
  return extra === undefined ? undefined : invalidInput(`${path}.${extra}`, attrs[extra], `unknown attribute (Timeloop reads ${allowed.join(', ')})`);
}

/** `PE[0..15]` -> 16; a name without a range -> 1. */
function rangeCount(name: string, path: string): E.Either<VaesaError, number> {
  const m = /\[(\d+)\.\.(\d+)\]$/.exec(name);
  if (m === null) return E.right(1);
  const count = Number(m[2]) - Number(m[1]) + 1;
  return count > 0 ? E.right(count) : E.left(invalidInput(`${path}.name`, name, 'an instance range [a..b] needs b >= a'));
}

/** The components of a v0.3 tree, outer to inner (a node's `local` list in order, then its subtrees). */
function flattenTree(node: unknown, path: string, rangeInstances: number, out: Component[]): VaesaError | undefined {
  if (!isRecord(node)) return invalidInput(path, node, 'expected a subtree { name, local, subtree }');
  const name = typeof node.name === 'string' ? node.name : '';
  const count = rangeCount(name, path);
  if (E.isLeft(count)) return count.left;
  const instances = rangeInstances * count.right;
  const local: unknown = node.local ?? [];
  if (!Array.isArray(local)) return invalidInput(`${path}.local`, local, 'expected a list of components');
  for (const [i, c] of local.entries()) {
    const cPath = `${path}.local[${i}]`;
    if (!isRecord(c) || typeof c.name !== 'string') return invalidInput(cPath, c, 'expected { name, class, attributes }');
    const attributes = c.attributes ?? {};
    if (!isRecord(attributes)) return invalidInput(`${cPath}.attributes`, attributes, 'expected a map of attributes');
    const n = rangeCount(c.name, cPath);
    if (E.isLeft(n)) return n.left;
    out.push({
      name: c.name.replace(/\[\d+\.\.\d+\]$/, ''),
      className: typeof c.class === 'string' ? c.class : undefined,
      attributes,
      path: `${cPath}.attributes`,
      rangeInstances: instances * n.right,
    });
  }
  const subtree: unknown = node.subtree ?? [];
  if (!Array.isArray(subtree)) return invalidInput(`${path}.subtree`, subtree, 'expected a list of subtrees');
  for (const [i, child] of subtree.entries()) {
    const problem = flattenTree(child, `${path}.subtree[${i}]`, instances, out);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

const isArithmeticClass = (c: string | undefined): boolean => c !== undefined && /mac|multiplier|adder|alu/i.test(c);

interface Draft {
  readonly storage: readonly Component[]; // inner to outer
  readonly arithmetic: Component;
  readonly version: '0.2' | '0.3';
}

function readDocument(doc: unknown): E.Either<VaesaError, Draft> {
  if (isRecord(doc) && isRecord(doc.arch)) {
    const arch = doc.arch;
    const extra = checkKeys(arch, ['arithmetic', 'storage', 'version'], 'arch');
    if (extra !== undefined) return E.left(extra);
    if (!isRecord(arch.arithmetic)) return E.left(invalidInput('arch.arithmetic', arch.arithmetic, 'expected { instances, meshX, word-bits }'));
    if (!Array.isArray(arch.storage) || arch.storage.length === 0) return E.left(invalidInput('arch.storage', arch.storage, 'expected a list of storage levels, inner to outer'));
    const storage: Component[] = [];
    for (const [i, s] of (arch.storage as unknown[]).entries()) {
      if (!isRecord(s) || typeof s.name !== 'string') return E.left(invalidInput(`arch.storage[${i}]`, s, 'expected a storage level with a name'));
      const technology = s.technology;
      storage.push({ name: s.name, className: technology === 'DRAM' ? 'DRAM' : 'SRAM', attributes: s, path: `arch.storage[${i}]`, rangeInstances: 1 });
    }
    const a = arch.arithmetic;
    return E.right({
      storage,
      arithmetic: { name: typeof a.name === 'string' ? a.name : 'MAC', className: 'intmac', attributes: a, path: 'arch.arithmetic', rangeInstances: 1 },
      version: '0.2',
    });
  }
  if (isRecord(doc) && isRecord(doc.architecture)) {
    const root = doc.architecture;
    const components: Component[] = [];
    const subtree: unknown = root.subtree;
    if (!Array.isArray(subtree)) return E.left(invalidInput('architecture.subtree', subtree, 'expected a list of subtrees'));
    for (const [i, node] of subtree.entries()) {
      const problem = flattenTree(node, `architecture.subtree[${i}]`, 1, components);
      if (problem !== undefined) return E.left(problem);
    }
    const arithmetic = components.filter((c) => isArithmeticClass(c.className));
    if (arithmetic.length !== 1) {
      return E.left(invalidInput('architecture', arithmetic.map((c) => c.name), 'expected exactly one arithmetic component (class intmac)'));
    }
    const storage = components.filter((c) => !isArithmeticClass(c.className)).reverse();
    if (storage.length === 0) return E.left(invalidInput('architecture', [], 'no storage components'));
    return E.right({ storage, arithmetic: arithmetic[0], version: '0.3' });
  }
  return E.left(invalidInput('arch', doc, 'expected a v0.2 file (arch: { arithmetic, storage }) or a v0.3 tree (architecture: { version: 0.3, subtree })'));
}

interface Pricing {
  readonly energyModel: 'pat' | 'accelergy';
  readonly ert: ReadonlyMap<string, number> | undefined;
  readonly area: AreaTable;
}

function meshOf(attrs: Attributes, path: string, instances: number): E.Either<VaesaError, number> {
  const meshX = positiveInt(attrs, 'meshX', path, instances);
  if (E.isLeft(meshX)) return meshX;
  if (instances % meshX.right !== 0) return E.left(invalidInput(`${path}.meshX`, meshX.right, `must divide the ${instances} instances`));
  return meshX;
}

function ertEnergy(pricing: Pricing, name: string, path: string): E.Either<VaesaError, number> {
  const e = pricing.ert?.get(name);
  return e === undefined ? E.left(invalidInput(path, name, 'the ERT has no table for this component')) : E.right(e);
}

function storageLevel(c: Component, version: '0.2' | '0.3', pricing: Pricing): E.Either<VaesaError, StorageLevel> {
  const allowed: string[] = version === '0.2' ? [...TIMELOOP_STORAGE_KEYS] : [...TIMELOOP_STORAGE_KEYS, ...ACCELERGY_KEYS];
  const extra = checkKeys(c.attributes, allowed, c.path);
  if (extra !== undefined) return E.left(extra);
  const a = c.attributes;
  const isDram = c.className === 'DRAM' || a.technology === 'DRAM';
  if (version === '0.2' && a.technology !== undefined && a.technology !== 'DRAM' && a.technology !== 'SRAM') {
    return E.left(invalidInput(`${c.path}.technology`, a.technology, 'expected SRAM or DRAM'));
  }
  const instances = positiveInt(a, 'instances', c.path, c.rangeInstances);
  if (E.isLeft(instances)) return instances;
  const meshX = meshOf(a, c.path, instances.right);
  if (E.isLeft(meshX)) return meshX;
  const wordBits = positiveInt(a, 'word-bits', c.path);
  if (E.isLeft(wordBits)) return wordBits;
  const blockSize = positiveInt(a, 'block-size', c.path, 1);
  if (E.isLeft(blockSize)) return blockSize;
  const clusterSize = positiveInt(a, 'cluster-size', c.path, 1);
  if (E.isLeft(clusterSize)) return clusterSize;
  const numPorts = positiveInt(a, 'num-ports', c.path, 2);
  if (E.isLeft(numPorts)) return numPorts;
  const numBanks = positiveInt(a, 'num-banks', c.path, 2);
  if (E.isLeft(numBanks)) return numBanks;
  let entries: number | undefined;
  if (!isDram) {
    const e = positiveInt(a, 'entries', c.path);
    if (E.isLeft(e)) return e;
    entries = e.right;
  }
  const bandwidth = positiveNumber(a, 'bandwidth', c.path);
  if (E.isLeft(bandwidth)) return bandwidth;
  const read = positiveNumber(a, 'read_bandwidth', c.path);
  if (E.isLeft(read)) return read;
  const write = positiveNumber(a, 'write_bandwidth', c.path);
  if (E.isLeft(write)) return write;
  // Timeloop gives half of a shared `bandwidth` to reads and half to writes.
  const half = bandwidth.right === undefined ? undefined : bandwidth.right / 2;
  let vectorAccessEnergy: number;
  if (pricing.energyModel === 'pat') {
    vectorAccessEnergy = isDram
      ? patDramEnergy(wordBits.right * blockSize.right)
      : patSramEnergy(Math.ceil((entries as number) / blockSize.right), wordBits.right * blockSize.right * clusterSize.right) / clusterSize.right;
  } else {
    const e = ertEnergy(pricing, c.name, `${c.path.replace(/\.attributes$/, '')}.name`);
    if (E.isLeft(e)) return e;
    vectorAccessEnergy = e.right / clusterSize.right;
  }
  const bits = isDram ? 0 : (entries as number) * wordBits.right;
  const perBit = c.className === 'regfile' ? pricing.area.registerBit : pricing.area.sramBit;
  return E.right({
    name: c.name,
    technology: isDram ? 'DRAM' : 'SRAM',
    entries,
    wordBits: wordBits.right,
    blockSize: blockSize.right,
    clusterSize: clusterSize.right,
    instances: instances.right,
    meshX: meshX.right,
    readBandwidth: read.right ?? half,
    writeBandwidth: write.right ?? half,
    numPorts: numPorts.right,
    numBanks: numBanks.right,
    vectorAccessEnergy,
    area: (bits * perBit) / 1e6,
    keeps: undefined,
  });
}

function arithmeticLevel(c: Component, version: '0.2' | '0.3', pricing: Pricing): E.Either<VaesaError, ArithmeticLevel> {
  const extra = checkKeys(c.attributes, version === '0.2' ? ARITHMETIC_KEYS : [...ARITHMETIC_KEYS, ...ACCELERGY_KEYS], c.path);
  if (extra !== undefined) return E.left(extra);
  const instances = positiveInt(c.attributes, 'instances', c.path, c.rangeInstances);
  if (E.isLeft(instances)) return instances;
  const meshX = meshOf(c.attributes, c.path, instances.right);
  if (E.isLeft(meshX)) return meshX;
  const wordBits = positiveInt(c.attributes, 'word-bits', c.path, typeof c.attributes.datawidth === 'number' ? c.attributes.datawidth : undefined);
  if (E.isLeft(wordBits)) return wordBits;
  let energyPerMac: number;
  if (pricing.energyModel === 'pat') energyPerMac = patMacEnergy(wordBits.right);
  else {
    const e = ertEnergy(pricing, c.name, `${c.path.replace(/\.attributes$/, '')}.name`);
    if (E.isLeft(e)) return e;
    energyPerMac = e.right;
  }
  // The 40nm table has an 8-bit MAC only; other widths get no area rather than a guess.
  const area = wordBits.right === 8 ? pricing.area.mac / 1e6 : 0;
  return E.right({ name: c.name, instances: instances.right, meshX: meshX.right, wordBits: wordBits.right, energyPerMac, area });
}

/**
 * Parses a Timeloop architecture file into an `ArchSpec`: the flat v0.2 form (`arch: { arithmetic,
 * storage: [...] }`, storage inner to outer) or the v0.3 tree (`architecture: { version: 0.3, subtree }`,
 * components outer to inner, `Name[a..b]` subtrees multiplying the instances of what they hold unless a
 * component gives `instances`). Attributes and defaults are Timeloop 11920be's: block-size, cluster-size 1,
 * num-ports, num-banks 2, meshX = instances, `bandwidth` split in half between reads and writes, DRAM
 * unbounded. Energies: `'pat'` uses Timeloop's built-in formulas (`patSramEnergy`, `patDramEnergy`,
 * `patMacEnergy`); `'accelergy'` the largest action energy of each component in `options.ert` (divided by
 * the cluster size, as Timeloop does). Area per instance (mm²): bits x `area.sramBit` (x `registerBit`
 * for a v0.3 `regfile`), `area.mac` for an 8-bit MAC, 0 for DRAM and MACs of other widths.
 * Unknown attributes, a missing `word-bits`/`entries`, a meshX that does not divide the instances, or
 * instances that do not divide into the level below (per mesh axis) come back as `Left` naming the field.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { parseTimeloopArch, formatError } from 'vaesa';
 * const arch = parseTimeloopArch(readFileSync('arch.yaml', 'utf8'), { energyModel: 'pat' });
 * if (arch._tag === 'Left') throw new Error(formatError(arch.left)); // e.g. "arch.yaml:12: ... word-bits"
 * console.log(arch.right.levels.map((l) => l.name));
 * ```
 */
export function parseTimeloopArch(text: string, options: TimeloopArchOptions): E.Either<VaesaError, ArchSpec> {
  const doc = parseYaml(text, 'arch YAML');
  if (E.isLeft(doc)) return doc;
  if (options.energyModel !== 'pat' && options.energyModel !== 'accelergy') {
    return E.left(invalidInput('energyModel', options.energyModel, "expected 'pat' or 'accelergy'"));
  }
  let ert: ReadonlyMap<string, number> | undefined;
  if (options.energyModel === 'accelergy') {
    if (options.ert === undefined) return E.left(invalidInput('ert', undefined, "the 'accelergy' energy model needs the ERT text"));
    const ertDoc = parseYaml(options.ert, 'ERT YAML');
    if (E.isLeft(ertDoc)) return ertDoc;
    const energies = ertMaxEnergies(ertDoc.right);
    if (E.isLeft(energies)) return energies;
    ert = energies.right;
  }
  const pricing: Pricing = { energyModel: options.energyModel, ert, area: options.area ?? areaTable40nm };
  const draft = readDocument(doc.right);
  if (E.isLeft(draft)) return draft;
  const { version } = draft.right;
  const arithmetic = arithmeticLevel(draft.right.arithmetic, version, pricing);
  if (E.isLeft(arithmetic)) return arithmetic;
  const levels: StorageLevel[] = [];
  for (const c of draft.right.storage) {
    const level = storageLevel(c, version, pricing);
    if (E.isLeft(level)) return level;
    levels.push(level.right);
  }
  const names = new Set<string>();
  for (const [i, level] of levels.entries()) {
    const c = draft.right.storage[i];
    if (names.has(level.name)) return E.left(invalidInput(`${c.path}.name`, level.name, 'storage level names repeat'));
    names.add(level.name);
    const inner = i === 0 ? arithmetic.right : levels[i - 1];
    const innerY = inner.instances / inner.meshX;
    const outerY = level.instances / level.meshX;
    if (inner.meshX % level.meshX !== 0 || innerY % outerY !== 0) {
      return E.left(
        invalidInput(`${c.path}.instances`, level.instances, `a ${level.meshX} x ${outerY} mesh does not divide the ${inner.meshX} x ${innerY} mesh of ${inner.name} below`),
      );
    }
  }
  return E.right({ name: levelsName(levels), energyModel: options.energyModel, arithmetic: arithmetic.right, levels });
}

/** An arch's name: its storage levels, inner to outer. */
function levelsName(levels: readonly StorageLevel[]): string {
  return levels.map((l) => l.name).join('/');
}
