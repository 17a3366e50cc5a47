/**
 * A model's files checked against the sha256 and size its meta.json lists, before onnxruntime sees them: a file
 * that is missing, truncated or altered makes that model answer 503 with the reason, and only that model. Any
 * loader can use it: the bundled-model runtime (models.ts) passes its Data modules, a remote store the bytes it
 * fetched. Verdicts are cached per model and file, so each file is hashed once per isolate.
 */
import { unavailable, type Problem } from '../core/errors.js';

export interface FileEntry {
  sha256: string;
  bytes: number;
}

const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (v) => v.toString(16).padStart(2, '0')).join('');

export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
}

/** Why `bytes` is not the file meta.json lists, or undefined when it is. */
export async function fileProblem(
  file: string,
  bytes: ArrayBuffer | Uint8Array | undefined,
  expected: FileEntry | undefined,
): Promise<string | undefined> {
  if (!expected) return `${file} is not listed in meta.json "files", so it cannot be verified`;
  if (!bytes) return `${file} is missing`;
  if (bytes.byteLength !== expected.bytes)
    return `${file} is ${bytes.byteLength} bytes; meta.json lists ${expected.bytes}`;
  const got = await sha256Hex(bytes);
  if (got !== expected.sha256) return `${file} has sha256 ${got}; meta.json lists ${expected.sha256}`;
  return undefined;
}

/** The 503 a broken model answers with. */
export const modelUnavailable = (model: string, reason: string) =>
  unavailable(`model ${model} is unavailable: ${reason}. Other models are served as usual.`, {
    model,
    reason,
  });

/**
 * One model's verifier: `check(file, bytes)` resolves when the file matches meta.json and otherwise throws the
 * model's 503; after one failure (or `fail`, e.g. a graph onnxruntime could not load) every check throws it.
 */
export function modelVerifier(model: string, files: Record<string, FileEntry>) {
  const verdicts = new Map<string, Promise<void>>();
  let broken: Problem | undefined;
  const fail = (reason: string): never => {
    broken ??= modelUnavailable(model, reason);
    throw broken;
  };
  return {
    fail,
    get broken() {
      return broken;
    },
    check(file: string, bytes: () => ArrayBuffer | Uint8Array | undefined): Promise<void> {
      if (broken) return Promise.reject(broken);
      let v = verdicts.get(file);
      if (!v) {
        v = fileProblem(file, bytes(), files[file]).then((reason) => {
          if (reason) fail(reason);
        });
        verdicts.set(file, v);
      }
      return v;
    },
  };
}
