// Lets Node run TypeScript sources straight away, the way ts-jest compiles
// them for the tests (transpile only, CommonJS, no type check): tests run the
// server in child processes with it (kill -9 tests exercise the same code
// without a build step), and the sandbox's command line starts with it.
const fs = require('node:fs');
const ts = require('typescript');

const { compilerOptions } = require('./transpile-options.js');

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
