// What tests/workerd/vitest.config.ts provides to the workerd tests (vitest's inject()).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    modelFolders: string[];
    /** The name of the imported fixture model (tests/workerd/imported-fixture.ts). */
    importedModel: string;
  }
}
