/** File-system edge of the workload module: reads workload files and CoSA folders, then hands text to the pure parsers. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import type { VaesaError } from '../common/errors';
import type { ConvLayer } from './layer';
import { networkOf, type ConvNetwork, type Network } from './network';
import { readOnnx, type OnnxImport, type ReadOnnxOptions } from './onnx/read';
import { parseCosaNetwork, parseTimeloopLayer, parseWorkloadJson } from './parse';

async function readText(file: string): Promise<E.Either<VaesaError, string>> {
  try {
    return E.right(await fs.readFile(file, 'utf8'));
  } catch (e) {
    return E.left({ _tag: 'IoError', path: file, message: (e as Error).message });
  }
}

/**
 * Reads a CoSA workload folder (`<network>_graph/` with `unique_layers.yaml` or `layers.yaml`,
 * optional `layer_count.yaml`, one YAML per layer). The network is named after the folder without `_graph`.
 */
export async function readCosaNetworkDir(dir: string, name = path.basename(dir).replace(/_graph$/, '')): Promise<E.Either<VaesaError, ConvNetwork>> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (e) {
    return E.left({ _tag: 'IoError', path: dir, message: (e as Error).message });
  }
  const listFile = entries.includes('unique_layers.yaml') ? 'unique_layers.yaml' : 'layers.yaml';
  const layerList = await readText(path.join(dir, listFile));
  if (E.isLeft(layerList)) return layerList;
  const layerCount = entries.includes('layer_count.yaml') ? await readText(path.join(dir, 'layer_count.yaml')) : undefined;
  if (layerCount !== undefined && E.isLeft(layerCount)) return layerCount;
  const problems: Record<string, string> = {};
  for (const file of entries) {
    if (!file.endsWith('.yaml') || ['unique_layers.yaml', 'layers.yaml', 'layer_count.yaml'].includes(file)) continue;
    const text = await readText(path.join(dir, file));
    if (E.isLeft(text)) return text;
    problems[file.slice(0, -'.yaml'.length)] = text.right;
  }
  return parseCosaNetwork(name, { layerList: layerList.right, layerCount: layerCount?.right, problems });
}

/**
 * Reads a workload from a path: a JSON file (VAESA's layer vectors, a list of `ConvLayer` objects, or a
 * `Network`), a Timeloop/CoSA problem YAML (one layer), or a CoSA workload folder.
 * The network is named after the file when the file does not name it.
 */
export async function readWorkloadFile(file: string): Promise<E.Either<VaesaError, Network>> {
  let isDir: boolean;
  try {
    isDir = (await fs.stat(file)).isDirectory();
  } catch (e) {
    return E.left({ _tag: 'IoError', path: file, message: (e as Error).message });
  }
  if (isDir) return readCosaNetworkDir(file);
  const ext = path.extname(file).toLowerCase();
  const name = path.basename(file, path.extname(file));
  const text = await readText(file);
  if (E.isLeft(text)) return text;
  if (ext === '.yaml' || ext === '.yml') return E.map((layer: ConvLayer) => networkOf(name, [layer]))(parseTimeloopLayer(text.right, file));
  return parseWorkloadJson(text.right, name, file);
}

/** Reads an ONNX model file and imports it (`readOnnx`); the network is named after the file unless `options.name` is given. */
export async function readOnnxFile(file: string, options: ReadOnnxOptions = {}): Promise<E.Either<VaesaError, OnnxImport>> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(file));
  } catch (e) {
    return E.left({ _tag: 'IoError', path: file, message: (e as Error).message });
  }
  const imported = readOnnx(bytes, { name: path.basename(file, path.extname(file)), ...options });
  // Name the file in parse errors (readOnnx only knows bytes).
  return E.mapLeft((e: VaesaError) => (e._tag === 'ParseError' ? { ...e, source: file } : e))(imported);
}
