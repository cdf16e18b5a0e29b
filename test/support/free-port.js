// A port that was free a moment ago on 127.0.0.1, for a server the test or
// benchmark starts itself. CommonJS, so that the ESM global setup, the
// TypeScript tests and the benchmark harness all load this one copy.
//
// The port is not the kernel's pick (listen on 0). The kernel picks from its
// ephemeral range (32768–60999 on Linux), the same range it gives every
// outgoing connection a local port from: between our check and the server's
// listen, a client socket of any process on the machine could take it. That
// happened under load in a full run. Ports below that range are only ever
// taken by listeners, which the check sees. Each process walks its own slot
// (the jest worker's number, spread by its pid), so that two files starting
// servers at the same moment do not walk the same ports.
const { createServer } = require('node:net');

const FIRST_PORT = 20000;
const SLOT_SIZE = 3000;
const SLOTS = 4;

const slot = Number(process.env.JEST_WORKER_ID ?? 0) % SLOTS;
const slotStart = FIRST_PORT + slot * SLOT_SIZE;
let offset = (process.pid * 7919) % SLOT_SIZE;

function nextCandidate() {
  const port = slotStart + offset;
  offset = (offset + 1) % SLOT_SIZE;
  return port;
}

function isFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

exports.freePort = async function freePort() {
  for (let tried = 0; tried < SLOT_SIZE; tried++) {
    const port = nextCandidate();
    if (await isFree(port)) return port;
  }
  throw new Error(`No free port on 127.0.0.1 in ${slotStart}–${slotStart + SLOT_SIZE - 1}`);
};
