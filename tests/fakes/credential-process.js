#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
//
// A credential_process for tests: asks a running fake-cloud for temporary credentials
// (POST /_fake/credentials/issue) and prints them in the credential_process format
// ({"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}).
//
//   node credential-process.js FAKE_URL [--lifetime S] [--expiration S] [--count-file PATH]
//
// --lifetime: how long the fake EC2 accepts them (default 3600); --expiration: the Expiration
// printed (default: the lifetime). --count-file: append one line per run (tests count the runs).
'use strict';

const http = require('node:http');
const fs = require('node:fs');

function fail (message) {
  process.stderr.write(`credential-process: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
if (args.length < 1) fail('usage: credential-process.js FAKE_URL [--lifetime S] [--expiration S] [--count-file PATH]');
const body = {};
let countFile = null;
for (let i = 1; i < args.length; i++) {
  const value = args[i + 1];
  if (args[i] === '--lifetime') body.lifetime_s = Number(value);
  else if (args[i] === '--expiration') body.expiration_s = Number(value);
  else if (args[i] === '--count-file') countFile = value;
  else fail(`unknown argument ${args[i]}`);
  i++;
}

const url = new URL('/_fake/credentials/issue', args[0]);
const data = Buffer.from(JSON.stringify(body));
const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': data.length } }, (res) => {
  const chunks = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    if (res.statusCode !== 200) fail(`the fake answered HTTP ${res.statusCode}`);
    if (countFile !== null) fs.appendFileSync(countFile, 'run\n');
    process.stdout.write(text);
  });
});
req.on('error', (e) => fail(`cannot reach the fake at ${args[0]}: ${e.message}`));
req.end(data);
