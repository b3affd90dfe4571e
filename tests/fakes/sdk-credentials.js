#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Resolves AWS credentials with the AWS SDK's own providers (@aws-sdk/credential-providers) from
// the environment it is given (profile files, AWS_* variables, endpoints of the fakes) and
// prints them as one JSON line:
//   {"accessKeyId":...,"secretAccessKey":...,"sessionToken":...,"expiration":"ISO 8601"|null}
// test-aws-chain.c runs it next to our C chain on the same files and endpoints and asserts both
// get the same keys.
//
//   node sdk-credentials.js SOURCE [--profile NAME] [--region REGION]
//
// SOURCE: chain (fromNodeProviderChain, the default chain), ini (fromIni), process, sso,
// web-identity (fromTokenFile), container (fromHttp), imds (fromInstanceMetadata).
// Errors go to stderr with exit status 1.
'use strict';

let providers;
try {
  providers = require('@aws-sdk/credential-providers');
} catch (e) {
  process.stderr.write(`sdk-credentials: run 'npm ci' in ${__dirname}: ${e.message}\n`);
  process.exit(3);
}

const args = process.argv.slice(2);
const source = args[0];
let profile;
let region = 'us-east-1';
for (let i = 1; i < args.length; i += 2) {
  if (args[i] === '--profile') profile = args[i + 1];
  else if (args[i] === '--region') region = args[i + 1];
  else {
    process.stderr.write(`sdk-credentials: unknown argument ${args[i]}\n`);
    process.exit(2);
  }
}

const clientConfig = { region };
const make = {
  chain: () => providers.fromNodeProviderChain({ profile, clientConfig }),
  ini: () => providers.fromIni({ profile, clientConfig }),
  process: () => providers.fromProcess({ profile }),
  sso: () => providers.fromSSO({ profile, clientConfig }),
  'web-identity': () => providers.fromTokenFile({ clientConfig }),
  container: () => providers.fromHttp({}),
  imds: () => providers.fromInstanceMetadata({ timeout: 5000 }),
};

if (!make[source]) {
  process.stderr.write(`sdk-credentials: SOURCE must be one of ${Object.keys(make).join(', ')}\n`);
  process.exit(2);
}

make[source]()()
  .then((c) => {
    process.stdout.write(JSON.stringify({
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      sessionToken: c.sessionToken === undefined ? null : c.sessionToken,
      expiration: c.expiration ? c.expiration.toISOString() : null,
    }) + '\n');
  })
  .catch((e) => {
    process.stderr.write(`sdk-credentials: ${e.name}: ${e.message}\n`);
    process.exit(1);
  });
