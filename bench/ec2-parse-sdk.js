// SPDX-License-Identifier: GPL-3.0-or-later
//
// Reference timing for bench-ec2-parse: how long the official AWS SDK for
// JavaScript v3 (@aws-sdk/client-ec2, from tests/fakes/node_modules) takes to
// deserialize the SAME DescribeInstances bytes.
//
// The SDK (3.1169) deserializes through its schema-based protocol, which has
// no stable exported entry point, so the real DescribeInstancesCommand is run
// against a tiny local HTTP server that answers with the file's bytes. The
// cost of one round trip with an EMPTY reservation set (same server, same
// middleware, same signing) is measured too and subtracted, which leaves the
// parsing of the instances. Both are medians of several runs after warm-up.
//
// usage: node ec2-parse-sdk.js FILE [FILE...]
// prints one JSON line per file:
//   {"file":..., "bytes":N, "instances":N, "sdk_ms":median, "empty_ms":median, "parse_ms":sdk-empty}
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const fakesDir = process.env.SCALER_FAKES_DIR || path.join(__dirname, '..', 'tests', 'fakes');
const { EC2Client, DescribeInstancesCommand } = require(path.join(fakesDir, 'node_modules', '@aws-sdk', 'client-ec2'));

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
  '<requestId>empty</requestId><reservationSet/></DescribeInstancesResponse>';

function median (values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main () {
  const files = process.argv.slice(2);
  let body = Buffer.from(EMPTY);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/xml;charset=UTF-8', 'Content-Length': body.length });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new EC2Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${server.address().port}`,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });

  const time = async (payload, runs) => {
    body = payload;
    let count = 0;
    const times = [];
    for (let i = 0; i < runs + 1; i++) {
      const t0 = process.hrtime.bigint();
      const out = await client.send(new DescribeInstancesCommand({}));
      const t1 = process.hrtime.bigint();
      count = (out.Reservations || []).reduce((n, r) => n + (r.Instances || []).length, 0);
      if (i > 0) times.push(Number(t1 - t0) / 1e6);   // the first run warms up
    }
    return { ms: median(times), count };
  };

  for (const file of files) {
    const bytes = fs.readFileSync(file);
    const runs = bytes.length > 4 * 1024 * 1024 ? 5 : 15;
    const empty = await time(Buffer.from(EMPTY), runs);
    const full = await time(bytes, runs);
    process.stdout.write(JSON.stringify({
      file,
      bytes: bytes.length,
      instances: full.count,
      sdk_ms: full.ms,
      empty_ms: empty.ms,
      parse_ms: Math.max(0, full.ms - empty.ms),
    }) + '\n');
  }
  server.close();
}

main().catch((e) => {
  process.stderr.write(`ec2-parse-sdk: ${e.stack || e}\n`);
  process.exit(1);
});
