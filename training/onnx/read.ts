/**
 * Reads the float initializers (the weights) back out of an ONNX file written by proto.ts, so a trained model
 * can be re-exported with a newer graph compiler without retraining. Handles packed and unpacked dims.
 */
import type { Weights } from '../graph/compile.js';

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  get done() {
    return this.pos >= this.b.length;
  }
  varint(): number {
    let v = 0,
      mul = 1,
      byte;
    do {
      byte = this.b[this.pos++];
      v += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    return v;
  }
  bytes(): Uint8Array {
    const n = this.varint();
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number) {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

function fields(b: Uint8Array, onField: (field: number, wire: number, r: Reader) => boolean) {
  const r = new Reader(b);
  while (!r.done) {
    const tag = r.varint(),
      field = tag >>> 3,
      wire = tag & 7;
    if (!onField(field, wire, r)) r.skip(wire);
  }
}

/** The float initializers of a model; `external` maps an external-data location (e.g. weights.bin) to its bytes. */
export function readInitializers(model: Uint8Array, external: Record<string, Uint8Array> = {}): Weights {
  const out: Weights = {};
  fields(model, (f, w, r) => {
    if (f !== 7 || w !== 2) return false;
    fields(r.bytes(), (gf, gw, gr) => {
      if (gf !== 5 || gw !== 2) return false;
      let name = '',
        raw: Uint8Array | undefined,
        type = 0;
      const ext: Record<string, string> = {};
      fields(gr.bytes(), (tf, tw, tr) => {
        if (tf === 8) {
          name = new TextDecoder().decode(tr.bytes());
          return true;
        }
        if (tf === 9) {
          raw = tr.bytes();
          return true;
        }
        if (tf === 2 && tw === 0) {
          type = tr.varint();
          return true;
        }
        if (tf === 13 && tw === 2) {
          let k = '',
            v = '';
          fields(tr.bytes(), (ef, _ew, er) => {
            if (ef === 1) {
              k = new TextDecoder().decode(er.bytes());
              return true;
            }
            if (ef === 2) {
              v = new TextDecoder().decode(er.bytes());
              return true;
            }
            return false;
          });
          ext[k] = v;
          return true;
        }
        return false;
      });
      if (ext.location) {
        const file = external[ext.location];
        if (!file) throw new Error(`initializer ${name} lives in ${ext.location}, which was not given`);
        raw = file.subarray(Number(ext.offset ?? 0), Number(ext.offset ?? 0) + Number(ext.length));
      }
      if (type === 1 && raw) out[name] = new Float32Array(raw.slice().buffer);
      return true;
    });
    return true;
  });
  return out;
}
