// The page type-checks the API's answer schemas (functions/schemas/types.ts), which reach the Worker's wasm
// decoders: the module form the Worker's bundler gives them (functions/worker-configuration.d.ts declares it there).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
