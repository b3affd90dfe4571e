#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Fake AWS EC2 + ClearML servers for the EC2 Autoscaler tests and benchmarks.
// See README.md in this directory for the full contract (endpoints, control API, faults).
//
//   node fake-cloud.js [--ec2-port N] [--clearml-port N] [--config JSON] [--no-stdin-exit] [--quiet]
//
// Prints exactly one line to stdout when ready:
//   {"ec2":"http://127.0.0.1:PORT","clearml":"http://127.0.0.1:PORT","sts":...,"sso":...,"imds":...,"container":...}
'use strict';

const http = require('node:http');

try {
  require.resolve('@smithy/signature-v4');
} catch (e) {
  process.stderr.write(`fake-cloud: the dependencies are not installed: run 'npm ci --no-audit --no-fund' in ${__dirname}\n`);
  process.exit(3);
}
const { World, BadRequest } = require('./lib/world');
const { createEc2Handler } = require('./lib/ec2');
const { createClearmlHandler } = require('./lib/clearml');
const { createControlHandler } = require('./lib/control');
const { createStsHandler, createSsoHandler, createImdsHandler, createContainerHandler } = require('./lib/credentials');

function usage (msg) {
  process.stderr.write(`fake-cloud: ${msg}\nusage: node fake-cloud.js [--ec2-port N] [--clearml-port N] [--config JSON] [--no-stdin-exit] [--quiet]\n`);
  process.exit(2);
}

function parseArgs (argv) {
  const opts = { ec2Port: 0, clearmlPort: 0, config: {}, stdinExit: true, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    const port = (v) => {
      if (!/^\d+$/.test(v) || +v > 65535) usage(`${a}: expected a port number 0..65535, got '${v}'`);
      return +v;
    };
    if (a === '--ec2-port') opts.ec2Port = port(value());
    else if (a === '--clearml-port') opts.clearmlPort = port(value());
    else if (a === '--config') {
      const v = value();
      try {
        opts.config = JSON.parse(v);
      } catch (e) {
        usage(`--config: invalid JSON (${e.message})`);
      }
    } else if (a === '--no-stdin-exit') opts.stdinExit = false;
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--help' || a === '-h') usage('help');
    else usage(`unknown argument '${a}'`);
  }
  return opts;
}

function main () {
  const opts = parseArgs(process.argv.slice(2));
  const log = opts.quiet ? () => {} : (msg) => process.stderr.write(`[fake-cloud] ${msg}\n`);
  const warn = (msg) => process.stderr.write(`[fake-cloud] ${msg}\n`);
  let world;
  try {
    world = new World(opts.config);
  } catch (e) {
    if (e instanceof BadRequest) usage(`--config: ${e.message}`);
    throw e;
  }
  const ec2 = createEc2Handler(world, log);
  const clearml = createClearmlHandler(world, log);
  const control = createControlHandler(world, log);

  const make = (name, handler) => {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      const p = url.pathname.startsWith('/_fake/') ? control(req, res, url) : handler(req, res, url);
      Promise.resolve(p).catch((e) => {
        warn(`${name}: unhandled error: ${e && e.stack}`);
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
        }
        res.end('internal error in fake-cloud\n');
      });
    });
    // Longer than any pause of a client between two requests on a loaded
    // machine: a server that closes an idle keep-alive socket just as the
    // client reuses it makes that request fail with "socket hang up".
    server.keepAliveTimeout = 65000;
    server.headersTimeout = 66000;
    server.requestTimeout = 0; // hung answers are on purpose
    server.on('clientError', (e, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
    return server;
  };

  const ec2Server = make('ec2', ec2);
  const clearmlServer = make('clearml', clearml);
  // The credential endpoints, each on its own port as the real ones are on their own hosts.
  const extra = [
    ['sts', make('sts', createStsHandler(world, log))],
    ['sso', make('sso', createSsoHandler(world, log))],
    ['imds', make('imds', createImdsHandler(world, log))],
    ['container', make('container', createContainerHandler(world, log))],
  ];

  // Advance the simulation even when nobody asks.
  const ticker = setInterval(() => world.tick(), 100);

  let stopping = false;
  const stop = (why) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${why})`);
    clearInterval(ticker);
    for (const s of world.hungSockets) s.destroy();
    for (const s of [ec2Server, clearmlServer, ...extra.map((e) => e[1])]) {
      s.closeAllConnections && s.closeAllConnections();
      s.close();
    }
    setTimeout(() => process.exit(0), 50).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (opts.stdinExit) {
    process.stdin.on('end', () => stop('stdin EOF'));
    process.stdin.on('error', () => stop('stdin error'));
    process.stdin.on('data', () => {});
    process.stdin.resume();
  }

  let ready = 0;
  const onReady = () => {
    if (++ready < 2 + extra.length) return;
    // Where the fake agents find their ClearML server (lib/agent.js).
    world.clearmlOrigin = `http://127.0.0.1:${clearmlServer.address().port}`;
    const urls = {
      ec2: `http://127.0.0.1:${ec2Server.address().port}`,
      clearml: `http://127.0.0.1:${clearmlServer.address().port}`,
    };
    for (const [name, server] of extra) urls[name] = `http://127.0.0.1:${server.address().port}`;
    const line = JSON.stringify(urls);
    process.stdout.write(line + '\n');
    log(`ready: ${line}`);
  };
  for (const [s, port, name] of [[ec2Server, opts.ec2Port, 'ec2'], [clearmlServer, opts.clearmlPort, 'clearml'],
    ...extra.map(([n, server]) => [server, 0, n])]) {
    s.on('error', (e) => {
      warn(`${name} listener: ${e.message}`);
      process.exit(1);
    });
    s.listen(port, '127.0.0.1', onReady);
  }
}

main();
