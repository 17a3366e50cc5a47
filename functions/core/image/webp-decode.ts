/**
 * WebP (lossy, lossless, with alpha; the first frame is all a still image has) by libwebp compiled to wasm
 * (@jsquash/webp, from Squoosh). workerd compiles no wasm from bytes, so the module arrives precompiled (wrangler's
 * CompiledWasm rule) and is instantiated on the first WebP; images without one never load it. libwebp returns the
 * whole image as RGBA, in wasm memory and then copied out; the wasm memory keeps its largest size for the
 * isolate's life, which is why decode.ts bounds a WebP by the memory budget from its header first.
 */
import decode, { init } from '@jsquash/webp/decode';
// wrangler's module collector resolves .wasm imports as paths relative to this file, not through package exports.
import webpWasm from '../../../node_modules/@jsquash/webp/codec/dec/webp_dec.wasm';

let ready: Promise<void> | undefined;

/** RGBA samples of the whole image, row-major. */
export async function decodeWebp(
  bytes: Uint8Array,
): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  // The package's typings omit init's (module, options) form, which its code supports.
  ready ??= (init as (module: WebAssembly.Module) => Promise<void>)(webpWasm);
  await ready;
  const copy =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  const image = await decode(copy as ArrayBuffer);
  return { width: image.width, height: image.height, data: image.data };
}
