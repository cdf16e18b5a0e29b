// Kept under this name for the tests and benchmarks that load it with `node -r`.
require('../../scripts/transpile-on-load.js');
