// How TypeScript sources are compiled when they are run without a build: the
// same options wherever that happens (transpile-on-load.js, and the workers
// the server starts from sources).
const ts = require('typescript');

module.exports = {
  compilerOptions: {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    sourceMap: false,
  },
};
