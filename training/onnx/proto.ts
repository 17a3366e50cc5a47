/**
 * A minimal protobuf writer for the ONNX messages we emit (onnx.proto3, IR 8).
 * Only encoding is needed: models are built here and read by onnxruntime, the ONNX checker and Netron.
 * Field numbers follow https://github.com/onnx/onnx/blob/main/onnx/onnx.proto.
 */

const IR_VERSION = 8;
const OPSET = 17;

export const enum DataType {
  FLOAT = 1,
  INT64 = 7,
  BOOL = 9,
}
const enum AttrType {
  FLOAT = 1,
  INT = 2,
  STRING = 3,
  TENSOR = 4,
  FLOATS = 6,
  INTS = 7,
}

export interface Tensor {
  name: string;
  dataType: DataType;
  dims: number[];
  data: Float32Array | BigInt64Array | Uint8Array;
  /** Stored outside the model (ONNX external data), at byte `offset` of file `location` beside it. */
  external?: { location: string; offset: number };
}
export type AttrValue =
  number | string | number[] | { ints: number[] } | { floats: number[] } | { float: number } | Tensor;
export interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, AttrValue>;
}
/** A dimension is a fixed size or a symbolic name such as "N". */
export type Dim = number | string;
export interface ValueInfo {
  name: string;
  dataType: DataType;
  shape: Dim[];
  doc?: string;
}
export interface GraphDef {
  name: string;
  nodes: NodeDef[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Tensor[];
  doc?: string;
}
export interface ModelDef {
  graph: GraphDef;
  producer?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private push(bytes: Uint8Array) {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }
  varint(v: number | bigint) {
    let n = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    while (n >= 0x80n) {
      out.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    out.push(Number(n));
    this.push(Uint8Array.from(out));
  }
  tag(field: number, wire: number) {
    this.varint((field << 3) | wire);
  }
  int(field: number, v: number | bigint) {
    this.tag(field, 0);
    this.varint(v);
  }
  float(field: number, v: number) {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }
  bytes(field: number, b: Uint8Array) {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
  }
  string(field: number, s: string) {
    this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, build: (w: Writer) => void) {
    const w = new Writer();
    build(w);
    this.bytes(field, w.finish());
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function writeTensor(w: Writer, t: Tensor) {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  if (t.external) {
    const entry = (key: string, value: string) =>
      w.message(13, (e) => {
        e.string(1, key);
        e.string(2, value);
      });
    entry('location', t.external.location);
    entry('offset', String(t.external.offset));
    entry('length', String(t.data.byteLength));
    w.int(14, 1); // data_location = EXTERNAL
  } else {
    w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)); // raw_data, little-endian
  }
}

function writeAttr(w: Writer, name: string, v: AttrValue) {
  w.string(1, name);
  if (typeof v === 'number') {
    if (Number.isInteger(v)) {
      w.int(3, v);
      w.int(20, AttrType.INT);
    } else {
      w.float(2, v);
      w.int(20, AttrType.FLOAT);
    }
  } else if (typeof v === 'string') {
    w.bytes(4, new TextEncoder().encode(v));
    w.int(20, AttrType.STRING);
  } else if (Array.isArray(v) || 'ints' in v) {
    for (const i of Array.isArray(v) ? v : v.ints) w.int(8, i);
    w.int(20, AttrType.INTS);
  } else if ('floats' in v) {
    for (const f of v.floats) w.float(7, f);
    w.int(20, AttrType.FLOATS);
  } else if ('float' in v) {
    w.float(2, v.float);
    w.int(20, AttrType.FLOAT);
  } else {
    w.message(5, (m) => writeTensor(m, v));
    w.int(20, AttrType.TENSOR);
  }
}

function writeValueInfo(w: Writer, v: ValueInfo) {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tt) => {
      tt.int(1, v.dataType);
      tt.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
  if (v.doc) w.string(3, v.doc);
}

function writeGraph(w: Writer, g: GraphDef) {
  g.nodes.forEach((n, i) =>
    w.message(1, (m) => {
      for (const x of n.inputs) m.string(1, x);
      for (const x of n.outputs) m.string(2, x);
      m.string(3, n.name ?? `${n.op}_${i}`);
      m.string(4, n.op);
      for (const [k, v] of Object.entries(n.attrs ?? {})) m.message(5, (a) => writeAttr(a, k, v));
    }),
  );
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  if (g.doc) w.string(10, g.doc);
  for (const v of g.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.message(12, (m) => writeValueInfo(m, v));
}

/** Serialises a model to ONNX bytes (IR 8, default domain at opset 17). */
export function encodeModel(model: ModelDef): Uint8Array {
  const w = new Writer();
  w.int(1, IR_VERSION);
  w.string(2, model.producer ?? 'edge-cnn');
  w.string(3, '0.1.0');
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, OPSET);
  });
  for (const [k, v] of Object.entries(model.metadata ?? {}))
    w.message(14, (m) => {
      m.string(1, k);
      m.string(2, v);
    });
  return w.finish();
}
