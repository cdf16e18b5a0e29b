#!/usr/bin/env node
// The sandbox's command line (`npm run sandbox:cli -- <command>`). It runs its
// TypeScript source transpiled on load (about 0.3 s, mostly loading the
// compiler), so it never lags behind the code and needs no build; only where
// the sources are absent (an installed build) does it run the copy in dist.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, '..', 'src', 'sandbox', 'cli', 'main.ts');
if (existsSync(source)) {
  require('../scripts/transpile-on-load.js');
  require(source);
} else {
  require('../dist/src/sandbox/cli/main.js');
}
