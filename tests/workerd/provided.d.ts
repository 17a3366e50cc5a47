// What tests/workerd/vitest.config.ts and its global setup (global-setup.ts) provide to the workerd tests (vitest's inject()).
import 'vitest';
import type { GraphReference } from './graph-fixture.js';

declare module 'vitest' {
  export interface ProvidedContext {
    modelFolders: string[];
    /** The model folders committed to the repository (tests/node/helpers/bundled.ts). */
    bundledModels: string[];
    /** The imported fixture models (tests/workerd/imported-fixture.ts): PyTorch-style, Keras-style, MLP. */
    importedModels: string[];
    /** Real pretrained models imported from ../shared/models-from-elsewhere, with a sample PNG (base64) and its label. */
    elsewhereModels: { name: string; sample: string; label: number }[];
    /** The toy graph network and flat MLP (tests/workerd/graph-fixture.ts) and the onnxruntime-node reference. */
    graphReference: GraphReference;
  }
}
