// What tests/workerd/vitest.config.ts provides to the workerd tests (vitest's inject()).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    modelFolders: string[];
    /** The imported fixture models (tests/workerd/imported-fixture.ts): PyTorch-style, Keras-style, MLP. */
    importedModels: string[];
  }
}
