/**
 * Decodes a whole ONNX model (any producer: torch.onnx.export, tf2onnx, onnx.helper) into plain objects: the
 * graph's nodes with their attributes, its inputs and outputs with their shapes, and every initializer as numbers,
 * external data included (given the files it names). Field numbers follow onnx.proto (proto2: repeated scalars
 * come packed or not, both are read). Integers are read as 64-bit two's complement (negative shapes such as -1).
 * The one ONNX reader: the importer reads foreign models with it, re-export reads our own weights back.
 */
import type { Weights } from '../graph/compile.js';
import { BFLOAT16, bfloat, FLOAT, FLOAT16, FLOATING, half, RAW } from './elements.js';

export interface DecodedTensor {
  name: string;
  dataType: number;
  dims: number[];
  /** Floating types (float, float16, bfloat16, double) as float32 values; integer types as numbers in a Float64Array. */
  values: Float32Array | Float64Array;
}
export type DecodedAttr = number | string | number[] | DecodedTensor;
export interface DecodedNode {
  name: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, DecodedAttr>;
}
export interface DecodedValueInfo {
  name: string;
  /** Each dimension's size, or its symbolic name (or '?' when none is given). */
  shape: (number | string)[] | undefined;
  /** The tensor's element type (onnx.proto DataType: 1 float, 10 float16, 11 double), when given. */
  elemType?: number;
}
export interface DecodedModel {
  irVersion: number;
  producer: string;
  /** The default domain's opset. */
  opset: number;
  nodes: DecodedNode[];
  inputs: DecodedValueInfo[];
  outputs: DecodedValueInfo[];
  initializers: Map<string, DecodedTensor>;
}

