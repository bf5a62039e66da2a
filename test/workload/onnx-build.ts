/** Builds small ONNX models in memory (protobufjs with the importer's schema), for tests and the example's model. */
import { ModelProto } from '../../src/workload/onnx/schema';

export interface GraphSpec {
  readonly name?: string;
  /** Graph inputs: name -> dims (a string is a symbolic dimension). */
  readonly inputs: Readonly<Record<string, readonly (number | string)[]>>;
  /** Initializers without data: name -> dims. */
  readonly weights?: Readonly<Record<string, readonly number[]>>;
  /** int64 constants with data: name -> values (1-D). */
  readonly ints?: Readonly<Record<string, readonly number[]>>;
  readonly nodes: readonly NodeSpec[];
  readonly outputs?: readonly string[];
  readonly opset?: number;
  /** value_info entries: name -> dims. */
  readonly valueInfo?: Readonly<Record<string, readonly number[]>>;
}

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Attributes: a number is an INT, an array of numbers INTS, a string a STRING. */
  readonly attrs?: Readonly<Record<string, number | readonly number[] | string>>;
  readonly domain?: string;
}

const FLOAT = 1;
const INT64 = 7;

function valueInfo(name: string, dims: readonly (number | string)[]) {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

function attribute(name: string, v: number | readonly number[] | string) {
  if (typeof v === 'number') return { name, type: 2, i: v };
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  return { name, type: 7, ints: v };
}

/** The bytes of an ONNX model with `spec`'s graph (IR version 8). */
export function buildOnnx(spec: GraphSpec): Uint8Array {
  const int64Raw = (values: readonly number[]) => {
    const bytes = new Uint8Array(8 * values.length);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
    return bytes;
  };
  const model = {
    irVersion: 8,
    producerName: 'vaesa-test',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    graph: {
      name: spec.name ?? 'test',
      input: Object.entries(spec.inputs).map(([n, d]) => valueInfo(n, d)),
      output: (spec.outputs ?? []).map((n) => ({ name: n })),
      initializer: [
        ...Object.entries(spec.weights ?? {}).map(([name, dims]) => ({ name, dims, dataType: FLOAT })),
        ...Object.entries(spec.ints ?? {}).map(([name, values]) => ({ name, dims: [values.length], dataType: INT64, rawData: int64Raw(values) })),
      ],
      valueInfo: Object.entries(spec.valueInfo ?? {}).map(([n, d]) => valueInfo(n, d)),
      node: spec.nodes.map((n, i) => ({
        name: `${n.op}_${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        domain: n.domain ?? '',
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
    },
  };
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
