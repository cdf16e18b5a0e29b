// A port that was free a moment ago on 127.0.0.1, for a server the test or
// benchmark starts itself. CommonJS, so that the ESM global setup, the
// TypeScript tests and the benchmark harness all load this one copy.
const { createServer } = require('node:net');

exports.freePort = function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
};