const utf8 = new TextDecoder();
/** Reads an external-data file by its location (a path relative to the model); undefined when absent. */
export type External = (location: string) => Uint8Array | undefined;

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  get done() {
    return this.pos >= this.b.length;
  }
  big(): bigint {
    let v = 0n,
      shift = 0n,
      byte;
    do {
      byte = this.b[this.pos++];
      v |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte & 0x80);
    return v;
  }
  /** A varint as a signed 64-bit number (int64 fields; small unsigned fields read the same). */
  int(): number {
    return Number(BigInt.asIntN(64, this.big()));
  }
  bytes(): Uint8Array {
    const n = this.int();
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  float(): number {
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }
  double(): number {
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }
  skip(wire: number) {
    if (wire === 0) this.big();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

function each(b: Uint8Array, on: (field: number, wire: number, r: Reader) => boolean | void) {
  const r = new Reader(b);
  while (!r.done) {
    const tag = r.int();
    const field = tag >>> 3,
      wire = tag & 7;
    if (!on(field, wire, r)) r.skip(wire);
  }
}

/** A repeated varint field, packed (wire 2) or not (wire 0). */
function ints(wire: number, r: Reader, into: number[]) {
  if (wire === 0) into.push(r.int());
  else {
    const p = new Reader(r.bytes());
    while (!p.done) into.push(p.int());
  }
}
function floats(wire: number, r: Reader, into: number[], double = false) {
  if (wire === 5 || wire === 1) into.push(double ? r.double() : r.float());
  else {
    const p = new Reader(r.bytes());
    while (!p.done) into.push(double ? p.double() : p.float());
  }
}

function decodeTensor(b: Uint8Array, external: External): DecodedTensor {
  const t = { name: '', dataType: 0, dims: [] as number[] };
  let raw: Uint8Array | undefined;
  const fl: number[] = [],
    it: number[] = [];
  const ext: Record<string, string> = {};
  each(b, (f, w, r) => {
    if (f === 1) ints(w, r, t.dims);
    else if (f === 2) t.dataType = r.int();
    else if (f === 4) floats(w, r, fl);
    else if (f === 5 || f === 7 || f === 11) ints(w, r, it);
    else if (f === 10) floats(w, r, fl, true);
    else if (f === 8) t.name = utf8.decode(r.bytes());
    else if (f === 9) raw = r.bytes();
    else if (f === 13) {
      let k = '',
        v = '';
      each(r.bytes(), (ef, _w, er) => {
        if (ef === 1) k = utf8.decode(er.bytes());
        else if (ef === 2) v = utf8.decode(er.bytes());
        else return false;
        return true;
      });
      ext[k] = v;
    } else return false;
    return true;
  });
  const n = t.dims.reduce((a, v) => a * v, 1);
  if (ext.location) {
    const file = external(ext.location);
    if (!file) throw new Error(`initializer ${t.name} lives in external file ${ext.location}, which was not found`);
    const offset = Number(ext.offset ?? 0);
    const length = ext.length !== undefined ? Number(ext.length) : n * (RAW[t.dataType]?.[0] ?? 4);
    if (offset + length > file.length)
      throw new Error(`initializer ${t.name}: bytes ${offset}-${offset + length} lie past the end of ${ext.location}`);
    raw = file.subarray(offset, offset + length);
  }
  const reader = RAW[t.dataType];
  // Other types (strings, complex, 8-bit floats) are left unread (no values); a node that reads one says so.
  if (!reader) return { ...t, values: new Float64Array(0) };
  const make = (length: number, at: (i: number) => number) => {
    const out = FLOATING.has(t.dataType) ? new Float32Array(length) : new Float64Array(length);
    for (let i = 0; i < length; i++) out[i] = at(i);
    return out;
  };
  let values: Float32Array | Float64Array;
  if (raw) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    values = make(raw.length / reader[0], (i) => reader[1](dv, i));
  } else if (t.dataType === FLOAT16 || t.dataType === BFLOAT16)
    // Without raw_data, 16-bit floats are kept as their bits in int32_data.
    values = make(it.length, (i) => (t.dataType === FLOAT16 ? half : bfloat)(it[i]));
  else values = FLOATING.has(t.dataType) ? make(fl.length, (i) => fl[i]) : make(it.length, (i) => it[i]);
  if (values.length !== n) throw new Error(`tensor ${t.name}: ${values.length} values for dims [${t.dims}]`);
  return { ...t, values };
}

function decodeAttr(b: Uint8Array, external: External): [string, DecodedAttr] {
  let name = '',
    type = 0,
    f = 0,
    i = 0,
    s = '',
    t: DecodedTensor | undefined;
  const fs: number[] = [],
    is: number[] = [];
  each(b, (field, w, r) => {
    if (field === 1) name = utf8.decode(r.bytes());
    else if (field === 2) f = r.float();
    else if (field === 3) i = r.int();
    else if (field === 4) s = utf8.decode(r.bytes());
    else if (field === 5) t = decodeTensor(r.bytes(), external);
    else if (field === 7) floats(w, r, fs);
    else if (field === 8) ints(w, r, is);
    else if (field === 20) type = r.int();
    else return false;
    return true;
  });
  const byType: Record<number, DecodedAttr | undefined> = { 1: f, 2: i, 3: s, 4: t, 6: fs, 7: is };
  return [name, byType[type] ?? (t || (is.length ? is : fs.length ? fs : s || i || f))];
}

function decodeValueInfo(b: Uint8Array): DecodedValueInfo {
  const v: DecodedValueInfo = { name: '', shape: undefined };
  each(b, (f, _w, r) => {
    if (f === 1) v.name = utf8.decode(r.bytes());
    else if (f === 2)
      each(r.bytes(), (tf, _tw, tr) => {
        if (tf !== 1) return false;
        each(tr.bytes(), (ttf, _ttw, ttr) => {
          if (ttf === 1) {
            v.elemType = ttr.int();
            return true;
          }
          if (ttf !== 2) return false;
          v.shape = [];
          each(ttr.bytes(), (sf, _sw, sr) => {
            if (sf !== 1) return false;
            let d: number | string = '?';
            each(sr.bytes(), (df, _dw, dr) => {
              if (df === 1) d = dr.int();
              else if (df === 2) d = utf8.decode(dr.bytes());
              else return false;
              return true;
            });
            v.shape!.push(d);
            return true;
          });
          return true;
        });
        return true;
      });
    else return false;
    return true;
  });
  return v;
}

/** Decodes an ONNX model; `external` reads each external-data file it names (once per location is up to the caller). */
export function decodeModel(bytes: Uint8Array, external: External = () => undefined): DecodedModel {
  const m: DecodedModel = {
    irVersion: 0,
    producer: '',
    opset: 0,
    nodes: [],
    inputs: [],
    outputs: [],
    initializers: new Map(),
  };
  let sawGraph = false;
  each(bytes, (f, _w, r) => {
    if (f === 1) m.irVersion = r.int();
    else if (f === 2) m.producer = utf8.decode(r.bytes());
    else if (f === 8) {
      let domain = '',
        version = 0;
      each(r.bytes(), (of, _ow, or) => {
        if (of === 1) domain = utf8.decode(or.bytes());
        else if (of === 2) version = or.int();
        else return false;
        return true;
      });
      if (domain === '' || domain === 'ai.onnx') m.opset = version;
    } else if (f === 7) {
      sawGraph = true;
      each(r.bytes(), (gf, _gw, gr) => {
        if (gf === 1) {
          const n: DecodedNode = { name: '', op: '', domain: '', inputs: [], outputs: [], attrs: {} };
          each(gr.bytes(), (nf, _nw, nr) => {
            if (nf === 1) n.inputs.push(utf8.decode(nr.bytes()));
            else if (nf === 2) n.outputs.push(utf8.decode(nr.bytes()));
            else if (nf === 3) n.name = utf8.decode(nr.bytes());
            else if (nf === 4) n.op = utf8.decode(nr.bytes());
            else if (nf === 7) n.domain = utf8.decode(nr.bytes());
            else if (nf === 5) {
              const [k, v] = decodeAttr(nr.bytes(), external);
              n.attrs[k] = v;
            } else return false;
            return true;
          });
          n.name ||= `${n.op}_${m.nodes.length}`;
          m.nodes.push(n);
        } else if (gf === 5) {
          const t = decodeTensor(gr.bytes(), external);
          m.initializers.set(t.name, t);
        } else if (gf === 11) m.inputs.push(decodeValueInfo(gr.bytes()));
        else if (gf === 12) m.outputs.push(decodeValueInfo(gr.bytes()));
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  if (!sawGraph) throw new Error('not an ONNX model: no graph found (is this a .onnx file?)');
  return m;
}

/**
 * The float initializers (the weights) of a model, by name: how a trained model is re-exported with a newer graph
 * compiler without retraining. `external` maps an external-data location (e.g. weights.bin) to its bytes.
 */
export function readInitializers(model: Uint8Array, external: Record<string, Uint8Array> = {}): Weights {
  const out: Weights = {};
  for (const [name, t] of decodeModel(model, (loc) => external[loc]).initializers)
    if (t.dataType === FLOAT) out[name] = t.values as Float32Array;
  return out;
}
