/**
 * Loads an ESM-only package from this CommonJS build. TypeScript compiles a
 * plain `import()` to `require()` under `module: commonjs`, which cannot load
 * ESM on Node 20; hiding the call from the compiler keeps it a real dynamic
 * import.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

export function importEsm<T>(specifier: string): Promise<T> {
  return dynamicImport<T>(specifier);
}
