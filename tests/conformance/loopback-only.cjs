// Loaded into the W3C suites' Node.js process (NODE_OPTIONS=--require=..., which every Node.js
// version takes) so that every TCP connection they open goes to this machine: their JSON-LD
// loaders fetch any https URL they do not hold (contexts, DID documents), and a test run must
// send nothing beyond loopback. A refused connection fails with ECONNREFUSED_NOT_LOOPBACK and is
// named on standard error, so that a test that needs the network shows up as such in the report.
const net = require('node:net');

const connect = net.Socket.prototype.connect;

function isLoopback(host) {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '::ffff:127.0.0.1';
}

function target(args) {
  // Node calls connect with already normalised [options, callback], users with
  // (options[, cb]), (port[, host][, cb]) or (path[, cb]).
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if(first !== null && typeof first === 'object') {
    return first.path ? null : (first.host || 'localhost');
  }
  if(typeof first === 'string' && !/^\d+$/.test(first)) {
    return null; // a Unix socket path
  }
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

net.Socket.prototype.connect = function(...args) {
  const host = target(args);
  if(host !== null && !isLoopback(host)) {
    console.error(`loopback-only: refused a connection to ${host}`);
    const error = new Error(`connection to ${host} refused: this run stays on loopback`);
    error.code = 'ECONNREFUSED_NOT_LOOPBACK';
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};
