// What tests/workerd/vitest.config.ts provides to the workerd tests (vitest's inject()).
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    modelFolders: string[];
  }
}
