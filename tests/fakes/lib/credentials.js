// SPDX-License-Identifier: GPL-3.0-or-later
//
// Fake credential endpoints: STS (AssumeRole, AssumeRoleWithWebIdentity), the SSO portal
// (GetRoleCredentials), IMDSv2 and a container credentials endpoint. Each answers in the wire
// format the AWS SDKs parse (checked by selftest.js and tests/fakes/sdk-credentials.js with
// @aws-sdk/credential-providers); the temporary credentials they hand out are accepted by the
// fake EC2 until they expire (then EC2 answers 400 RequestExpired). See README.md.
'use strict';

const { el, isoMs, uuid, rfc1123, hex, readBody } = require('./util');
const { verifySignature, parseParams } = require('./ec2');

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::(\d{12}):role\/([\w+=,.@/-]{1,512})$/;
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID_RE = /^[\w+=,.@:/-]{2,1224}$/;

// STS timestamps: second precision, "Z" (botocore parses them with dateutil, the JS SDK with
// its RFC 3339 parser).
function stsTime (ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

class StsError extends Error {
  constructor (status, code, message, type = 'Sender') {
    super(message);
    this.status = status;
    this.code = code;
    this.type = type;
  }
}

function stsErrorXml (e, requestId) {
  return `<ErrorResponse xmlns="${STS_NS}">\n  <Error>\n    <Type>${e.type}</Type>\n    ${el('Code', e.code)}\n` +
    `    ${el('Message', e.message)}\n  </Error>\n  ${el('RequestId', requestId)}\n</ErrorResponse>\n`;
}

function credentialsXml (set) {
  return '<Credentials>' + el('AccessKeyId', set.access_key_id) + el('SecretAccessKey', set.secret_access_key) +
    el('SessionToken', set.session_token) + el('Expiration', stsTime(set.advertised_ms)) + '</Credentials>';
}

function validationError (what, value, constraint) {
  return new StsError(400, 'ValidationError',
    `1 validation error detected: Value ${value === undefined ? 'null' : `'${value}'`} at '${what}' failed to satisfy constraint: ${constraint}`);
}

function stsLifetimeMs (world, params) {
  const configured = world.config.credential_services.sts.lifetime_s;
  let duration = 3600;
  if (params.DurationSeconds !== undefined) {
    duration = Number(params.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw validationError('durationSeconds', params.DurationSeconds, 'Member must have value between 900 and 43200');
    }
  }
  return { duration, lifetimeMs: (configured !== null ? configured : duration) * 1000 };
}

function checkRole (world, params, needExternalId) {
  const arn = params.RoleArn;
  if (arn === undefined) throw validationError('roleArn', arn, 'Member must not be null');
  const m = ROLE_ARN_RE.exec(arn);
  if (!m) throw validationError('roleArn', arn, 'Member must satisfy the pattern of an IAM role ARN');
  const name = params.RoleSessionName;
  if (name === undefined) throw validationError('roleSessionName', name, 'Member must not be null');
  if (!SESSION_NAME_RE.test(name)) throw validationError('roleSessionName', name, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
  if (params.ExternalId !== undefined && !EXTERNAL_ID_RE.test(params.ExternalId)) {
    throw validationError('externalId', params.ExternalId, 'Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*');
  }
  const roles = world.config.credential_services.sts.roles;
  if (roles !== null) {
    const role = roles[arn];
    if (!role) throw new StsError(403, 'AccessDenied', `User is not authorized to perform: sts:AssumeRole on resource: ${arn}`);
    if (needExternalId && (role.external_id || null) !== (params.ExternalId || null)) {
      throw new StsError(403, 'AccessDenied', `User is not authorized to perform: sts:AssumeRole on resource: ${arn}`);
    }
  }
  return { account: m[1], role: m[2].split('/').pop() };
}

function assumedRoleUserXml (world, arnParts, sessionName) {
  return '<AssumedRoleUser>' +
    el('AssumedRoleId', 'AROA' + arnParts.account.slice(0, 8) + 'FAKE:' + sessionName) +
    el('Arn', `arn:aws:sts::${arnParts.account}:assumed-role/${arnParts.role}/${sessionName}`) +
    '</AssumedRoleUser>';
}

// POST / with Action=AssumeRole (SigV4, service "sts") or AssumeRoleWithWebIdentity (unsigned).
function createStsHandler (world, log) {
  const send = (res, status, body) => {
    const buf = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n' + body, 'utf8');
    res.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': buf.length, Date: rfc1123(world.now()) });
    res.end(buf);
  };

  async function assumeRole (req, url, body, params) {
    const auth = await verifySignature(world, req, url, body, 'sts');
    if (!auth.ok) {
      // STS's codes for what EC2 calls AuthFailure and RequestExpired (clock skew).
      if (auth.code === 'AuthFailure') throw new StsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      if (auth.code === 'RequestExpired') throw new StsError(403, 'SignatureDoesNotMatch', `Signature expired: ${auth.message}`);
      throw new StsError(auth.status, auth.code, auth.message);
    }
    const arn = checkRole(world, params, true);
    const { duration, lifetimeMs } = stsLifetimeMs(world, params);
    // Who asks for what: the same request (DurationSeconds absent = 3600, STS's default) gets the
    // current set of its identity (see World.issueCredentials).
    const identity = ['AssumeRole', params.RoleArn, params.RoleSessionName, params.ExternalId || '',
      duration, auth.cred.access_key_id].join('\u0001');
    const set = world.issueCredentials('sts', identity, lifetimeMs);
    set.request = { action: 'AssumeRole', role_arn: params.RoleArn, role_session_name: params.RoleSessionName,
      external_id: params.ExternalId || null, duration_seconds: params.DurationSeconds ? +params.DurationSeconds : null,
      source_access_key_id: auth.cred.access_key_id };
    return `<AssumeRoleResult>${assumedRoleUserXml(world, arn, params.RoleSessionName)}${credentialsXml(set)}` +
      '<PackedPolicySize>6</PackedPolicySize></AssumeRoleResult>';
  }

  function assumeRoleWithWebIdentity (params) {
    const token = params.WebIdentityToken;
    if (token === undefined) throw validationError('webIdentityToken', token, 'Member must not be null');
    const arn = checkRole(world, params, false);
    if (!world.config.credential_services.sts.web_identity_tokens.includes(token)) {
      throw new StsError(400, 'InvalidIdentityToken', 'Couldn\'t retrieve verification key from your identity provider');
    }
    const { duration, lifetimeMs } = stsLifetimeMs(world, params);
    const identity = ['AssumeRoleWithWebIdentity', params.RoleArn, params.RoleSessionName, duration, token].join('\u0001');
    const set = world.issueCredentials('sts', identity, lifetimeMs);
    set.request = { action: 'AssumeRoleWithWebIdentity', role_arn: params.RoleArn, role_session_name: params.RoleSessionName };
    return '<AssumeRoleWithWebIdentityResult><SubjectFromWebIdentityToken>system:serviceaccount:fake:autoscaler' +
      `</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>${assumedRoleUserXml(world, arn, params.RoleSessionName)}` +
      `${credentialsXml(set)}<Provider>arn:aws:iam::${arn.account}:oidc-provider/oidc.fake</Provider>` +
      '</AssumeRoleWithWebIdentityResult>';
  }

  return async function handleSts (req, res, url) {
    const requestId = uuid();
    let body;
    try {
      body = await readBody(req, 1024 * 1024);
    } catch (e) {
      send(res, 400, stsErrorXml(new StsError(400, 'InvalidParameterValue', 'Request body too large'), requestId));
      return;
    }
    world.tick();
    let params;
    try {
      params = parseParams(body.toString('utf8'), url.search);
    } catch (e) {
      send(res, 400, stsErrorXml(new StsError(400, 'MalformedQueryString', 'The request could not be parsed'), requestId));
      return;
    }
    const action = params.Action || '(none)';
    world.countRequest('sts', action);
    try {
      if (req.method !== 'POST') throw new StsError(400, 'InvalidAction', 'STS accepts POST');
      if (params.Version !== '2011-06-15') throw new StsError(400, 'InvalidAction', `Could not find operation ${action} for version ${params.Version || 'NO_VERSION_SPECIFIED'}`);
      let inner;
      if (action === 'AssumeRole') inner = await assumeRole(req, url, body, params);
      else if (action === 'AssumeRoleWithWebIdentity') inner = assumeRoleWithWebIdentity(params);
      else throw new StsError(400, 'InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
      log(`sts ${action} -> 200`);
      send(res, 200, `<${action}Response xmlns="${STS_NS}">\n  ${inner}\n  <ResponseMetadata>\n    ${el('RequestId', requestId)}\n  </ResponseMetadata>\n</${action}Response>\n`);
    } catch (e) {
      if (!(e instanceof StsError)) throw e;
      log(`sts ${action} -> ${e.status} ${e.code}`);
      send(res, e.status, stsErrorXml(e, requestId));
    }
  };
}

// GET /federation/credentials?account_id=&role_name= with x-amz-sso_bearer_token (restJson).
function createSsoHandler (world, log) {
  const send = (res, status, obj, errorType) => {
    const buf = Buffer.from(JSON.stringify(obj), 'utf8');
    const headers = { 'Content-Type': 'application/json', 'Content-Length': buf.length, Date: rfc1123(world.now()), 'x-amzn-RequestId': uuid() };
    if (errorType) headers['x-amzn-ErrorType'] = `${errorType}:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/`;
    res.writeHead(status, headers);
    res.end(buf);
  };
  const fail = (res, status, type, message) => {
    log(`sso GetRoleCredentials -> ${status} ${type}`);
    send(res, status, { message, __type: `com.amazonaws.switchboard.portal#${type}` }, type);
  };

  return function handleSso (req, res, url) {
    world.tick();
    if (req.method !== 'GET' || url.pathname !== '/federation/credentials') {
      world.countRequest('sso', '(other)');
      fail(res, 404, 'ResourceNotFoundException', `No route for ${req.method} ${url.pathname}`);
      return;
    }
    world.countRequest('sso', 'GetRoleCredentials');
    const cs = world.config.credential_services.sso;
    const token = req.headers['x-amz-sso_bearer_token'];
    const account = url.searchParams.get('account_id');
    const role = url.searchParams.get('role_name');
    if (!account || !role) {
      fail(res, 400, 'InvalidRequestException', 'account_id and role_name are required');
      return;
    }
    if (!token || !cs.access_tokens.includes(token)) {
      fail(res, 401, 'UnauthorizedException', 'Session token not found or invalid');
      return;
    }
    if (cs.roles !== null && !(cs.roles[account] || []).includes(role)) {
      fail(res, 403, 'ForbiddenException', 'No access');
      return;
    }
    const set = world.issueCredentials('sso', ['sso', account, role, token].join('\u0001'), cs.lifetime_s * 1000);
    set.request = { account_id: account, role_name: role };
    log('sso GetRoleCredentials -> 200');
    send(res, 200, {
      roleCredentials: {
        accessKeyId: set.access_key_id,
        secretAccessKey: set.secret_access_key,
        sessionToken: set.session_token,
        expiration: set.advertised_ms,
      },
    });
  };
}

// The JSON that IMDS and container endpoints share (botocore InstanceMetadataFetcher /
// ContainerProvider; @smithy/credential-provider-imds isImdsCredentials).
function metadataCredentials (set, extra = {}) {
  return {
    Code: 'Success',
    LastUpdated: stsTime(set.issued_ms),
    Type: 'AWS-HMAC',
    AccessKeyId: set.access_key_id,
    SecretAccessKey: set.secret_access_key,
    Token: set.session_token,
    Expiration: stsTime(set.advertised_ms),
    ...extra,
  };
}

// IMDSv2: PUT /latest/api/token (x-aws-ec2-metadata-token-ttl-seconds 1..21600), then GETs with
// x-aws-ec2-metadata-token. With require_token (HttpTokens=required) a GET without a valid token
// is 401, as on a real instance.
function createImdsHandler (world, log) {
  const send = (res, status, text, type = 'text/plain', extra = {}) => {
    const buf = Buffer.from(text, 'utf8');
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': buf.length, Server: 'EC2ws', ...extra });
    res.end(buf);
  };
  const ROLE_PATH = '/latest/meta-data/iam/security-credentials/';

  return function handleImds (req, res, url) {
    world.tick();
    const cs = world.config.credential_services.imds;
    if (url.pathname === '/latest/api/token') {
      world.countRequest('imds', 'PUT token');
      if (req.method !== 'PUT') return send(res, 405, 'Method Not Allowed');
      if (req.headers['x-forwarded-for']) return send(res, 403, 'Forbidden');
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return send(res, 400, 'Bad Request');
      const token = 'AQAEA' + hex(48);
      world.imdsTokens.set(token, world.now() + ttl * 1000);
      return send(res, 200, token, 'text/plain', { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    if (req.method !== 'GET') return send(res, 405, 'Method Not Allowed');
    const token = req.headers['x-aws-ec2-metadata-token'];
    const tokenOk = token !== undefined && world.imdsTokens.has(token) && world.imdsTokens.get(token) > world.now();
    if (!url.pathname.startsWith(ROLE_PATH)) {
      world.countRequest('imds', 'GET other');
      return send(res, 404, 'Not Found');
    }
    const name = url.pathname.slice(ROLE_PATH.length);
    world.countRequest('imds', name === '' ? 'GET role' : 'GET credentials');
    if ((token !== undefined && !tokenOk) || (token === undefined && cs.require_token)) return send(res, 401, 'Unauthorized');
    if (cs.role === null) return send(res, 404, 'Not Found');
    if (name === '') return send(res, 200, cs.role);
    if (name !== cs.role) return send(res, 404, 'Not Found');
    const set = world.issueCredentials('imds', 'imds\u0001' + cs.role, cs.lifetime_s * 1000);
    log(`imds credentials of ${cs.role} -> 200`);
    return send(res, 200, JSON.stringify(metadataCredentials(set), null, 2), 'text/plain');
  };
}

// GET <path> with Authorization (when configured), as the ECS agent or the EKS Pod Identity
// agent answers.
function createContainerHandler (world, log) {
  const send = (res, status, obj) => {
    const buf = Buffer.from(JSON.stringify(obj), 'utf8');
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
    res.end(buf);
  };
  return function handleContainer (req, res, url) {
    world.tick();
    const cs = world.config.credential_services.container;
    world.countRequest('container', 'GET credentials');
    if (req.method !== 'GET' || url.pathname !== cs.path) return send(res, 404, { Code: 'NotFound', Message: `no credentials at ${url.pathname}` });
    if (cs.authorization !== null) {
      const got = req.headers.authorization;
      if (got === undefined) return send(res, 401, { Code: 'AccessDenied', Message: 'Authorization header is missing' });
      if (got !== cs.authorization) return send(res, 403, { Code: 'AccessDenied', Message: 'Authorization token is not valid' });
    }
    const set = world.issueCredentials('container', 'container\u0001' + cs.path, cs.lifetime_s * 1000);
    log('container credentials -> 200');
    return send(res, 200, metadataCredentials(set, { RoleArn: 'arn:aws:iam::123456789012:role/fake-task-role' }));
  };
}

// POST /_fake/credentials/issue: temporary credentials in the credential_process format, for
// tests (tests/fakes/credential-process.js prints them).
function issueForProcess (world, body) {
  const lifetime = body.lifetime_s === undefined ? 3600 : body.lifetime_s;
  const advertised = body.expiration_s === undefined ? lifetime : body.expiration_s;
  if (typeof lifetime !== 'number' || !(lifetime > 0) || typeof advertised !== 'number' || !(advertised > 0)) {
    throw new Error('issue: lifetime_s and expiration_s must be numbers > 0');
  }
  world.countRequest('issue', 'credential_process');
  const set = world.issueCredentials('issue', 'issue\u0001' + uuid(), lifetime * 1000, advertised * 1000);
  return {
    Version: 1,
    AccessKeyId: set.access_key_id,
    SecretAccessKey: set.secret_access_key,
    SessionToken: set.session_token,
    Expiration: isoMs(set.advertised_ms),
  };
}

module.exports = { createStsHandler, createSsoHandler, createImdsHandler, createContainerHandler, issueForProcess, stsTime };
