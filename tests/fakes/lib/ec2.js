// SPDX-License-Identifier: GPL-3.0-or-later
//
// The fake EC2 Query API endpoint (Version=2016-11-15): SigV4 verification, actions, faults.
'use strict';

const { SignatureV4, getCanonicalHeaders, getPayloadHash } = require('@smithy/signature-v4');
const { HttpRequest } = require('@smithy/protocol-http');
const { Sha256, sha256Hex, el, xmlEscape, isoMs, valueMatcher, uuid, rfc1123 } = require('./util');
const { STATE_CODES } = require('./world');

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

class Ec2Error extends Error {
  constructor (status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const err = (status, code, message) => new Ec2Error(status, code, message);

function errorXml (code, message, requestId) {
  return XML_DECL + `<Response><Errors><Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}

function okXml (action, requestId, inner) {
  return XML_DECL + `<${action}Response xmlns="${NS}"><requestId>${requestId}</requestId>${inner}</${action}Response>`;
}

// --- parameter helpers -------------------------------------------------------------------

function parseParams (bodyText, query) {
  const params = Object.create(null);
  for (const [k, v] of new URLSearchParams(query)) params[k] = v;
  for (const [k, v] of new URLSearchParams(bodyText)) params[k] = v;
  return params;
}

// Values of Prefix.1, Prefix.2, ... sorted by index.
function listParam (params, prefix) {
  const re = new RegExp('^' + prefix.replace(/\./g, '\\.') + '\\.(\\d+)$');
  const out = [];
  for (const k of Object.keys(params)) {
    const m = re.exec(k);
    if (m) out.push([Number(m[1]), params[k]]);
  }
  return out.sort((a, b) => a[0] - b[0]).map((x) => x[1]);
}

// Groups Prefix.N.Rest=value into [{ index, fields: { Rest: value } }] sorted by N.
function groupParam (params, prefix) {
  const re = new RegExp('^' + prefix.replace(/\./g, '\\.') + '\\.(\\d+)\\.(.+)$');
  const groups = new Map();
  for (const k of Object.keys(params)) {
    const m = re.exec(k);
    if (!m) continue;
    const idx = Number(m[1]);
    if (!groups.has(idx)) groups.set(idx, Object.create(null));
    groups.get(idx)[m[2]] = params[k];
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([index, fields]) => ({ index, fields }));
}

function boolParam (params, name, def) {
  const v = params[name];
  if (v === undefined) return def;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw err(400, 'InvalidParameterValue', `Value (${v}) for parameter ${name} is invalid. Expected: 'true' or 'false'.`);
}

function intParam (params, name, { required = false, min = -Infinity, max = Infinity, def } = {}) {
  const v = params[name];
  if (v === undefined || v === '') {
    if (required) throw err(400, 'MissingParameter', `The request must contain the parameter ${name}`);
    return def;
  }
  if (!/^-?\d+$/.test(v)) {
    throw err(400, 'InvalidParameterValue', `Value (${v}) for parameter ${name} is invalid. Expected an integer.`);
  }
  const n = Number(v);
  if (n < min || n > max) {
    throw err(400, 'InvalidParameterValue', `Value ( ${v} ) for parameter ${name} is invalid. Expecting a value between ${min} and ${max}.`);
  }
  return n;
}

function filtersParam (params) {
  return groupParam(params, 'Filter').map(({ index, fields }) => {
    const name = fields.Name;
    if (!name) throw err(400, 'InvalidParameterValue', `The filter Filter.${index} has no Name`);
    const values = listParam(fields, 'Value');
    if (values.length === 0) throw err(400, 'InvalidParameterValue', `The filter '${name}' has no values (Filter.${index}.Value.N)`);
    return { name, match: valueMatcher(values) };
  });
}

function encodeToken (obj) {
  return Buffer.from(JSON.stringify(obj)).toString('base64');
}

function decodeToken (token, what) {
  try {
    const obj = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (obj && obj.k === what && Number.isInteger(obj.o) && obj.o >= 0) return obj;
  } catch (e) { /* fall through */ }
  throw err(400, 'InvalidParameterValue', `Invalid value '${token}' for NextToken`);
}

// --- SigV4 -----------------------------------------------------------------------------------

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/;

function amzDateToMs (s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return null;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

// Header values by lower-case name, duplicates joined with ',' in arrival order.
function rawHeaderMap (rawHeaders) {
  const map = new Map();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1];
    map.set(name, map.has(name) ? map.get(name) + ',' + value : value);
  }
  return map;
}

const signers = new Map();

function signerFor (cred, region, service = 'ec2') {
  const key = cred.access_key_id + '\u0001' + cred.secret_access_key + '\u0001' + region + '\u0001' + service;
  let s = signers.get(key);
  if (!s) {
    s = new SignatureV4({
      credentials: { accessKeyId: cred.access_key_id, secretAccessKey: cred.secret_access_key },
      region,
      service,
      sha256: Sha256,
      uriEscapePath: true,
      applyChecksum: false,
    });
    signers.set(key, s);
  }
  return s;
}

// SigV4 of a Query API request for `service` ("ec2", or "sts" for the fake STS). Temporary
// credentials past their expiry are refused as the real services refuse them: EC2 answers 400
// RequestExpired (aws/aws-sdk-go aws/request/retryer.go credsExpiredCodes, "EC2 Only"), STS 400
// ExpiredToken.
async function verifySignature (world, req, url, body, service = 'ec2') {
  const headers = rawHeaderMap(req.rawHeaders);
  const authz = headers.get('authorization');
  const fail = (status, code, message, details) => ({ ok: false, status, code, message, details });
  if (!authz) {
    return fail(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
  }
  const m = AUTH_RE.exec(authz);
  if (!m) {
    return fail(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials (malformed Authorization header)');
  }
  const scope = m[1].split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    return fail(401, 'AuthFailure', `AWS was not able to validate the provided access credentials (malformed credential scope '${m[1]}')`);
  }
  const [accessKey, scopeDate, scopeRegion, scopeService] = scope;
  const cred = world.findCredential(accessKey);
  if (!cred) {
    return fail(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
  }
  if (scopeRegion !== world.config.region) {
    return fail(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${scopeRegion}'. (expected '${world.config.region}')`);
  }
  if (scopeService !== service) {
    return fail(403, 'SignatureDoesNotMatch', `Credential should be scoped to correct service: '${service}'. (got '${scopeService}')`);
  }
  const amzDate = headers.get('x-amz-date');
  if (!amzDate) {
    return fail(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials (missing X-Amz-Date)');
  }
  const signedMs = amzDateToMs(amzDate);
  if (signedMs === null) {
    return fail(401, 'AuthFailure', `AWS was not able to validate the provided access credentials (malformed X-Amz-Date '${amzDate}')`);
  }
  if (amzDate.slice(0, 8) !== scopeDate) {
    return fail(403, 'SignatureDoesNotMatch', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  }
  const skew = Math.abs(signedMs - world.now());
  if (skew > world.config.max_skew_s * 1000) {
    return fail(400, 'RequestExpired', `Request has expired. (X-Amz-Date ${amzDate} is ${Math.round(skew / 1000)} s away from the server time ${new Date(world.now()).toISOString()})`);
  }
  const signedNames = m[2].split(';');
  if (!signedNames.includes('host') || !signedNames.includes('x-amz-date')) {
    return fail(403, 'SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided. (SignedHeaders must include host and x-amz-date, got '${m[2]}')`);
  }
  const signHeaders = {};
  for (const n of signedNames) {
    if (n !== n.toLowerCase() || !headers.has(n)) {
      return fail(403, 'SignatureDoesNotMatch', `The request signature we calculated does not match the signature you provided. (signed header '${n}' is not in the request)`);
    }
    signHeaders[n] = headers.get(n);
  }
  const contentSha = headers.get('x-amz-content-sha256');
  if (contentSha !== undefined && contentSha !== 'UNSIGNED-PAYLOAD' && contentSha !== sha256Hex(body)) {
    return fail(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. (x-amz-content-sha256 is not the SHA-256 of the body)');
  }
  const query = {};
  for (const [k, v] of url.searchParams) {
    if (k in query) {
      query[k] = [].concat(query[k], v);
    } else {
      query[k] = v;
    }
  }
  const hostHeader = headers.get('host') || '';
  const httpReq = new HttpRequest({
    method: req.method,
    protocol: 'http:',
    hostname: hostHeader.replace(/:\d+$/, ''),
    path: url.pathname,
    query,
    headers: signHeaders,
    body,
  });
  const signer = signerFor(cred, scopeRegion, service);
  const signable = new Set(signedNames);
  const signed = await signer.sign(httpReq, { signingDate: new Date(signedMs), signableHeaders: signable });
  const expected = /Signature=([0-9a-f]+)/.exec(signed.headers.authorization)[1];
  const expectedSigned = /SignedHeaders=([^,]+)/.exec(signed.headers.authorization)[1];
  if (expected !== m[3] || expectedSigned !== m[2]) {
    let creq = null;
    try {
      const ch = getCanonicalHeaders(httpReq, undefined, signable);
      const ph = await getPayloadHash(httpReq, Sha256);
      creq = signer.createCanonicalRequest(httpReq, ch, ph);
    } catch (e) { creq = String(e); }
    return fail(403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      { expected_signature: expected, got_signature: m[3], signed_headers: m[2], expected_signed_headers: expectedSigned, canonical_request: creq });
  }
  const token = headers.get('x-amz-security-token');
  if (cred.session_token) {
    if (token !== cred.session_token) {
      return fail(401, 'AuthFailure', token === undefined
        ? 'AWS was not able to validate the provided access credentials (missing X-Amz-Security-Token for temporary credentials)'
        : 'The security token included in the request is invalid.');
    }
  } else if (token !== undefined) {
    return fail(401, 'AuthFailure', 'The security token included in the request is invalid.');
  }
  if (cred.session_token && cred.expires_ms !== null && cred.expires_ms !== undefined && world.now() >= cred.expires_ms) {
    return service === 'ec2'
      ? fail(400, 'RequestExpired', 'Request has expired.')
      : fail(400, 'ExpiredToken', 'The security token included in the request is expired');
  }
  return { ok: true, cred };
}

// --- instance XML --------------------------------------------------------------------------

function tagSetXml (tags) {
  if (tags.length === 0) return '';
  let s = '<tagSet>';
  for (const [k, v] of tags) s += `<item><key>${xmlEscape(k)}</key><value>${xmlEscape(v)}</value></item>`;
  return s + '</tagSet>';
}

function stateXml (tag, state) {
  return `<${tag}><code>${STATE_CODES[state]}</code><name>${state}</name></${tag}>`;
}

function instanceXml (world, inst) {
  if (inst.xml !== null) return inst.xml;
  const running = inst.state === 'running' || inst.state === 'pending';
  const ipDash = inst.private_ip.replace(/\./g, '-');
  const region = world.config.region;
  let s = '<item>';
  s += el('instanceId', inst.id);
  s += el('imageId', inst.image_id);
  s += stateXml('instanceState', inst.state);
  s += `<privateDnsName>${running ? `ip-${ipDash}.${region === 'us-east-1' ? 'ec2' : region + '.compute'}.internal` : ''}</privateDnsName>`;
  s += '<dnsName/>';
  s += `<reason>${xmlEscape(inst.transition_reason)}</reason>`;
  s += el('keyName', inst.key_name);
  s += el('amiLaunchIndex', inst.launch_index);
  s += '<productCodes/>';
  s += el('instanceType', inst.type);
  s += el('launchTime', isoMs(inst.launch_ms));
  s += `<placement><availabilityZone>${xmlEscape(inst.zone)}</availabilityZone><groupName/><tenancy>default</tenancy></placement>`;
  s += `<monitoring><state>${inst.monitoring ? 'enabled' : 'disabled'}</state></monitoring>`;
  if (inst.state !== 'terminated') {
    s += el('subnetId', inst.subnet_id || ('subnet-0default' + inst.zone.slice(-1).repeat(10)));
    s += el('vpcId', inst.vpc_id);
    s += el('privateIpAddress', inst.private_ip);
  }
  s += '<sourceDestCheck>true</sourceDestCheck>';
  s += '<groupSet>';
  for (const g of inst.security_groups) {
    s += `<item>${el('groupId', g.id || 'sg-0fake' + (g.name || '').length.toString().padStart(12, '0'))}${el('groupName', g.name || 'launch-wizard')}</item>`;
  }
  s += '</groupSet>';
  if (inst.state_reason) {
    s += `<stateReason>${el('code', inst.state_reason.code)}${el('message', inst.state_reason.message)}</stateReason>`;
  }
  s += '<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType>';
  const root = inst.block_devices.length > 0 ? inst.block_devices[0].device_name : '/dev/xvda';
  s += el('rootDeviceName', root);
  s += '<blockDeviceMapping>';
  if (inst.state !== 'terminated') {
    for (const bd of inst.block_devices) {
      if (!bd.ebs) continue;
      s += `<item>${el('deviceName', bd.device_name)}<ebs>${el('volumeId', bd.volume_id)}<status>attached</status>${el('attachTime', isoMs(inst.launch_ms))}${el('deleteOnTermination', bd.ebs.DeleteOnTermination === undefined ? 'true' : bd.ebs.DeleteOnTermination)}</ebs></item>`;
    }
  }
  s += '</blockDeviceMapping>';
  if (inst.market === 'spot') {
    s += '<instanceLifecycle>spot</instanceLifecycle>';
    s += el('spotInstanceRequestId', inst.spot_request_id);
  }
  s += '<virtualizationType>hvm</virtualizationType>';
  s += `<clientToken>${xmlEscape(inst.client_token)}</clientToken>`;
  s += tagSetXml(inst.tags);
  s += '<hypervisor>xen</hypervisor>';
  if (inst.iam_profile) {
    const arn = inst.iam_profile.arn || `arn:aws:iam::${world.config.account_id}:instance-profile/${inst.iam_profile.name}`;
    s += `<iamInstanceProfile>${el('arn', arn)}${el('id', 'AIPAFAKE' + Buffer.from(arn).toString('hex').slice(0, 12).toUpperCase())}</iamInstanceProfile>`;
  }
  s += `<ebsOptimized>${inst.ebs_optimized ? 'true' : 'false'}</ebsOptimized>`;
  const mo = inst.metadata_options;
  s += `<metadataOptions><state>${inst.state === 'pending' ? 'pending' : 'applied'}</state>${el('httpTokens', mo.HttpTokens || 'optional')}${el('httpPutResponseHopLimit', mo.HttpPutResponseHopLimit || '1')}${el('httpEndpoint', mo.HttpEndpoint || 'enabled')}${el('instanceMetadataTags', mo.InstanceMetadataTags || 'disabled')}</metadataOptions>`;
  s += '</item>';
  inst.xml = s;
  return s;
}

// Reservations for a list of instances: consecutive instances of one reservation are grouped.
function reservationSetXml (world, list) {
  let s = '<reservationSet>';
  let open = null;
  for (const inst of list) {
    if (open !== inst.reservation_id) {
      if (open !== null) s += '</instancesSet></item>';
      open = inst.reservation_id;
      s += `<item><reservationId>${inst.reservation_id}</reservationId><ownerId>${xmlEscape(inst.owner_id)}</ownerId><groupSet/><instancesSet>`;
    }
    s += instanceXml(world, inst);
  }
  if (open !== null) s += '</instancesSet></item>';
  return s + '</reservationSet>';
}

// --- actions -------------------------------------------------------------------------------

// EBS volume types (botocore service-2.json EbsBlockDevice: VolumeSize, Iops, Throughput;
// Amazon EBS User Guide for the IOPS:GiB ratios; HDD volumes cannot boot).
const VOLUME_RULES = {
  gp2: { min: 1, max: 16384 },
  gp3: { min: 1, max: 65536, iops: [3000, 80000], perGib: 500, baseIops: 3000, throughput: [125, 2000] },
  io1: { min: 4, max: 16384, iops: [100, 64000], perGib: 50, iopsRequired: true },
  io2: { min: 4, max: 65536, iops: [100, 256000], perGib: 1000, iopsRequired: true },
  st1: { min: 125, max: 16384, noBoot: true },
  sc1: { min: 125, max: 16384, noBoot: true },
  standard: { min: 1, max: 1024 },
};

// The root device of an AMI: config images.<ami>.root_device_name, else the usual ones.
const DEFAULT_ROOT_DEVICES = ['/dev/sda1', '/dev/xvda'];

// Families on the Xen hypervisor: GetConsoleOutput refuses Latest=true for them (it is a
// Nitro-only feature, EC2 API reference GetConsoleOutput). Everything else is Nitro here.
const XEN_FAMILIES = new Set(['t1', 't2', 'm1', 'm2', 'm3', 'm4', 'c1', 'c3', 'c4', 'cc2', 'cr1', 'r3', 'r4', 'i2', 'i3', 'd2', 'g2', 'g3', 'g3s', 'p2', 'p3', 'x1', 'x1e', 'h1', 'f1', 'hs1', 'hi1']);

function isNitro (type) {
  const family = type.split('.')[0];
  if (type.endsWith('.metal') || type === 'p3dn.24xlarge') return true;
  return !XEN_FAMILIES.has(family);
}

// The volume of a block device mapping must be valid for its type, as EC2 checks it.
function checkVolume (world, index, ebs, deviceName, imageId) {
  const type = ebs.VolumeType || 'gp2';
  const rule = VOLUME_RULES[type];
  const at = `BlockDeviceMapping.${index}.Ebs`;
  if (!rule) {
    throw err(400, 'InvalidParameterValue', `Value (${ebs.VolumeType}) for parameter ${at}.VolumeType is invalid.`);
  }
  const size = ebs.VolumeSize !== undefined ? Number(ebs.VolumeSize) : null;
  if (size !== null && (size < rule.min || size > rule.max)) {
    throw err(400, 'InvalidParameterValue', `Volume of size ${size}GiB is out of range for volume type ${type}: expected ${rule.min} to ${rule.max} GiB.`);
  }
  const iops = ebs.Iops !== undefined ? intParam(ebs, 'Iops', { min: 0 }) : null;
  if (iops === null && rule.iopsRequired) {
    throw err(400, 'InvalidParameterCombination', `The parameter iops must be specified for ${type} volumes.`);
  }
  if (iops !== null) {
    if (!rule.iops) throw err(400, 'InvalidParameterCombination', `The parameter iops is not supported for ${type} volumes.`);
    if (iops < rule.iops[0] || iops > rule.iops[1]) {
      throw err(400, 'InvalidParameterValue', `Iops ${iops} is out of range for volume type ${type}: expected ${rule.iops[0]} to ${rule.iops[1]}.`);
    }
    if (size !== null && iops > Math.max(rule.baseIops || 0, rule.perGib * size)) {
      throw err(400, 'InvalidParameterValue', `Iops to volume size ratio of ${(iops / size).toFixed(6)} is too high; maximum is ${rule.perGib.toFixed(6)}`);
    }
  }
  if (ebs.Throughput !== undefined) {
    const throughput = intParam(ebs, 'Throughput', { min: 0 });
    if (!rule.throughput) throw err(400, 'InvalidParameterCombination', 'throughput can only be specified for volumeType gp3.');
    if (throughput < rule.throughput[0] || throughput > rule.throughput[1]) {
      throw err(400, 'InvalidParameterValue', `Throughput ${throughput} is out of range: expected ${rule.throughput[0]} to ${rule.throughput[1]} MiBps.`);
    }
    const effective = iops !== null ? iops : rule.baseIops;
    if (throughput > Math.max(rule.throughput[0], effective / 4)) {
      throw err(400, 'InvalidParameterValue', `Throughput (MiBps) to iops ratio of ${(throughput / effective).toFixed(6)} is too high; maximum is 0.250000 MiBps per iops`);
    }
  }
  const image = world.config.images[imageId] || {};
  const roots = image.root_device_name ? [image.root_device_name] : DEFAULT_ROOT_DEVICES;
  if (rule.noBoot && roots.includes(deviceName)) {
    throw err(400, 'InvalidBlockDeviceMapping', `Volume type ${type} is not supported for the root device ${deviceName}: HDD volumes cannot be boot volumes.`);
  }
}

const INSTANCE_ID_RE = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
const TAG_RESOURCE_TYPES = new Set(['instance', 'volume', 'network-interface', 'spot-instances-request']);

// An instance launched moments ago may not be known yet to @action (eventual consistency).
function knownTo (world, id, action) {
  const inst = world.instances.get(id);
  return inst !== undefined && !world.invisibleTo(inst, action);
}

function checkInstanceIds (world, ids, action) {
  for (const id of ids) {
    if (!INSTANCE_ID_RE.test(id)) {
      throw err(400, 'InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
    }
  }
  const missing = ids.filter((id) => !knownTo(world, id, action));
  if (missing.length === 1) {
    throw err(400, 'InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
  }
  if (missing.length > 1) {
    throw err(400, 'InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
  }
}

function validateTags (tags, where) {
  if (tags.length > 50) {
    throw err(400, 'TagLimitExceeded', `The maximum number of tags per resource is 50 (${where} has ${tags.length})`);
  }
  const seen = new Set();
  for (const [k, v] of tags) {
    if (k === undefined || k === '') {
      throw err(400, 'InvalidParameterValue', `Tag key must not be empty (${where})`);
    }
    if (k.toLowerCase().startsWith('aws:')) {
      throw err(400, 'InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use (${where}: '${k}')`);
    }
    if ([...k].length > 128) {
      throw err(400, 'InvalidParameterValue', `Tag key exceeds the maximum length of 128 characters (${where})`);
    }
    if ([...v].length > 256) {
      throw err(400, 'InvalidParameterValue', `Tag value exceeds the maximum length of 256 characters (${where}, key '${k}')`);
    }
    if (seen.has(k)) {
      throw err(400, 'InvalidParameterValue', `Duplicate tag key '${k}' (${where})`);
    }
    seen.add(k);
  }
}

function tagsFrom (fields) {
  return groupParam(fields, 'Tag').map(({ fields: f }) => [f.Key, f.Value === undefined ? '' : f.Value]);
}

// NetworkInterface.1.*: with a network interface, the subnet and the security groups must be
// given in it, not at the top level (service-2.json RunInstancesRequest SubnetId /
// SecurityGroupIds). Returns null without one.
function parseNetworkInterface (p) {
  const nics = groupParam(p, 'NetworkInterface');
  if (nics.length === 0) return null;
  if (nics.length > 1 || nics[0].index !== 1) {
    throw err(400, 'InvalidParameterValue', 'Only NetworkInterface.1 is supported by this fake');
  }
  const f = nics[0].fields;
  if (p.SubnetId !== undefined) {
    throw err(400, 'InvalidParameterCombination', 'Network interfaces and an instance-level subnet ID may not be specified on the same request');
  }
  if (listParam(p, 'SecurityGroupId').length > 0 || listParam(p, 'SecurityGroup').length > 0) {
    throw err(400, 'InvalidParameterCombination', 'Network interfaces and an instance-level security groups may not be specified on the same request');
  }
  if (f.NetworkInterfaceId === undefined && f.DeviceIndex === undefined) {
    throw err(400, 'InvalidParameterValue', 'Each network interface requires a device index.');
  }
  if (f.DeviceIndex !== undefined && f.DeviceIndex !== '0' && f.AssociatePublicIpAddress !== undefined) {
    throw err(400, 'InvalidParameterCombination', 'The associatePublicIPAddress parameter can only be specified for the network interface with DeviceIndex 0.');
  }
  return {
    subnet_id: f.SubnetId || null,
    security_group_ids: listParam(f, 'SecurityGroupId'),
    associate_public_ip: f.AssociatePublicIpAddress === undefined ? null : boolParam(f, 'AssociatePublicIpAddress', null),
  };
}

// Validates RunInstances and returns the launch spec (no side effects except subnet mapping).
function parseRunInstances (world, p) {
  const imageId = p.ImageId;
  if (!imageId) throw err(400, 'MissingParameter', 'The request must contain the parameter ImageId');
  if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) throw err(400, 'InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
  const type = p.InstanceType || 'm1.small';
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(type)) {
    throw err(400, 'InvalidParameterValue', `Invalid value '${type}' for InstanceType.`);
  }
  const minCount = intParam(p, 'MinCount', { required: true, min: 1, max: 1000 });
  const maxCount = intParam(p, 'MaxCount', { required: true, min: 1, max: 1000 });
  if (minCount > maxCount) {
    throw err(400, 'InvalidParameterValue', `MinCount (${minCount}) must be less than or equal to MaxCount (${maxCount})`);
  }
  const zones = world.zones();
  let zone = null;
  const nic = parseNetworkInterface(p);
  const subnetId = (nic ? nic.subnet_id : p.SubnetId) || null;
  if (subnetId) {
    if (!/^subnet-[0-9a-zA-Z]+$/.test(subnetId)) throw err(400, 'InvalidSubnetID.Malformed', `Invalid subnet ID '${subnetId}'`);
    zone = world.zoneForSubnet(subnetId);
    if (zone === null) throw err(400, 'InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
  }
  const placementZone = p['Placement.AvailabilityZone'];
  if (placementZone !== undefined) {
    if (!zones.includes(placementZone)) {
      throw err(400, 'InvalidParameterValue', `Invalid availability zone: [${placementZone}]`);
    }
    if (zone !== null && zone !== placementZone) {
      throw err(400, 'InvalidParameterCombination', `The specified subnet ${subnetId} is in ${zone}, not in the requested Availability Zone ${placementZone}`);
    }
    zone = placementZone;
  }
  if (zone === null) zone = zones[0];

  const securityGroups = [
    ...(nic ? nic.security_group_ids : listParam(p, 'SecurityGroupId')).map((id) => {
      if (!/^sg-[0-9a-f]+$/.test(id)) throw err(400, 'InvalidGroupId.Malformed', `Invalid id: "${id}" (expecting "sg-...")`);
      return { id, name: null };
    }),
    ...listParam(p, 'SecurityGroup').map((name) => ({ id: null, name })),
  ];

  const blockDevices = groupParam(p, 'BlockDeviceMapping').map(({ index, fields }) => {
    if (!fields.DeviceName) throw err(400, 'MissingParameter', `The request must contain the parameter BlockDeviceMapping.${index}.DeviceName`);
    const ebs = {};
    for (const [k, v] of Object.entries(fields)) {
      if (k.startsWith('Ebs.')) ebs[k.slice(4)] = v;
    }
    if (ebs.VolumeSize !== undefined && !(/^\d+$/.test(ebs.VolumeSize) && +ebs.VolumeSize >= 1 && +ebs.VolumeSize <= 65536)) {
      throw err(400, 'InvalidParameterValue', `Value (${ebs.VolumeSize}) for parameter BlockDeviceMapping.${index}.Ebs.VolumeSize is invalid. Expected an integer between 1 and 65536.`);
    }
    if (Object.keys(ebs).length > 0) checkVolume(world, index, ebs, fields.DeviceName, imageId);
    return { device_name: fields.DeviceName, ebs: Object.keys(ebs).length ? ebs : null, no_device: fields.NoDevice !== undefined, virtual_name: fields.VirtualName || null };
  });

  let iamProfile = null;
  if (p['IamInstanceProfile.Name'] !== undefined || p['IamInstanceProfile.Arn'] !== undefined) {
    iamProfile = { name: p['IamInstanceProfile.Name'] || null, arn: p['IamInstanceProfile.Arn'] || null };
    if (iamProfile.arn && !/^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/.+$/.test(iamProfile.arn)) {
      throw err(400, 'InvalidParameterValue', `Value (${iamProfile.arn}) for parameter iamInstanceProfile.arn is invalid. Invalid ARN`);
    }
  }

  let userData = null;
  if (p.UserData !== undefined) {
    const b64 = p.UserData.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
      throw err(400, 'InvalidParameterValue', 'Invalid BASE64 encoding of user data.');
    }
    const raw = Buffer.from(b64, 'base64');
    if (raw.length > 16384) {
      throw err(400, 'InvalidParameterValue', `User data is limited to 16384 bytes (got ${raw.length})`);
    }
    userData = raw.toString('utf8');
  }

  let market = 'on-demand';
  let spotOptions = null;
  const marketType = p['InstanceMarketOptions.MarketType'];
  if (marketType !== undefined) {
    if (marketType !== 'spot' && marketType !== 'capacity-block') {
      throw err(400, 'InvalidParameterValue', `Value (${marketType}) for parameter InstanceMarketOptions.MarketType is invalid. Expected: 'spot'.`);
    }
    market = 'spot';
    spotOptions = {};
    for (const [k, v] of Object.entries(p)) {
      if (k.startsWith('InstanceMarketOptions.SpotOptions.')) spotOptions[k.slice(34)] = v;
    }
    const sit = spotOptions.SpotInstanceType;
    if (sit !== undefined && sit !== 'one-time' && sit !== 'persistent') {
      throw err(400, 'InvalidParameterValue', `Value (${sit}) for parameter SpotInstanceType is invalid.`);
    }
    const ib = spotOptions.InstanceInterruptionBehavior;
    if (ib !== undefined && !['terminate', 'stop', 'hibernate'].includes(ib)) {
      throw err(400, 'InvalidParameterValue', `Value (${ib}) for parameter InstanceInterruptionBehavior is invalid.`);
    }
    if (sit === 'persistent' && (ib === undefined || ib === 'terminate')) {
      throw err(400, 'InvalidParameterCombination', 'A persistent Spot request requires InstanceInterruptionBehavior stop or hibernate.');
    }
    if (spotOptions.MaxPrice !== undefined) {
      const max = Number(spotOptions.MaxPrice);
      if (!(max > 0)) throw err(400, 'InvalidParameterValue', `Value (${spotOptions.MaxPrice}) for parameter MaxPrice is invalid.`);
      const cur = world.spotPrice(type, zone);
      if (cur !== null && max < cur) {
        throw err(400, 'SpotMaxPriceTooLow', `Your Spot request price of ${spotOptions.MaxPrice} is lower than the minimum required Spot request fulfillment price of ${cur}.`);
      }
    }
  }

  const metadataOptions = { HttpTokens: 'optional', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: '1', InstanceMetadataTags: 'disabled' };
  for (const [k, v] of Object.entries(p)) {
    if (k.startsWith('MetadataOptions.')) metadataOptions[k.slice(16)] = v;
  }
  intParam(metadataOptions, 'HttpPutResponseHopLimit', { min: 1, max: 64 });
  if (!['optional', 'required'].includes(metadataOptions.HttpTokens)) {
    throw err(400, 'InvalidParameterValue', `Value (${metadataOptions.HttpTokens}) for parameter MetadataOptions.HttpTokens is invalid. Expected: 'optional' or 'required'.`);
  }

  const tagSpecs = groupParam(p, 'TagSpecification');
  const tags = { instance: [], volume: [], 'network-interface': [], 'spot-instances-request': [] };
  const seenTypes = new Set();
  for (const { index, fields } of tagSpecs) {
    const rt = fields.ResourceType;
    if (!rt) throw err(400, 'MissingParameter', `The request must contain the parameter TagSpecification.${index}.ResourceType`);
    if (!TAG_RESOURCE_TYPES.has(rt)) throw err(400, 'InvalidParameterValue', `'${rt}' is not a valid taggable resource type for this operation.`);
    if (seenTypes.has(rt)) throw err(400, 'InvalidParameterValue', `The resource type '${rt}' is specified more than once in TagSpecification.`);
    if (rt === 'spot-instances-request' && market !== 'spot') {
      throw err(400, 'InvalidParameterValue', "'spot-instances-request' tags need InstanceMarketOptions.MarketType=spot");
    }
    seenTypes.add(rt);
    const t = tagsFrom(fields);
    validateTags(t, `TagSpecification.${index}`);
    tags[rt] = t;
  }

  const clientToken = p.ClientToken;
  if (clientToken !== undefined && (clientToken.length > 64 || !/^[\x20-\x7e]*$/.test(clientToken))) {
    throw err(400, 'InvalidParameterValue', `Value (${clientToken}) for parameter clientToken is invalid. Parameter must be at most 64 ASCII characters.`);
  }
  const shutdown = p.InstanceInitiatedShutdownBehavior;
  if (shutdown !== undefined && shutdown !== 'stop' && shutdown !== 'terminate') {
    throw err(400, 'InvalidParameterValue', `Value (${shutdown}) for parameter InstanceInitiatedShutdownBehavior is invalid. Expected: 'stop' or 'terminate'.`);
  }

  // Parameters that define the launch for ClientToken idempotency.
  // Every parameter counts except these (EC2 idempotency: any other change is a mismatch).
  const fpKeys = Object.keys(p).filter((k) => !['Action', 'Version', 'ClientToken', 'DryRun'].includes(k)).sort();
  const fingerprint = JSON.stringify(fpKeys.map((k) => [k, p[k]]));

  return {
    type,
    image_id: imageId,
    min_count: minCount,
    max_count: maxCount,
    zone,
    subnet_id: subnetId,
    key_name: p.KeyName || null,
    security_groups: securityGroups,
    block_devices: blockDevices,
    iam_profile: iamProfile,
    user_data: userData,
    market,
    spot_options: spotOptions,
    metadata_options: metadataOptions,
    shutdown_behavior: shutdown || 'stop',
    client_token: clientToken || '',
    tags: tags.instance,
    volume_tags: tags.volume,
    eni_tags: tags['network-interface'],
    monitoring: p['Monitoring.Enabled'] === 'true',
    ebs_optimized: p.EbsOptimized === 'true',
    public_ip: nic ? nic.associate_public_ip : null,
    fingerprint,
    dry_run: boolParam(p, 'DryRun', false),
  };
}

function checkDeniedAndDryRun (world, action, p, spec) {
  const denied = world.config.deny_actions.includes(action);
  if (denied) {
    throw err(403, 'UnauthorizedOperation', `You are not authorized to perform this operation. User: arn:aws:iam::${world.config.account_id}:user/fake is not authorized to perform: ec2:${action} because no identity-based policy allows the ec2:${action} action. Encoded authorization failure message: ${Buffer.from('denied ' + action).toString('base64')}`);
  }
  // Launching with an instance profile passes its role to EC2: iam:PassRole.
  if (spec && spec.iam_profile && world.config.deny_pass_role) {
    const name = spec.iam_profile.name || spec.iam_profile.arn.replace(/^.*instance-profile\//, '');
    throw err(403, 'UnauthorizedOperation', `You are not authorized to perform this operation. User: arn:aws:iam::${world.config.account_id}:user/fake is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${world.config.account_id}:role/${name} because no identity-based policy allows the iam:PassRole action. Encoded authorization failure message: ${Buffer.from('denied iam:PassRole ' + name).toString('base64')}`);
  }
  if (boolParam(p, 'DryRun', false)) {
    throw err(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
  }
}

// The objects a launch names must exist (config images / strict_images, security_groups,
// key_pairs, instance_profiles), and a Marketplace AMI needs a subscription.
function checkLaunchObjects (world, spec) {
  const cfg = world.config;
  const image = cfg.images[spec.image_id];
  if (!image && cfg.strict_images) {
    throw err(400, 'InvalidAMIID.NotFound', `The image id '[${spec.image_id}]' does not exist`);
  }
  if (image && image.marketplace && !image.subscribed) {
    throw err(401, 'OptInRequired', `In order to use this AWS Marketplace product you need to accept terms and subscribe. To do so please visit https://aws.amazon.com/marketplace/pp?sku=fake${spec.image_id.slice(4, 12)}`);
  }
  if (cfg.security_groups !== null) {
    for (const g of spec.security_groups) {
      if (g.id && !cfg.security_groups.includes(g.id)) throw err(400, 'InvalidGroup.NotFound', `The security group '${g.id}' does not exist`);
    }
  }
  if (cfg.key_pairs !== null && spec.key_name && !cfg.key_pairs.includes(spec.key_name)) {
    throw err(400, 'InvalidKeyPair.NotFound', `The key pair '${spec.key_name}' does not exist`);
  }
  if (cfg.instance_profiles !== null && spec.iam_profile) {
    const name = spec.iam_profile.name || spec.iam_profile.arn.replace(/^.*instance-profile\//, '');
    if (!cfg.instance_profiles.includes(name)) {
      throw err(400, 'InvalidParameterValue', `Value (${name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`);
    }
  }
}

// Where the launch can go: the type offered in the zone, free addresses in the subnet.
function checkLaunchPlace (world, spec, count) {
  const unoffered = world.config.unoffered_types[spec.zone] || [];
  if (unoffered.includes(spec.type)) {
    const others = world.zones().filter((z) => !(world.config.unoffered_types[z] || []).includes(spec.type));
    throw err(400, 'Unsupported', `Your requested instance type (${spec.type}) is not supported in your requested Availability Zone (${spec.zone}). Please retry your request by not specifying an Availability Zone or choosing ${others.join(', ')}.`);
  }
  const free = spec.subnet_id ? world.config.subnet_free_addresses[spec.subnet_id] : undefined;
  if (free !== undefined) {
    let used = 0;
    for (const i of world.order) if (i.subnet_id === spec.subnet_id && i.state !== 'terminated') used++;
    if (free - used < count) {
      throw err(400, 'InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${spec.subnet_id}' to satisfy the requested number of instances.`);
    }
  }
}

function runInstances (world, p, spec, requestId) {
  if (spec.client_token) {
    const prior = world.launches.get(spec.client_token);
    if (prior) {
      if (prior.fingerprint !== spec.fingerprint) {
        throw err(400, 'IdempotentParameterMismatch', `Arguments on this idempotent request are inconsistent with arguments used in previous request(s) (client token '${spec.client_token}').`);
      }
      checkDeniedAndDryRun(world, 'RunInstances', p, spec);
      prior.calls++;
      const list = prior.instance_ids.map((id) => world.instances.get(id)).filter(Boolean);
      return reservationXml(world, prior.reservation_id, list);
    }
  }
  checkLaunchObjects(world, spec);
  checkDeniedAndDryRun(world, 'RunInstances', p, spec);
  let count = spec.max_count;
  if (world.config.max_instances !== null) {
    let live = 0;
    for (const i of world.order) if (i.state !== 'terminated') live++;
    const room = Math.max(0, Math.floor(world.config.max_instances) - live);
    if (room < spec.min_count) {
      throw err(400, 'InstanceLimitExceeded', `Your quota allows for ${room} more running instance(s). You requested at least ${spec.min_count}.`);
    }
    count = Math.min(count, room);
  }
  checkLaunchPlace(world, spec, spec.min_count);
  const reservationId = world.newReservationId();
  const list = [];
  for (let i = 0; i < count; i++) {
    list.push(world.addInstance({
      ...spec,
      block_devices: spec.block_devices.map((b) => ({ ...b, ebs: b.ebs ? { ...b.ebs } : null })),
      reservation_id: reservationId,
      launch_index: i,
      state: 'pending',
      source: 'api',
      terminate_pending: world.config.terminate_pending[spec.zone] || null,
    }));
  }
  if (spec.client_token) {
    world.launches.set(spec.client_token, { fingerprint: spec.fingerprint, reservation_id: reservationId, instance_ids: list.map((x) => x.id), calls: 1 });
  }
  return reservationXml(world, reservationId, list);
}

function reservationXml (world, reservationId, list) {
  let s = `<reservationId>${reservationId}</reservationId><ownerId>${xmlEscape(world.config.account_id)}</ownerId><groupSet/><instancesSet>`;
  for (const inst of list) s += instanceXml(world, inst);
  return s + '</instancesSet>';
}

const FILTERS = {
  'instance-state-name': (i) => [i.state],
  'instance-state-code': (i) => [String(STATE_CODES[i.state])],
  'instance-type': (i) => [i.type],
  'availability-zone': (i) => [i.zone],
  'client-token': (i) => [i.client_token],
  'instance-id': (i) => [i.id],
  'instance-lifecycle': (i) => (i.market === 'spot' ? ['spot'] : []),
  'subnet-id': (i) => [i.subnet_id],
  'image-id': (i) => [i.image_id],
  'key-name': (i) => [i.key_name],
  'reservation-id': (i) => [i.reservation_id],
  'tag-key': (i) => i.tags.map((t) => t[0]),
  'tag-value': (i) => i.tags.map((t) => t[1]),
};

function instanceFilter (filters) {
  const tests = filters.map(({ name, match }) => {
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      return (i) => {
        for (const [k, v] of i.tags) if (k === key && match(v)) return true;
        return false;
      };
    }
    const get = FILTERS[name];
    if (!get) throw err(400, 'InvalidParameterValue', `The filter '${name}' is invalid`);
    return (i) => get(i).some((v) => match(v));
  });
  return (i) => tests.every((t) => t(i));
}

function describeInstances (world, p) {
  const ids = listParam(p, 'InstanceId');
  const maxResults = intParam(p, 'MaxResults', { min: 5, max: 1000 });
  if (ids.length > 0 && maxResults !== undefined) {
    throw err(400, 'InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const filters = filtersParam(p);
  const pass = instanceFilter(filters);
  checkDeniedAndDryRun(world, 'DescribeInstances', p);
  let list;
  if (ids.length > 0) {
    checkInstanceIds(world, ids, 'DescribeInstances');
    const want = new Set(ids);
    list = world.order.filter((i) => want.has(i.id) && pass(i));
  } else {
    list = world.order.filter((i) => pass(i) && !world.invisibleTo(i, 'DescribeInstances'));
  }
  let next = '';
  if (maxResults !== undefined || p.NextToken) {
    // A NextToken alone continues with EC2's default page size.
    const size = maxResults !== undefined ? maxResults : 1000;
    const offset = p.NextToken ? decodeToken(p.NextToken, 'di').o : 0;
    const page = list.slice(offset, offset + size);
    if (offset + size < list.length) next = encodeToken({ k: 'di', o: offset + size });
    list = page;
  }
  return reservationSetXml(world, list) + (next ? `<nextToken>${xmlEscape(next)}</nextToken>` : '');
}

function terminateInstances (world, p) {
  const ids = listParam(p, 'InstanceId');
  if (ids.length === 0) throw err(400, 'MissingParameter', 'The request must contain the parameter InstanceId');
  checkInstanceIds(world, ids, 'TerminateInstances');
  checkDeniedAndDryRun(world, 'TerminateInstances', p);
  let s = '<instancesSet>';
  const done = new Set();
  for (const id of ids) {
    if (done.has(id)) continue;
    done.add(id);
    const inst = world.instances.get(id);
    const prev = world.terminate(inst, 'api');
    s += `<item>${el('instanceId', id)}${stateXml('currentState', inst.state)}${stateXml('previousState', prev)}</item>`;
  }
  return s + '</instancesSet>';
}

function describeSpotPriceHistory (world, p) {
  let types = listParam(p, 'InstanceType');
  let products = listParam(p, 'ProductDescription');
  let zone = p.AvailabilityZone || null;
  const extra = [];
  for (const { name, match } of filtersParam(p)) {
    if (name === 'instance-type') extra.push((x) => match(x.type));
    else if (name === 'availability-zone') extra.push((x) => match(x.zone));
    else if (name === 'product-description') extra.push((x) => match(x.product));
    else if (name === 'spot-price') extra.push((x) => match(String(x.price)));
    else if (name === 'timestamp') extra.push((x) => match(isoMs(x.ts)));
    else throw err(400, 'InvalidParameterValue', `The filter '${name}' is invalid`);
  }
  const maxResults = intParam(p, 'MaxResults', { min: 1, max: 1000 });
  const parseTime = (name) => {
    if (p[name] === undefined) return null;
    const t = Date.parse(p[name]);
    if (Number.isNaN(t)) throw err(400, 'InvalidParameterValue', `Value (${p[name]}) for parameter ${name} is invalid. Expected an ISO 8601 timestamp.`);
    return t;
  };
  const start = parseTime('StartTime');
  const end = parseTime('EndTime');
  if (start !== null && end !== null && start > end) {
    throw err(400, 'InvalidParameterValue', 'The StartTime must be before the EndTime.');
  }
  checkDeniedAndDryRun(world, 'DescribeSpotPriceHistory', p);
  types = new Set(types);
  products = new Set(products);
  const zonesOk = (z) => zone === null || z === zone;
  const points = [];
  // Points per (type, zone): history sorted by time.
  const groups = new Map();
  for (const h of world.spotHistory) {
    if (types.size > 0 && !types.has(h.type)) continue;
    if (!zonesOk(h.zone)) continue;
    const key = h.type + '\u0001' + h.zone;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(h);
  }
  for (const hist of groups.values()) {
    hist.sort((a, b) => a.ts - b.ts);
    let chosen;
    if (start !== null) {
      // The point in effect at StartTime plus later points.
      let idx = -1;
      for (let i = 0; i < hist.length; i++) if (hist[i].ts <= start) idx = i;
      chosen = hist.slice(Math.max(idx, 0)).filter((h, i) => (idx >= 0 && i === 0) || h.ts > start);
    } else {
      chosen = hist;
    }
    if (end !== null) chosen = chosen.filter((h) => h.ts <= end);
    for (const h of chosen) {
      for (const [product, factor] of [['Linux/UNIX', 1], ['Windows', 2]]) {
        if (products.size > 0 && !products.has(product)) continue;
        points.push({ type: h.type, zone: h.zone, price: h.price * factor, ts: h.ts, product });
      }
    }
  }
  let list = points.filter((x) => extra.every((f) => f(x)));
  list.sort((a, b) => b.ts - a.ts || a.type.localeCompare(b.type) || a.zone.localeCompare(b.zone) || a.product.localeCompare(b.product));
  const offset = p.NextToken ? decodeToken(p.NextToken, 'sp').o : 0;
  const size = maxResults === undefined ? 1000 : maxResults;
  let next = '';
  if (offset + size < list.length) next = encodeToken({ k: 'sp', o: offset + size });
  list = list.slice(offset, offset + size);
  let s = '<spotPriceHistorySet>';
  for (const x of list) {
    s += `<item>${el('instanceType', x.type)}${el('productDescription', x.product)}${el('spotPrice', x.price.toFixed(6))}${el('timestamp', isoMs(x.ts))}${el('availabilityZone', x.zone)}</item>`;
  }
  s += '</spotPriceHistorySet>';
  return s + `<nextToken>${xmlEscape(next)}</nextToken>`;
}

function consoleLog (world, inst) {
  const lines = [
    '[    0.000000] Linux version 6.1.0-fake-cloud-amd64 (fake@build) #1 SMP PREEMPT_DYNAMIC',
    `[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=/dev/${inst.block_devices.length ? 'nvme0n1p1' : 'xvda1'} ro console=ttyS0`,
    `[    1.234567] cloud-init[512]: Cloud-init v. 23.1 running 'init' at ${new Date(inst.launch_ms + 2000).toUTCString()}.`,
    `[    1.300000] cloud-init[512]: ci-info: instance-id: ${inst.id}, instance-type: ${inst.type}, zone: ${inst.zone}`,
  ];
  if (inst.user_data !== null) {
    const ud = inst.user_data.split('\n').slice(0, 5);
    lines.push("[    2.000000] cloud-init[640]: running 'modules:final'; user-data script (first lines):");
    for (const l of ud) lines.push('[    2.000001] cloud-init[640]: ' + l);
  }
  for (const l of inst.console_extra) lines.push('[   30.000000] ' + l);
  if (inst.state === 'shutting-down' || inst.state === 'terminated') {
    lines.push('[   99.000000] reboot: Power down');
  }
  return lines.join('\r\n') + '\r\n';
}

function getConsoleOutput (world, p) {
  const id = p.InstanceId;
  if (!id) throw err(400, 'MissingParameter', 'The request must contain the parameter InstanceId');
  checkInstanceIds(world, [id], 'GetConsoleOutput');
  const latest = boolParam(p, 'Latest', false);
  checkDeniedAndDryRun(world, 'GetConsoleOutput', p);
  const inst = world.instances.get(id);
  if (latest && !isNitro(inst.type)) {
    throw err(400, 'UnsupportedOperation', `The requested operation is not supported for the instance type (${inst.type}): Latest=true (the most recent console output) is only supported on instance types built on the Nitro System.`);
  }
  let s = el('instanceId', id) + el('timestamp', isoMs(world.now()));
  if (inst.state !== 'pending') {
    s += el('output', Buffer.from(consoleLog(world, inst), 'utf8').toString('base64'));
  }
  return s;
}

function createTags (world, p) {
  const ids = listParam(p, 'ResourceId');
  if (ids.length === 0) throw err(400, 'MissingParameter', 'The request must contain the parameter ResourceId');
  const tags = tagsFrom(p);
  if (tags.length === 0) throw err(400, 'MissingParameter', 'The request must contain the parameter Tag');
  validateTags(tags, 'Tag');
  const instIds = ids.filter((id) => id.startsWith('i-'));
  checkInstanceIds(world, instIds, 'CreateTags');
  checkDeniedAndDryRun(world, 'CreateTags', p);
  for (const id of instIds) {
    const inst = world.instances.get(id);
    for (const [k, v] of tags) {
      const at = inst.tags.findIndex((t) => t[0] === k);
      if (at >= 0) inst.tags[at] = [k, v];
      else inst.tags.push([k, v]);
    }
    if (inst.tags.length > 50) throw err(400, 'TagLimitExceeded', `The maximum number of tags per resource is 50 (${id})`);
    inst.xml = null;
  }
  return '<return>true</return>';
}

function describeAvailabilityZones (world, p) {
  const names = listParam(p, 'ZoneName');
  const zones = world.zones();
  for (const n of names) {
    if (!zones.includes(n)) throw err(400, 'InvalidParameterValue', `Invalid availability zone: [${n}]`);
  }
  const filters = filtersParam(p).map(({ name, match }) => {
    if (name === 'zone-name') return (z) => match(z);
    if (name === 'state') return () => match('available');
    if (name === 'region-name') return () => match(world.config.region);
    throw err(400, 'InvalidParameterValue', `The filter '${name}' is invalid`);
  });
  checkDeniedAndDryRun(world, 'DescribeAvailabilityZones', p);
  const region = world.config.region;
  const prefix = region.split('-').map((x) => x[0]).join('').slice(0, 3);
  let s = '<availabilityZoneInfo>';
  zones.forEach((z, i) => {
    if (names.length > 0 && !names.includes(z)) return;
    if (!filters.every((f) => f(z))) return;
    s += `<item>${el('optInStatus', 'opt-in-not-required')}<messageSet/>${el('regionName', region)}${el('zoneName', z)}${el('zoneId', `${prefix}${i + 1}-az${i + 1}`)}${el('groupName', region)}${el('networkBorderGroup', region)}<zoneType>availability-zone</zoneType><zoneState>available</zoneState></item>`;
  });
  return s + '</availabilityZoneInfo>';
}

const ACTIONS = {
  DescribeAvailabilityZones: describeAvailabilityZones,
  RunInstances: null, // special-cased (parsed before faults)
  DescribeInstances: describeInstances,
  TerminateInstances: terminateInstances,
  DescribeSpotPriceHistory: describeSpotPriceHistory,
  GetConsoleOutput: getConsoleOutput,
  CreateTags: createTags,
};

// --- faults ------------------------------------------------------------------------------------

const HTML_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n';

function faultError (fault, action, spec) {
  switch (fault.kind) {
    case 'throttle':
      return err(503, 'RequestLimitExceeded', 'Request limit exceeded.');
    case 'capacity': {
      const type = spec ? spec.type : 'the requested';
      const zone = spec ? spec.zone : 'the requested zone';
      return err(500, 'InsufficientInstanceCapacity', `We currently do not have sufficient ${type} capacity in the Availability Zone you requested (${zone}). Our system will be working on provisioning additional capacity. You can currently get ${type} capacity by not specifying an Availability Zone in your request or choosing other zones.`);
    }
    case 'quota':
      if (spec && spec.market === 'spot') {
        return err(400, 'MaxSpotInstanceCountExceeded', 'Max spot instance count exceeded');
      }
      return err(400, 'VcpuLimitExceeded', 'You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.');
    case 'server':
      return err(500, 'InternalError', 'An internal error has occurred');
    case 'unavailable':
      return err(503, 'Unavailable', "The server is overloaded and can't handle the request.");
    case 'auth':
      return err(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
    case 'error':
      return err(fault.status || 400, fault.code || 'InvalidParameterValue', fault.message || `Injected ${fault.code || 'error'}`);
    default:
      return null;
  }
}

// --- the request handler --------------------------------------------------------------------

function createEc2Handler (world, log) {
  function send (res, status, body, contentType = 'text/xml;charset=UTF-8', requestId = null) {
    if (res.destroyed || res.writableEnded) return;
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const headers = {
      'Content-Type': contentType,
      'Content-Length': buf.length,
      Date: rfc1123(world.now()),
      Server: 'AmazonEC2',
    };
    if (requestId) headers['x-amzn-RequestId'] = requestId;
    res.writeHead(status, headers);
    res.end(buf);
  }

  function sendError (res, e, requestId) {
    send(res, e.status, errorXml(e.code, e.message, requestId), undefined, requestId);
  }

  // Delivers a fault. realBody: the real answer when the action already ran ('after').
  function deliver (req, res, fault, action, spec, requestId, real) {
    const kind = fault.kind;
    if (kind === 'hang') {
      world.hungSockets.add(req.socket);
      req.socket.once('close', () => world.hungSockets.delete(req.socket));
      return;
    }
    if (kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (kind === 'truncated') {
      const full = Buffer.from(real ? real.body : okXml(action, requestId, '<reservationSet><item><reservationId>r-0123456789abcdef0</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet><item><instanceId>i-0123456789abcdef0</instanceId><imageId>ami-0123456789abcdef0</imageId><instanceState><code>16</code><name>running</name></instanceState></item></instancesSet></item></reservationSet>'), 'utf8');
      res.writeHead(200, { 'Content-Type': 'text/xml;charset=UTF-8', 'Content-Length': full.length, Date: rfc1123(world.now()) });
      res.write(full.subarray(0, Math.max(1, Math.floor(full.length / 2))), () => {
        setTimeout(() => req.socket.destroy(), 20);
      });
      return;
    }
    if (kind === 'malformed') {
      send(res, 200, XML_DECL + `<${action}Response xmlns="${NS}"><requestId>${requestId}</requestId><reservationSet><item><<<&&& this is not XML </item>`);
      return;
    }
    if (kind === 'html' || kind === 'proxy502') {
      send(res, 502, HTML_502, 'text/html');
      return;
    }
    if (kind === 'empty') {
      send(res, 200, '');
      return;
    }
    if (kind === 'huge') {
      if (real.status !== 200) {
        send(res, real.status, real.body);
        return;
      }
      const size = fault.size_bytes || 8 * 1024 * 1024;
      const close = `</${action}Response>`;
      const body = real.body;
      const unit = '<fakePadding>' + 'x'.repeat(1000) + '</fakePadding>';
      const pad = unit.repeat(Math.max(0, Math.ceil((size - body.length) / unit.length)));
      const at = body.lastIndexOf(close);
      send(res, real.status, body.slice(0, at) + pad + body.slice(at));
      return;
    }
    const e = faultError(fault, action, spec);
    if (e) {
      sendError(res, e, requestId);
      return;
    }
    sendError(res, err(500, 'InternalError', `unknown fault kind ${kind}`), requestId);
  }

  return async function handleEc2 (req, res, url) {
    const requestId = uuid();
    const body = await readBodySafe(req);
    if (body === null) {
      send(res, 400, errorXml('InvalidParameterValue', 'Request body too large', requestId));
      return;
    }
    world.tick();
    let params;
    try {
      params = parseParams(body.toString('utf8'), url.search);
    } catch (e) {
      send(res, 400, errorXml('MalformedQueryString', 'The request body could not be parsed', requestId));
      return;
    }
    const action = params.Action || '';
    world.countRequest('ec2', action || '(none)');
    const logged = { action, params: { ...params }, status: null, error_code: null, time: isoMs(world.now()) };
    world.logEc2(logged);

    const finish = (status, code) => {
      logged.status = status;
      logged.error_code = code;
      log(`ec2 ${action || '-'} -> ${status}${code ? ' ' + code : ''}`);
    };

    let auth = await verifySignature(world, req, url, body);
    if (auth.ok) {
      logged.access_key_id = auth.cred.access_key_id;
      if (auth.cred.ref && auth.cred.ref.ec2_calls !== undefined) auth.cred.ref.ec2_calls++;
    }
    if (auth.ok && !world.config.region_enabled) {
      // An opt-in region the account has not enabled: EC2 answers every call like an unknown
      // key (turbot/steampipe-plugin-aws#75, fog/fog-aws#585).
      auth = { ok: false, status: 401, code: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials' };
    }
    if (!auth.ok) {
      world.authErrors[auth.code] = (world.authErrors[auth.code] || 0) + 1;
      if (auth.code === 'SignatureDoesNotMatch') {
        world.signatureFailures++;
        world.lastSignatureFailure = { message: auth.message, ...(auth.details || {}) };
        if (auth.details) {
          log(`ec2 signature mismatch: got ${auth.details.got_signature} expected ${auth.details.expected_signature}; SignedHeaders=${auth.details.signed_headers}\n--- expected canonical request ---\n${auth.details.canonical_request}\n---`);
        }
      }
      finish(auth.status, auth.code);
      sendError(res, err(auth.status, auth.code, auth.message), requestId);
      return;
    }

    try {
      if (!params.Version) throw err(400, 'MissingParameter', 'The request must contain the parameter Version');
      if (params.Version !== '2016-11-15') throw err(400, 'NoSuchVersion', `An invalid or out-of-range value was supplied for the input parameter Version: ${params.Version}`);
      if (!action) throw err(400, 'MissingAction', 'The request must contain the parameter Action');
      if (!(action in ACTIONS)) throw err(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
      let spec = null;
      if (action === 'RunInstances') spec = parseRunInstances(world, params);
      let fault = world.takeFault('ec2', action, spec ? { zone: spec.zone, market: spec.market } : null);
      if (fault) {
        log(`ec2 ${action}: fault ${fault.kind}${fault.after ? ' (after)' : ''}`);
        if (fault.kind === 'hang' && fault.delay_ms) {
          await new Promise((resolve) => setTimeout(resolve, fault.delay_ms));
          world.tick();
          fault = null;
        } else if (!fault.after && fault.kind !== 'huge') {
          finish(0, 'fault:' + fault.kind);
          deliver(req, res, fault, action, spec, requestId, null);
          return;
        }
      }
      let inner;
      let status = 200;
      let code = null;
      try {
        inner = action === 'RunInstances' ? runInstances(world, params, spec, requestId) : ACTIONS[action](world, params);
      } catch (e) {
        if (!(e instanceof Ec2Error)) throw e;
        status = e.status;
        code = e.code;
        inner = e;
      }
      const real = inner instanceof Ec2Error
        ? { status, body: errorXml(inner.code, inner.message, requestId) }
        : { status: 200, body: okXml(action, requestId, inner) };
      if (fault) {
        finish(real.status, fault.kind === 'huge' ? code : 'fault:' + fault.kind);
        deliver(req, res, fault, action, spec, requestId, real);
        return;
      }
      finish(status, code);
      send(res, real.status, real.body, undefined, requestId);
    } catch (e) {
      if (e instanceof Ec2Error) {
        finish(e.status, e.code);
        sendError(res, e, requestId);
      } else {
        log(`ec2 ${action}: internal error ${e.stack}`);
        finish(500, 'InternalError');
        sendError(res, err(500, 'InternalError', 'An internal error has occurred'), requestId);
      }
    }
  };
}

async function readBodySafe (req) {
  const { readBody } = require('./util');
  try {
    return await readBody(req, 32 * 1024 * 1024);
  } catch (e) {
    return null;
  }
}

module.exports = { createEc2Handler, parseParams, listParam, groupParam, verifySignature };
