/**
 * GraphBuilder: collects ONNX nodes, constants and initializers with unique names.
 * Layer rules call its small op helpers; compile.ts turns the result into a ModelDef.
 */
import {
  DataType,
  type AttrValue,
  type Dim,
  type GraphDef,
  type NodeDef,
  type Tensor,
  type ValueInfo,
} from '../onnx/proto.js';

export class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly initializers: Tensor[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  private used = new Set<string>();
  private constCache = new Map<string, string>();

  /** A fresh value name built from a readable stem. */
  name(stem: string): string {
    let n = stem,
      i = 1;
    while (this.used.has(n)) n = `${stem}_${i++}`;
    this.used.add(n);
    return n;
  }

  op(op: string, inputs: string[], attrs?: Record<string, AttrValue>, stem = op.toLowerCase(), nOut = 1): string[] {
    const outputs = Array.from({ length: nOut }, (_, i) => this.name(nOut === 1 ? stem : `${stem}_${i}`));
    this.nodes.push({ op, inputs, outputs, attrs, name: this.name(`${op}:${outputs[0]}`) });
    return outputs;
  }
  /** Single-output op. */
  o(op: string, inputs: string[], attrs?: Record<string, AttrValue>, stem?: string): string {
    return this.op(op, inputs, attrs, stem)[0];
  }

  input(name: string, shape: Dim[], dataType = DataType.FLOAT, doc?: string): string {
    this.used.add(name);
    this.inputs.push({ name, shape, dataType, doc });
    return name;
  }
  output(name: string, shape: Dim[], dataType = DataType.FLOAT, doc?: string): void {
    this.outputs.push({ name, shape, dataType, doc });
  }
  /** Exposes an internal value under a public name (an Identity node), as graph output. */
  exposeAs(value: string, publicName: string, shape: Dim[], doc?: string): void {
    this.used.add(publicName);
    this.nodes.push({
      op: 'Identity',
      inputs: [value],
      outputs: [publicName],
      name: this.name(`Identity:${publicName}`),
    });
    this.output(publicName, shape, DataType.FLOAT, doc);
  }
  initializer(name: string, dims: number[], data: Float32Array, external?: Tensor['external']): string {
    this.used.add(name);
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, data, external });
    return name;
  }

  /** A deduplicated constant tensor (int64 for shapes/axes, float for scalars). */
  ints(values: number[], dims = [values.length]): string {
    return this.constant(DataType.INT64, dims, BigInt64Array.from(values.map(BigInt)), `i${values.join('_')}`);
  }
  float(value: number): string {
    return this.constant(DataType.FLOAT, [], Float32Array.of(value), `f${value}`);
  }
  /** A constant float matrix [rows, cols] with entries f(i, j). */
  matrix(rows: number, cols: number, f: (i: number, j: number) => number): string {
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = f(i, j);
    return this.constant(DataType.FLOAT, [rows, cols], data, data.join(','), `matrix${rows}x${cols}`);
  }
  private constant(dataType: DataType, dims: number[], data: Tensor['data'], key: string, stem = key): string {
    const k = `${dataType}:${dims.join('x')}:${key}`;
    const hit = this.constCache.get(k);
    if (hit) return hit;
    const name = this.name(`const_${stem.replace(/[^0-9a-z_]/gi, 'm')}`);
    this.nodes.push({
      op: 'Constant',
      inputs: [],
      outputs: [name],
      name: this.name(`Constant:${name}`),
      attrs: { value: { name, dataType, dims, data } },
    });
    this.constCache.set(k, name);
    return name;
  }

  // Small helpers used by many rules.
  add(a: string, b: string, stem?: string) {
    return this.o('Add', [a, b], undefined, stem);
  }
  sub(a: string, b: string, stem?: string) {
    return this.o('Sub', [a, b], undefined, stem);
  }
  mul(a: string, b: string, stem?: string) {
    return this.o('Mul', [a, b], undefined, stem);
  }
  div(a: string, b: string, stem?: string) {
    return this.o('Div', [a, b], undefined, stem);
  }
  reduceSum(x: string, axes: number[], keepdims: 0 | 1, stem?: string) {
    return this.o('ReduceSum', [x, this.ints(axes)], { keepdims }, stem);
  }
  reduceMean(x: string, axes: number[], keepdims: 0 | 1, stem?: string) {
    return this.o('ReduceMean', [x], { axes, keepdims }, stem);
  }
  reshape(x: string, shape: number[], stem?: string) {
    return this.o('Reshape', [x, this.ints(shape)], undefined, stem);
  }
  reshapeLike(x: string, like: string, stem?: string) {
    return this.o('Reshape', [x, this.o('Shape', [like])], undefined, stem);
  }
  transpose(x: string, perm: number[], stem?: string) {
    return this.o('Transpose', [x], { perm }, stem);
  }
  /** Zero-pads x at the bottom/right of its last two axes until it has the spatial size of `like`. */
  padSpatialTo(x: string, like: string, stem?: string) {
    const want = this.o('Slice', [this.o('Shape', [like]), this.ints([2]), this.ints([4])]);
    const have = this.o('Slice', [this.o('Shape', [x]), this.ints([2]), this.ints([4])]);
    const pads = this.o('Concat', [this.ints([0, 0, 0, 0, 0, 0]), this.sub(want, have)], { axis: 0 }); // [begins x4, ends x4]
    return this.o('Pad', [x, pads], { mode: 'constant' }, stem);
  }

  graph(name: string, doc?: string): GraphDef {
    return {
      name,
      nodes: this.nodes,
      inputs: this.inputs,
      outputs: this.outputs,
      initializers: this.initializers,
      doc,
    };
  }
}
