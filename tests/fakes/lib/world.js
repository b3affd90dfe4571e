// SPDX-License-Identifier: GPL-3.0-or-later
//
// The shared state of the fake cloud: configuration, EC2 instances, ClearML queues, tasks and
// workers, the agent simulation, faults and counters.
'use strict';

const { clearmlTime, deepClone, deepMerge, isPlainObject, hex, isoMs } = require('./util');
const agentSim = require('./agent');

const BASE_SPOT_PRICES = {
  't3.micro': 0.0031,
  't3.small': 0.0062,
  't3.medium': 0.0125,
  'm5.large': 0.0356,
  'm5.xlarge': 0.0712,
  'c5.xlarge': 0.0651,
  'g4dn.xlarge': 0.2016,
  'g4dn.2xlarge': 0.2928,
  'g5.xlarge': 0.3561,
  'p3.2xlarge': 0.9180,
};

const DEFAULT_CONFIG = {
  region: 'us-east-1',
  zones: null,
  credentials: [
    { access_key_id: 'AKIDEXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  ],
  clearml_credentials: { key: 'FAKEKEY', secret: 'FAKESECRET' },
  clearml_api_version: '2.31',
  token_ttl_s: 2592000,
  boot_delay_s: 1,
  shutdown_delay_s: 0.5,
  terminated_visible_s: 60,
  register_delay_s: 1,
  report_interval_s: 1,
  zombie_linger_s: 600, // clearml-server apiserver.conf workers.default_timeout
  agent_final_report: true, // a live agent reports once more while its instance shuts down
  agent_sleep_scale: 0.01, // the bootstrap's sleep N lasts N * scale seconds
  ami_nvidia_driver: true, // GPU types have nvidia-smi
  ami_nvidia_toolkit: false, // ... and the NVIDIA container toolkit
  ami_docker: false, // docker preinstalled
  clearml_users: [], // more ClearML users: [{key, secret, name}]
  instance_gpus: {}, // type -> NVIDIA GPU count, over the built-in table
  never_register_resources: [],
  spot_prices: null, // null = defaults for the region's zones (see defaultSpotPrices)
  clock_offset_s: 0,
  deny_actions: [],
  subnets: {},
  strict_subnets: false,
  account_id: '123456789012',
  vpc_id: 'vpc-0fake0000000000001',
  // AWS SigV4 allows 15 minutes between X-Amz-Date and the server's clock.
  max_skew_s: 900,
  max_instances: null, // account limit on non-terminated instances (null = none)
  // --- EC2 world data (see README "EC2 world data") ---
  images: {}, // ami id -> { root_device_name?, marketplace?, subscribed? }
  strict_images: false, // true: an AMI not in `images` is InvalidAMIID.NotFound
  security_groups: null, // null = any sg id exists; else the ids that exist
  key_pairs: null, // null = any key pair exists; else the names that exist
  instance_profiles: null, // null = any instance profile exists; else the names that exist
  unoffered_types: {}, // zone -> [instance types not offered there] (Unsupported)
  region_enabled: true, // false: an opt-in region the account has not enabled (AuthFailure)
  subnet_free_addresses: {}, // subnet id -> free IPv4 addresses (InsufficientFreeAddressesInSubnet)
  deny_pass_role: false, // true: iam:PassRole is denied, so IamInstanceProfile fails
  terminate_pending: {}, // zone -> stateReason code: EC2 terminates instances launched there while pending
  eventual_consistency_s: 0, // seconds a new instance stays unknown to other calls; or { Action: seconds }
  // Fake STS, SSO portal, IMDSv2 and container credential endpoints (README: "Credential endpoints").
  credential_services: {
    rotate_after: 0.4, // a new set once this fraction of a set's lifetime has passed
    sts: {
      lifetime_s: null, // null: DurationSeconds (default 3600); a number overrides it (tests)
      roles: null, // null: any arn:aws:iam::<12 digits>:role/NAME; else { arn: { external_id } }
      web_identity_tokens: ['fake-web-identity-token'],
    },
    sso: {
      lifetime_s: 3600,
      access_tokens: ['fake-sso-access-token'],
      roles: null, // null: any account and role; else { "account_id": ["RoleName", ...] }
    },
    imds: { lifetime_s: 3600, role: 'ec2-autoscaler-instance-role', require_token: true },
    container: { lifetime_s: 3600, authorization: null, path: '/v2/credentials/fake' },
  },
};

const CONFIG_TYPES = {
  region: 'string',
  zones: 'array|null',
  credentials: 'array',
  clearml_credentials: 'object',
  clearml_api_version: 'string',
  token_ttl_s: 'number',
  boot_delay_s: 'number',
  shutdown_delay_s: 'number',
  terminated_visible_s: 'number',
  register_delay_s: 'number',
  report_interval_s: 'number',
  zombie_linger_s: 'number',
  agent_final_report: 'boolean',
  agent_sleep_scale: 'number',
  ami_nvidia_driver: 'boolean',
  ami_nvidia_toolkit: 'boolean',
  ami_docker: 'boolean',
  clearml_users: 'array',
  instance_gpus: 'object',
  never_register_resources: 'array',
  spot_prices: 'object|null',
  clock_offset_s: 'number',
  deny_actions: 'array',
  subnets: 'object',
  strict_subnets: 'boolean',
  account_id: 'string',
  vpc_id: 'string',
  max_skew_s: 'number',
  max_instances: 'number|null',
  images: 'object',
  strict_images: 'boolean',
  security_groups: 'array|null',
  key_pairs: 'array|null',
  instance_profiles: 'array|null',
  unoffered_types: 'object',
  region_enabled: 'boolean',
  subnet_free_addresses: 'object',
  deny_pass_role: 'boolean',
  terminate_pending: 'object',
  eventual_consistency_s: 'number|object',
  credential_services: 'object',
};

// stateReason messages of instances EC2 terminates while pending
// (botocore service-2.json, StateReason.Message).
const PENDING_TERMINATION_REASONS = {
  'Server.InsufficientInstanceCapacity': 'Server.InsufficientInstanceCapacity: Insufficient capacity to satisfy the launch request',
  'Server.InternalError': 'Server.InternalError: Internal error on launch',
  'Client.VolumeLimitExceeded': 'Client.VolumeLimitExceeded: Volume limit exceeded',
  'Client.InternalError': 'Client.InternalError: Client error on launch',
  'Client.InvalidSnapshot.NotFound': 'Client.InvalidSnapshot.NotFound: The snapshot was not found',
  'Server.SpotInstanceTermination': 'Server.SpotInstanceTermination: Spot instance termination',
};

// The user of clearml_credentials (the primary ClearML user).
const PRIMARY_USER = { id: 'u0fakeuser0000000000000000000001', name: 'autoscaler' };

const STATE_CODES = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

class BadRequest extends Error {}

function typeOk (value, spec) {
  return spec.split('|').some((t) => {
    if (t === 'null') return value === null;
    if (t === 'array') return Array.isArray(value);
    if (t === 'object') return isPlainObject(value);
    return typeof value === t; // eslint-disable-line valid-typeof
  });
}

function validateConfigPatch (patch) {
  if (!isPlainObject(patch)) {
    throw new BadRequest('config: expected a JSON object');
  }
  for (const [k, v] of Object.entries(patch)) {
    const spec = CONFIG_TYPES[k];
    if (!spec) {
      throw new BadRequest(`config.${k}: unknown key (known: ${Object.keys(CONFIG_TYPES).join(', ')})`);
    }
    if (!typeOk(v, spec)) {
      throw new BadRequest(`config.${k}: expected ${spec}, got ${JSON.stringify(v)}`);
    }
    if (spec === 'number' && (!Number.isFinite(v) || (k !== 'clock_offset_s' && v < 0))) {
      throw new BadRequest(`config.${k}: expected a finite number >= 0`);
    }
  }
  if (patch.credentials) {
    patch.credentials.forEach((c, i) => {
      if (!isPlainObject(c) || typeof c.access_key_id !== 'string' || typeof c.secret_access_key !== 'string' ||
          (c.session_token !== undefined && c.session_token !== null && typeof c.session_token !== 'string') ||
          (c.expiration !== undefined && c.expiration !== null && Number.isNaN(Date.parse(c.expiration)))) {
        throw new BadRequest(`config.credentials[${i}]: expected {access_key_id, secret_access_key, session_token?, expiration? (ISO 8601)}`);
      }
    });
  }
  if (patch.credential_services) {
    validateCredentialServices(patch.credential_services);
  }
  if (patch.clearml_credentials) {
    const c = patch.clearml_credentials;
    if ((c.key !== undefined && typeof c.key !== 'string') || (c.secret !== undefined && typeof c.secret !== 'string')) {
      throw new BadRequest('config.clearml_credentials: expected {key, secret} strings');
    }
  }
  if (patch.clearml_users) {
    patch.clearml_users.forEach((u, i) => {
      if (!isPlainObject(u) || typeof u.key !== 'string' || typeof u.secret !== 'string' || (u.name !== undefined && typeof u.name !== 'string')) {
        throw new BadRequest(`config.clearml_users[${i}]: expected {key, secret, name?} strings`);
      }
    });
  }
  if (patch.instance_gpus) {
    for (const [type, n] of Object.entries(patch.instance_gpus)) {
      if (!Number.isInteger(n) || n < 0) throw new BadRequest(`config.instance_gpus.${type}: expected a whole number >= 0`);
    }
  }
  if (patch.clearml_api_version !== undefined && !/^\d+\.\d+$/.test(patch.clearml_api_version)) {
    throw new BadRequest('config.clearml_api_version: expected "MAJOR.MINOR", e.g. "2.31"');
  }
  if (patch.spot_prices) {
    for (const [type, zones] of Object.entries(patch.spot_prices)) {
      if (!isPlainObject(zones)) {
        throw new BadRequest(`config.spot_prices.${type}: expected {zone: price}`);
      }
      for (const [zone, price] of Object.entries(zones)) {
        if (typeof price !== 'number' || !(price > 0)) {
          throw new BadRequest(`config.spot_prices.${type}.${zone}: expected a price > 0 (USD/hour)`);
        }
      }
    }
  }
  if (patch.subnets) {
    for (const [subnet, zone] of Object.entries(patch.subnets)) {
      if (typeof zone !== 'string') {
        throw new BadRequest(`config.subnets.${subnet}: expected a zone name string`);
      }
    }
  }
  validateEc2WorldPatch(patch);
  for (const key of ['never_register_resources', 'deny_actions', 'zones', 'security_groups', 'key_pairs', 'instance_profiles']) {
    if (Array.isArray(patch[key]) && patch[key].some((s) => typeof s !== 'string')) {
      throw new BadRequest(`config.${key}: expected an array of strings`);
    }
  }
}

function validateEc2WorldPatch (patch) {
  if (patch.images) {
    for (const [ami, image] of Object.entries(patch.images)) {
      if (!isPlainObject(image)) throw new BadRequest(`config.images.${ami}: expected {root_device_name?, marketplace?, subscribed?}`);
      for (const [k, v] of Object.entries(image)) {
        const want = k === 'root_device_name' ? 'string' : (k === 'marketplace' || k === 'subscribed') ? 'boolean' : null;
        if (want === null) throw new BadRequest(`config.images.${ami}.${k}: unknown key (known: root_device_name, marketplace, subscribed)`);
        if (typeof v !== want) throw new BadRequest(`config.images.${ami}.${k}: expected a ${want}`); // eslint-disable-line valid-typeof
      }
    }
  }
  if (patch.unoffered_types) {
    for (const [zone, types] of Object.entries(patch.unoffered_types)) {
      if (!Array.isArray(types) || types.some((t) => typeof t !== 'string')) throw new BadRequest(`config.unoffered_types.${zone}: expected an array of instance types`);
    }
  }
  if (patch.subnet_free_addresses) {
    for (const [subnet, n] of Object.entries(patch.subnet_free_addresses)) {
      if (!Number.isInteger(n) || n < 0) throw new BadRequest(`config.subnet_free_addresses.${subnet}: expected a whole number >= 0`);
    }
  }
  if (patch.terminate_pending) {
    for (const [zone, code] of Object.entries(patch.terminate_pending)) {
      if (!(code in PENDING_TERMINATION_REASONS)) throw new BadRequest(`config.terminate_pending.${zone}: expected one of ${Object.keys(PENDING_TERMINATION_REASONS).join(', ')}`);
    }
  }
  const ec = patch.eventual_consistency_s;
  if (ec !== undefined) {
    const values = typeof ec === 'number' ? [ec] : Object.values(ec);
    if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new BadRequest('config.eventual_consistency_s: expected seconds >= 0, or {Action: seconds}');
  }
}

function validateCredentialServices (cs) {
  const where = 'config.credential_services';
  const known = { rotate_after: 'number', sts: 'object', sso: 'object', imds: 'object', container: 'object' };
  const inner = {
    sts: { lifetime_s: 'number|null', roles: 'object|null', web_identity_tokens: 'array' },
    sso: { lifetime_s: 'number', access_tokens: 'array', roles: 'object|null' },
    imds: { lifetime_s: 'number', role: 'string|null', require_token: 'boolean' },
    container: { lifetime_s: 'number', authorization: 'string|null', path: 'string' },
  };
  for (const [k, v] of Object.entries(cs)) {
    if (!known[k]) throw new BadRequest(`${where}.${k}: unknown key (known: ${Object.keys(known).join(', ')})`);
    if (!typeOk(v, known[k])) throw new BadRequest(`${where}.${k}: expected ${known[k]}`);
    if (k === 'rotate_after' && !(v > 0 && v <= 1)) throw new BadRequest(`${where}.rotate_after: expected 0 < x <= 1`);
    if (inner[k]) {
      for (const [ik, iv] of Object.entries(v)) {
        if (!inner[k][ik]) throw new BadRequest(`${where}.${k}.${ik}: unknown key (known: ${Object.keys(inner[k]).join(', ')})`);
        if (!typeOk(iv, inner[k][ik])) throw new BadRequest(`${where}.${k}.${ik}: expected ${inner[k][ik]}`);
        if (ik === 'lifetime_s' && iv !== null && !(iv > 0)) throw new BadRequest(`${where}.${k}.lifetime_s: expected a number > 0`);
      }
    }
  }
}

// Parses one shell word starting at text[i]; expansions ($X, ${X}, $(...), `...`) become
// the placeholder \u0000. Returns { word, end }.
function parseShellWord (text, i) {
  let out = '';
  const n = text.length;
  const skipExpansion = (j) => {
    // text[j] === '$'
    if (text[j + 1] === '{') {
      const close = text.indexOf('}', j + 2);
      return close < 0 ? n : close + 1;
    }
    if (text[j + 1] === '(') {
      let depth = 0;
      for (let k = j + 1; k < n; k++) {
        if (text[k] === '(') depth++;
        else if (text[k] === ')') {
          depth--;
          if (depth === 0) return k + 1;
        }
      }
      return n;
    }
    let k = j + 1;
    while (k < n && /[A-Za-z0-9_]/.test(text[k])) k++;
    return k;
  };
  while (i < n) {
    const c = text[i];
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? n : close;
      out += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n && '"\\$`'.includes(text[i + 1])) {
          out += text[i + 1];
          i += 2;
        } else if (text[i] === '$' && i + 1 < n && /[A-Za-z_{(]/.test(text[i + 1])) {
          out += '\u0000';
          i = skipExpansion(i);
        } else if (text[i] === '`') {
          const close = text.indexOf('`', i + 1);
          out += '\u0000';
          i = close < 0 ? n : close + 1;
        } else {
          out += text[i++];
        }
      }
      i++;
    } else if (c === '\\' && i + 1 < n) {
      out += text[i + 1];
      i += 2;
    } else if (c === '$' && i + 1 < n && /[A-Za-z_{(]/.test(text[i + 1])) {
      out += '\u0000';
      i = skipExpansion(i);
    } else if (c === '`') {
      const close = text.indexOf('`', i + 1);
      out += '\u0000';
      i = close < 0 ? n : close + 1;
    } else if (/[\s;&|<>]/.test(c)) {
      break;
    } else {
      out += c;
      i++;
    }
  }
  return { word: out, end: i };
}

// Extracts { workerTemplate, queue } from a user-data script (see README, "Agent simulation").
function parseAgentUserData (text) {
  if (typeof text !== 'string') {
    return null;
  }
  let template = null;
  const re = /(^|[\s;&|(])(?:export\s+)?CLEARML_WORKER_ID=/g;
  let m;
  while ((m = re.exec(text)) !== null) {
    template = parseShellWord(text, m.index + m[0].length).word;
  }
  let queue = null;
  const q = /(^|\s)--queue(=|\s+)/.exec(text);
  if (q) {
    queue = parseShellWord(text, q.index + q[0].length).word.replace(/\u0000/g, '');
  }
  if (template === null || !template || !queue) {
    return null;
  }
  return { template, queue };
}

function workerIdFor (template, instanceId) {
  return template.includes('\u0000') ? template.replace(/\u0000+/g, instanceId) : template;
}

class World {
  constructor (startConfig) {
    this.startConfig = startConfig || {};
    validateConfigPatch(this.startConfig);
    this.seq = { instance: 0, reservation: 0, sir: 0, queue: 0, task: 0, fault: 0, volume: 0, eni: 0 };
    this.idSalt = BigInt('0x' + hex(8)) << 24n;
    this.hungSockets = new Set();
    this.reset();
  }

  reset () {
    for (const s of this.hungSockets) {
      s.destroy();
    }
    for (const inst of this.order || []) {
      if (inst.agent && inst.agent.run) inst.agent.run.cleanup();
    }
    this.hungSockets.clear();
    this.config = deepMerge(deepClone(DEFAULT_CONFIG), this.startConfig);
    this.instances = new Map(); // id -> instance
    this.order = []; // instances in launch order
    this.queues = new Map(); // id -> queue
    this.tasks = new Map(); // id -> task
    this.workers = new Map(); // workerKey(user, id) -> server-side worker entry
    this.faults = [];
    this.tokens = new Map(); // token -> { exp_ms }
    this.launches = new Map(); // client token -> { fingerprint, reservation_id, instance_ids, calls }
    this.subnetZones = new Map(Object.entries(this.config.subnets));
    this.autoSubnetCount = 0;
    this.spotHistory = [];
    this.spotHistoryInit();
    this.requests = { ec2: {}, clearml: {}, sts: {}, sso: {}, imds: {}, container: {}, issue: {} };
    this.issued = new Map(); // access key id -> temporary credentials handed out (README: "Credential endpoints")
    this.currentSets = new Map(); // identity -> the set handed out for it now
    this.imdsTokens = new Map(); // IMDSv2 token -> expiry (ms)
    this.signatureFailures = 0;
    this.authErrors = {};
    this.getNextTaskCalls = 0;
    this.ec2Log = [];
    this.clearmlLog = [];
  }

  // --- clock ---------------------------------------------------------------------------

  realNow () {
    return Date.now();
  }

  // The fake's clock (ms since epoch).
  now () {
    return Date.now() + Math.round(this.config.clock_offset_s * 1000);
  }

  // --- configuration --------------------------------------------------------------------

  zones () {
    if (Array.isArray(this.config.zones) && this.config.zones.length > 0) {
      return this.config.zones;
    }
    const letters = this.config.region === 'us-east-1' ? 'abcdef' : 'abc';
    return [...letters].map((l) => this.config.region + l);
  }

  defaultSpotPrices () {
    const out = {};
    const zones = this.zones();
    for (const [type, base] of Object.entries(BASE_SPOT_PRICES)) {
      out[type] = {};
      zones.forEach((z, i) => {
        out[type][z] = Math.round(base * (1 + 0.07 * i) * 10000) / 10000;
      });
    }
    return out;
  }

  effectiveSpotPrices () {
    return this.config.spot_prices === null ? this.defaultSpotPrices() : this.config.spot_prices;
  }

  // Records a price point for every type/zone whose price differs from the latest point.
  spotHistoryRecord (ts) {
    const latest = new Map();
    for (const p of this.spotHistory) {
      latest.set(p.type + '\u0001' + p.zone, p.price);
    }
    for (const [type, zones] of Object.entries(this.effectiveSpotPrices())) {
      for (const [zone, price] of Object.entries(zones)) {
        if (latest.get(type + '\u0001' + zone) !== price) {
          this.spotHistory.push({ type, zone, price, ts });
        }
      }
    }
  }

  spotHistoryInit () {
    // The start-up prices have been in effect for an hour.
    this.spotHistoryRecord(this.now() - 3600 * 1000);
  }

  applyConfig (patch) {
    validateConfigPatch(patch);
    const regionChanged = patch.region !== undefined && patch.region !== this.config.region;
    if (patch.spot_prices && this.config.spot_prices === null) {
      this.config.spot_prices = this.defaultSpotPrices();
    }
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'spot_prices' && v !== null) {
        deepMerge(this.config.spot_prices, v);
      } else if (k === 'subnets') {
        deepMerge(this.config.subnets, v);
        for (const [s, z] of Object.entries(v)) {
          this.subnetZones.set(s, z);
        }
      } else if (k === 'clearml_credentials') {
        deepMerge(this.config.clearml_credentials, v);
      } else if (k === 'credential_services') {
        for (const [service, settings] of Object.entries(v)) {
          if (isPlainObject(settings)) {
            // Lists and role maps are replaced, not merged.
            Object.assign(this.config.credential_services[service], deepClone(settings));
          } else {
            this.config.credential_services[service] = settings;
          }
        }
      } else {
        this.config[k] = deepClone(v);
      }
    }
    if (regionChanged && patch.spot_prices === undefined && this.config.spot_prices === null) {
      this.spotHistory = [];
      this.spotHistoryInit();
    } else {
      this.spotHistoryRecord(this.now());
    }
    return this.config;
  }

  zoneForSubnet (subnetId) {
    if (this.subnetZones.has(subnetId)) {
      return this.subnetZones.get(subnetId);
    }
    if (this.config.strict_subnets) {
      return null;
    }
    const zones = this.zones();
    const zone = zones[this.autoSubnetCount++ % zones.length];
    this.subnetZones.set(subnetId, zone);
    return zone;
  }

  spotPrice (type, zone) {
    let best = null;
    for (const p of this.spotHistory) {
      if (p.type === type && p.zone === zone && (best === null || p.ts >= best.ts)) {
        best = p;
      }
    }
    return best ? best.price : null;
  }

  // --- ids ---------------------------------------------------------------------------------

  nextId (prefix, kind) {
    const n = BigInt(++this.seq[kind]);
    return prefix + (this.idSalt + n).toString(16).padStart(17, '0').slice(-17);
  }

  newInstanceId () {
    return this.nextId('i-', 'instance');
  }

  newReservationId () {
    return this.nextId('r-', 'reservation');
  }

  newSpotRequestId () {
    return 'sir-' + (++this.seq.sir).toString(36).padStart(8, '0');
  }

  newVolumeId () {
    return this.nextId('vol-', 'volume');
  }

  // --- instances ---------------------------------------------------------------------------

  // spec: fields of an instance; returns the instance.
  addInstance (spec) {
    const real = this.realNow();
    const fakeNow = this.now();
    const id = this.newInstanceId();
    const n = this.seq.instance;
    const inst = {
      id,
      reservation_id: spec.reservation_id,
      owner_id: this.config.account_id,
      type: spec.type,
      image_id: spec.image_id || 'ami-0fake0000000000001',
      zone: spec.zone,
      subnet_id: spec.subnet_id || null,
      vpc_id: this.config.vpc_id,
      private_ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      key_name: spec.key_name || null,
      security_groups: spec.security_groups || [],
      iam_profile: spec.iam_profile || null,
      block_devices: spec.block_devices || [],
      user_data: spec.user_data === undefined ? null : spec.user_data,
      market: spec.market || 'on-demand',
      spot_request_id: spec.market === 'spot' ? this.newSpotRequestId() : null,
      spot_options: spec.spot_options || null,
      metadata_options: spec.metadata_options || { HttpTokens: 'optional', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: '1', InstanceMetadataTags: 'disabled' },
      shutdown_behavior: spec.shutdown_behavior || 'stop',
      client_token: spec.client_token || '',
      tags: spec.tags || [], // [[key, value], ...] in order
      volume_tags: spec.volume_tags || [],
      eni_tags: spec.eni_tags || [],
      launch_index: spec.launch_index || 0,
      monitoring: spec.monitoring || false,
      ebs_optimized: spec.ebs_optimized || false,
      launch_ms: spec.launch_ms !== undefined ? spec.launch_ms : fakeNow,
      state: spec.state || 'pending',
      state_reason: null,
      transition_reason: '',
      next_state: null,
      next_at: 0,
      running_since: null,
      terminated_by: null,
      source: spec.source || 'api',
      agent: null,
      console_extra: [],
      gone_at: null,
      created_real: real, // for eventual consistency
      public_ip: spec.public_ip === undefined ? null : spec.public_ip,
      xml: null, // cached XML fragment, dropped on any change
    };
    for (const bd of inst.block_devices) {
      if (bd.ebs) {
        bd.volume_id = this.newVolumeId();
      }
    }
    if (inst.state === 'pending' && spec.terminate_pending) {
      // EC2 gives up on the launch half-way through the boot.
      inst.next_state = 'shutting-down';
      inst.next_at = real + this.config.boot_delay_s * 500;
      inst.pending_reason = spec.terminate_pending;
    } else if (inst.state === 'pending') {
      inst.next_state = 'running';
      inst.next_at = real + this.config.boot_delay_s * 1000;
    } else if (inst.state === 'running') {
      inst.running_since = real;
    } else if (inst.state === 'shutting-down') {
      inst.next_state = 'terminated';
      inst.next_at = real + this.config.shutdown_delay_s * 1000;
      inst.state_reason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
    } else if (inst.state === 'terminated') {
      inst.gone_at = real + this.config.terminated_visible_s * 1000;
      inst.state_reason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
    } else if (inst.state === 'stopped') {
      inst.state_reason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
    }
    inst.agent = this.newAgent(inst);
    this.instances.set(id, inst);
    this.order.push(inst);
    return inst;
  }

  // Whether @inst, launched moments ago, is still unknown to @action
  // (EC2's eventual consistency; config eventual_consistency_s).
  invisibleTo (inst, action) {
    const ec = this.config.eventual_consistency_s;
    const delay = typeof ec === 'number' ? ec : (ec[action] || 0);
    return inst.source === 'api' && delay > 0 && this.realNow() < inst.created_real + delay * 1000;
  }

  tagValue (inst, key) {
    for (const [k, v] of inst.tags) {
      if (k === key) return v;
    }
    return undefined;
  }

  setState (inst, state) {
    inst.state = state;
    inst.xml = null;
  }

  // Starts termination. reason: 'api' | 'spot'. Returns the previous state.
  terminate (inst, reason) {
    const prev = inst.state;
    if (prev === 'terminated' || prev === 'shutting-down') {
      return prev;
    }
    const real = this.realNow();
    this.setState(inst, 'shutting-down');
    inst.next_state = 'terminated';
    inst.next_at = real + this.config.shutdown_delay_s * 1000;
    inst.terminated_by = reason;
    const stamp = new Date(this.now()).toISOString().slice(0, 19).replace('T', ' ') + ' GMT';
    if (reason === 'spot') {
      inst.state_reason = { code: 'Server.SpotInstanceTermination', message: 'Server.SpotInstanceTermination: Spot instance termination' };
      inst.transition_reason = `Service initiated (${stamp})`;
    } else {
      inst.state_reason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
      inst.transition_reason = `User initiated (${stamp})`;
    }
    this.agentShutdown(inst, reason === 'spot' ? 'spot instance interrupted' : 'instance terminated while running the task');
    return prev;
  }

  // `shutdown -h now` on the instance: terminated or stopped, per InstanceInitiatedShutdownBehavior.
  instanceShutdown (inst) {
    if (inst.state !== 'running' && inst.state !== 'pending') return;
    if (inst.shutdown_behavior === 'terminate') {
      this.terminate(inst, 'shutdown');
    } else {
      this.setState(inst, 'stopping');
      inst.next_state = 'stopped';
      inst.next_at = this.realNow() + this.config.shutdown_delay_s * 1000;
      this.agentShutdown(inst, 'instance stopped while running the task');
    }
    inst.state_reason = { code: 'Client.InstanceInitiatedShutdown', message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown' };
  }

  // --- ClearML objects ---------------------------------------------------------------------

  newQueueId () {
    return hex(24) + (++this.seq.queue).toString(16).padStart(8, '0');
  }

  newTaskId () {
    return hex(24) + (++this.seq.task).toString(16).padStart(8, '0');
  }

  queueByName (name) {
    for (const q of this.queues.values()) {
      if (q.name === name) return q;
    }
    return null;
  }

  createQueue (name) {
    const now = this.now();
    const q = { id: this.newQueueId(), name, created: now, last_update: now, entries: [], tags: [], system_tags: [] };
    this.queues.set(q.id, q);
    return q;
  }

  createTask (fields) {
    const now = this.now();
    const t = {
      id: this.newTaskId(),
      name: fields.name || `task ${this.seq.task + 1}`,
      status: fields.status || 'created',
      status_reason: '',
      type: 'training',
      project: 'p0fakeproject000000000000000001',
      created: now,
      last_update: now,
      started: null,
      completed: null,
      last_worker: null,
      queue_id: fields.queue_id || null,
      duration_s: fields.duration_s === undefined ? 60 : fields.duration_s,
      last_iteration: 0,
      container_image: fields.container_image || '',
    };
    this.tasks.set(t.id, t);
    return t;
  }

  enqueue (queue, task) {
    const now = this.now();
    task.status = 'queued';
    task.status_reason = 'Enqueued';
    task.queue_id = queue.id;
    task.last_update = now;
    queue.entries.push({ task: task.id, added: now });
    queue.last_update = now;
  }

  // Pops the head of a queue (get_next_task semantics). Returns the task or null.
  popTask (queue, workerId) {
    while (queue.entries.length > 0) {
      const e = queue.entries.shift();
      queue.last_update = this.now();
      const t = this.tasks.get(e.task);
      if (t && t.status === 'queued') {
        const now = this.now();
        t.status = 'in_progress';
        t.status_reason = 'Started by agent';
        t.started = now;
        t.last_update = now;
        t.last_worker = workerId || null;
        return t;
      }
    }
    return null;
  }

  // --- ClearML users ---------------------------------------------------------------------------

  // The primary user (clearml_credentials) and clearml_users, as {id, name, key, secret}.
  clearmlUsers () {
    const c = this.config.clearml_credentials;
    const out = [{ id: PRIMARY_USER.id, name: PRIMARY_USER.name, key: c.key, secret: c.secret }];
    this.config.clearml_users.forEach((u, i) => {
      out.push({ id: 'u0fakeuser' + String(i + 2).padStart(22, '0'), name: u.name || `user${i + 2}`, key: u.key, secret: u.secret });
    });
    return out;
  }

  clearmlUserFor (key, secret) {
    return this.clearmlUsers().find((u) => u.key === key && u.secret === secret) || null;
  }

  clearmlUserById (id) {
    return this.clearmlUsers().find((u) => u.id === id) || { id, name: 'unknown' };
  }

  // --- workers -------------------------------------------------------------------------------

  // Redis keys are per user: worker_<company>_<user>_<id> (clearml-server
  // apiserver/bll/workers/__init__.py:357-360).
  workerKey (userId, id) {
    return userId + '\u0001' + id;
  }

  // Server-side worker entry (created on register / auto-register by a report).
  touchWorker (id, fields, userId = PRIMARY_USER.id) {
    const now = this.now();
    const key = this.workerKey(userId, id);
    let w = this.workers.get(key);
    if (!w) {
      w = {
        id,
        key,
        user_id: userId,
        register_time: now,
        last_activity_time: now,
        last_report_time: null,
        queue_ids: [],
        task_id: null,
        task_queue_id: null,
        instance_id: null,
        zombie_until: null,
        free: false,
        free_task_end: null,
      };
      this.workers.set(key, w);
    }
    Object.assign(w, fields);
    w.last_activity_time = now;
    return w;
  }

  // --- the agent simulation (lib/agent.js) ---------------------------------------------------

  newAgent (inst) {
    const base = {
      mode: 'legacy',
      run: null,
      start: null,
      worker_id: null,
      queue_name: null,
      queue_ids: [],
      user_id: PRIMARY_USER.id,
      phase: 'booting', // booting -> [starting -> alive | exited]... -> dying -> dead
      task_id: null,
      task_end: 0,
      task_fails: null,
      next_report: 0,
      request: null,
      due: 0,
      final_report_at: null,
      exits: [],
    };
    if (agentSim.isBootstrap(inst.user_data)) {
      return { ...base, mode: 'bootstrap' };
    }
    const parsed = parseAgentUserData(inst.user_data);
    if (!parsed) return null;
    return { ...base, worker_id: workerIdFor(parsed.template, inst.id), queue_name: parsed.queue };
  }

  // The instance is going away: the task stops, and a live agent may report once more before it
  // dies (auto_register re-creates an unregistered entry: apiserver.conf workers.auto_register).
  agentShutdown (inst, why) {
    const a = inst.agent;
    if (!a || a.phase === 'dead' || a.phase === 'dying') return;
    this.stopAgentTask(a, why);
    if (a.phase === 'alive' && this.config.agent_final_report) {
      a.phase = 'dying';
      a.final_report_at = this.realNow() + Math.min(this.config.report_interval_s, this.config.shutdown_delay_s) * 500;
      return;
    }
    this.agentDies(inst, why);
  }

  stopAgentTask (a, why) {
    if (!a.task_id) return;
    const t = this.tasks.get(a.task_id);
    if (t && t.status === 'in_progress') {
      t.status = 'stopped';
      t.status_reason = why;
      t.last_update = this.now();
    }
    a.task_id = null;
  }

  agentDies (inst, why) {
    const a = inst.agent;
    if (!a || a.phase === 'dead') {
      return;
    }
    const wasAlive = a.phase === 'alive' || a.phase === 'dying';
    a.phase = 'dead';
    this.stopAgentTask(a, why);
    if (a.run) a.run.kill();
    const w = a.worker_id ? this.workers.get(this.workerKey(a.user_id, a.worker_id)) : null;
    if (wasAlive && w && w.instance_id === inst.id) {
      if (this.config.zombie_linger_s > 0) {
        w.zombie_until = this.realNow() + this.config.zombie_linger_s * 1000;
      } else {
        this.workers.delete(w.key);
      }
    }
  }

  // Purged instance: its sandbox goes.
  agentGone (inst) {
    if (inst.agent && inst.agent.run) inst.agent.run.cleanup();
  }

  // --- the simulation step -------------------------------------------------------------------

  tick () {
    const real = this.realNow();
    let purge = false;
    for (const inst of this.order) {
      if (inst.next_state !== null && real >= inst.next_at) {
        const to = inst.next_state;
        inst.next_state = null;
        this.setState(inst, to);
        if (to === 'running') {
          inst.running_since = inst.next_at;
        } else if (to === 'shutting-down' && inst.pending_reason) {
          inst.state_reason = { code: inst.pending_reason, message: PENDING_TERMINATION_REASONS[inst.pending_reason] };
          inst.transition_reason = `Server initiated (${new Date(this.now()).toISOString().slice(0, 19).replace('T', ' ')} GMT)`;
          inst.terminated_by = 'ec2';
          inst.next_state = 'terminated';
          inst.next_at = real + this.config.shutdown_delay_s * 1000;
        } else if (to === 'terminated') {
          inst.gone_at = inst.next_at + this.config.terminated_visible_s * 1000;
        }
      }
      if (inst.gone_at !== null && real >= inst.gone_at) {
        purge = true;
      }
      if (inst.agent !== null) {
        this.agentStep(inst, real);
      }
    }
    if (purge) {
      this.order = this.order.filter((i) => {
        if (i.gone_at !== null && real >= i.gone_at) {
          this.agentGone(i);
          this.instances.delete(i.id);
          return false;
        }
        return true;
      });
    }
    for (const w of this.workers.values()) {
      if (w.zombie_until !== null && real >= w.zombie_until) {
        this.workers.delete(w.key);
      } else if (w.free && w.free_task_end !== null && real >= w.free_task_end) {
        const t = this.tasks.get(w.task_id);
        if (t) {
          t.status = 'completed';
          t.completed = this.now();
          t.last_update = t.completed;
        }
        w.task_id = null;
        w.task_queue_id = null;
        w.free_task_end = null;
      }
    }
  }

  agentStep (inst, real) {
    const a = inst.agent;
    if (a.phase === 'dead') {
      return;
    }
    if (a.phase === 'dying') {
      if (inst.state !== 'shutting-down' && inst.state !== 'stopping') {
        this.agentDies(inst, 'instance gone');
      } else if (real >= a.final_report_at) {
        this.agentReport(inst, a);
        this.agentDies(inst, 'instance gone');
      }
      return;
    }
    if (inst.state !== 'running') {
      if (inst.state !== 'pending') {
        this.agentShutdown(inst, 'instance stopped while running the task');
      }
      return;
    }
    if (a.mode === 'bootstrap') {
      this.bootstrapStep(inst, a, real);
    } else if (a.phase === 'booting') {
      this.legacyStart(inst, a, real);
    }
    if (a.phase === 'alive') {
      this.agentWork(inst, a, real);
    }
  }

  // A hand-written user-data: registers register_delay_s after running, once its queue exists.
  legacyStart (inst, a, real) {
    const resource = this.tagValue(inst, 'ec2-autoscaler:resource');
    if (resource !== undefined && this.config.never_register_resources.includes(resource)) {
      return;
    }
    if (real < inst.running_since + this.config.register_delay_s * 1000) {
      return;
    }
    const q = this.queueByName(a.queue_name);
    if (!q) {
      return; // the legacy agent keeps trying until the queue exists
    }
    this.agentRegister(inst, a, [q.id], real);
  }

  // A generated bootstrap: bash runs it; the agent stub's requests start the daemon.
  bootstrapStep (inst, a, real) {
    const resource = this.tagValue(inst, 'ec2-autoscaler:resource');
    if (resource !== undefined && this.config.never_register_resources.includes(resource)) {
      return; // a bootstrap that hangs
    }
    if (a.run === null) {
      a.run = new agentSim.BootstrapRun(this, inst);
      a.run.start();
    }
    if (a.run.shutdownRequested()) {
      this.instanceShutdown(inst);
      return;
    }
    if (a.phase === 'booting' || a.phase === 'exited') {
      const req = a.run.nextRequest();
      if (req) {
        a.request = req;
        a.phase = 'starting';
        a.due = real + this.config.register_delay_s * 1000;
      }
    }
    if (a.phase === 'starting' && real >= a.due) {
      this.bootstrapAgentStart(inst, a, real);
    }
  }

  bootstrapAgentStart (inst, a, real) {
    const req = a.request;
    try {
      a.start = agentSim.startAgent(this, a.run, req);
    } catch (e) {
      if (!(e instanceof agentSim.AgentExit)) throw e;
      a.phase = 'exited';
      a.exits.push({ status: e.status, message: e.message });
      a.run.finishAgent(req.n, e.status, e.message);
      return;
    }
    a.worker_id = a.start.workerId;
    a.user_id = a.start.user.id;
    a.queue_name = a.start.args.queues[0] || 'default';
    this.agentRegister(inst, a, a.start.queueIds, real);
  }

  agentRegister (inst, a, queueIds, real) {
    a.phase = 'alive';
    a.queue_ids = queueIds;
    a.next_report = real;
    this.touchWorker(a.worker_id, { instance_id: inst.id, queue_ids: queueIds, register_time: this.now(), zombie_until: null }, a.user_id);
    inst.console_extra.push(`clearml-agent: worker ${a.worker_id} registered, listening to queue '${a.queue_name}'`);
  }

  // A status report (auto-registers an entry that was unregistered or expired).
  agentReport (inst, a) {
    const w = this.workers.get(this.workerKey(a.user_id, a.worker_id));
    if (w && w.zombie_until !== null) {
      return;
    }
    this.touchWorker(a.worker_id, {
      instance_id: inst.id,
      queue_ids: a.queue_ids,
      task_id: a.task_id,
      task_queue_id: a.task_id ? a.task_queue_id : null,
      task_started: a.task_id ? a.task_started : null,
      last_report_time: this.now(),
    }, a.user_id);
  }

  agentWork (inst, a, real) {
    let changed = false;
    if (a.task_id !== null && real >= a.task_end) {
      const t = this.tasks.get(a.task_id);
      if (t && t.status === 'in_progress') {
        t.status = a.task_fails ? 'failed' : 'completed';
        t.status_reason = a.task_fails || 'Completed';
        t.completed = this.now();
        t.last_update = t.completed;
      }
      a.task_id = null;
      changed = true;
    }
    if (a.task_id === null) {
      for (const qid of a.queue_ids) {
        const q = this.queues.get(qid);
        const t = q && q.entries.length > 0 ? this.popTask(q, a.worker_id) : null;
        if (t) {
          a.task_id = t.id;
          a.task_queue_id = qid;
          a.task_started = real;
          // A task that cannot start (docker --gpus on a host that cannot give GPUs) fails at once.
          a.task_fails = agentSim.taskFailure(this, inst, a);
          a.task_end = a.task_fails ? real : real + t.duration_s * 1000;
          if (a.task_fails) inst.console_extra.push(`clearml-agent: task ${t.id} failed: ${a.task_fails}`);
          changed = true;
          break;
        }
      }
    }
    if (changed || real >= a.next_report) {
      this.agentReport(inst, a);
      a.next_report = real + this.config.report_interval_s * 1000;
    }
  }

  // --- faults --------------------------------------------------------------------------------

  addFault (f) {
    const fault = { id: ++this.seq.fault, ...f };
    this.faults.push(fault);
    return fault;
  }

  // ctx: { zone, market } for RunInstances (else null).
  takeFault (service, action, ctx) {
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i];
      if (f.service !== service || (f.action !== '*' && f.action !== action)) {
        continue;
      }
      if (f.zone || f.market) {
        if (!ctx) continue;
        if (f.zone && f.zone !== ctx.zone) continue;
        if (f.market && f.market !== ctx.market) continue;
      }
      f.count--;
      if (f.count <= 0) {
        this.faults.splice(i, 1);
      }
      return f;
    }
    return null;
  }

  // --- temporary credentials ----------------------------------------------------------

  // Static credentials of the config, or temporary ones handed out by a credential endpoint.
  findCredential (accessKeyId) {
    const c = this.config.credentials.find((x) => x.access_key_id === accessKeyId);
    if (c) {
      return { ...c, expires_ms: c.expiration ? Date.parse(c.expiration) : null, ref: c };
    }
    const t = this.issued.get(accessKeyId);
    return t ? { ...t, ref: t } : null;
  }

  // The set of temporary credentials for `identity` (a string naming who asks for what): the
  // current one while less than rotate_after of its lifetime has passed, else a new one (the old
  // one stays valid until it expires, as IMDS rotation does). lifetimeMs: how long EC2 accepts
  // it; advertisedMs: the Expiration the answer shows (default: the same).
  issueCredentials (source, identity, lifetimeMs, advertisedMs = lifetimeMs) {
    const now = this.now();
    const current = this.currentSets.get(identity);
    const rotateAfter = this.config.credential_services.rotate_after;
    if (current && now < current.issued_ms + rotateAfter * (current.expires_ms - current.issued_ms)) {
      return current;
    }
    const set = {
      access_key_id: 'ASIA' + hex(16).toUpperCase(),
      secret_access_key: hex(40),
      session_token: 'FQoGZXIvYXdzE' + hex(40),
      source,
      identity,
      issued_ms: now,
      expires_ms: now + lifetimeMs,
      advertised_ms: now + advertisedMs,
      ec2_calls: 0,
    };
    this.issued.set(set.access_key_id, set);
    this.currentSets.set(identity, set);
    return set;
  }

  countRequest (service, name) {
    const m = this.requests[service];
    m[name] = (m[name] || 0) + 1;
  }

  logEc2 (entry) {
    this.ec2Log.push(entry);
    if (this.ec2Log.length > 500) {
      this.ec2Log.splice(0, this.ec2Log.length - 500);
    }
  }

  // --- state for the control API -------------------------------------------------------------

  instanceState (inst) {
    const tags = {};
    for (const [k, v] of inst.tags) tags[k] = v;
    const volumeTags = {};
    for (const [k, v] of inst.volume_tags) volumeTags[k] = v;
    return {
      instance_id: inst.id,
      reservation_id: inst.reservation_id,
      state: inst.state,
      state_reason: inst.state_reason ? inst.state_reason.code : null,
      instance_type: inst.type,
      zone: inst.zone,
      subnet_id: inst.subnet_id,
      market: inst.market,
      spot_instance_request_id: inst.spot_request_id,
      spot_options: inst.spot_options,
      image_id: inst.image_id,
      key_name: inst.key_name,
      security_group_ids: inst.security_groups.filter((g) => g.id).map((g) => g.id),
      security_group_names: inst.security_groups.filter((g) => !g.id).map((g) => g.name),
      iam_instance_profile: inst.iam_profile,
      block_device_mappings: inst.block_devices,
      metadata_http_tokens: inst.metadata_options.HttpTokens || null,
      metadata_options: inst.metadata_options,
      shutdown_behavior: inst.shutdown_behavior,
      client_token: inst.client_token,
      launch_time: isoMs(inst.launch_ms),
      tags,
      volume_tags: volumeTags,
      user_data: inst.user_data,
      worker_id: inst.agent ? inst.agent.worker_id : null,
      queue_name: inst.agent ? inst.agent.queue_name : null,
      agent_phase: inst.agent ? inst.agent.phase : null,
      agent: inst.agent ? this.agentState(inst.agent) : null,
      source: inst.source,
      terminated_by: inst.terminated_by,
      associate_public_ip: inst.public_ip,
    };
  }

  // What the agent ran with (no secrets: the environment is reduced to the NVIDIA variables).
  agentState (a) {
    const st = a.start;
    const req = a.request;
    return {
      mode: a.mode,
      phase: a.phase,
      user: a.user_id ? this.clearmlUserById(a.user_id).name : null,
      argv: req ? req.argv : null,
      umask: req ? req.umask : null,
      nvidia_visible_devices: req && req.env.NVIDIA_VISIBLE_DEVICES !== undefined ? req.env.NVIDIA_VISIBLE_DEVICES : null,
      docker_image: st && st.args.docker ? (st.args.docker[0] || '') : null,
      docker_gpus: st && st.args.docker ? agentSim.dockerGpus(st.devices) : null,
      starts: a.run ? a.run.requests : 0,
      exits: a.exits,
      shutdown: a.run ? a.run.shutdownSeen : false,
    };
  }

  workerState (w) {
    const qnames = w.queue_ids.map((id) => (this.queues.get(id) || { name: null }).name);
    return {
      id: w.id,
      user: this.clearmlUserById(w.user_id).name,
      queue: qnames[0] || null,
      queues: qnames,
      task: w.task_id,
      instance_id: w.instance_id,
      register_time: clearmlTime(w.register_time),
      last_activity_time: clearmlTime(w.last_activity_time),
      zombie: w.zombie_until !== null,
      free: w.free,
    };
  }

  snapshot (omit) {
    this.tick();
    const out = {
      now: isoMs(this.now()),
      config: this.config,
      requests: this.requests,
      signature_failures: this.signatureFailures,
      auth_errors: this.authErrors,
      get_next_task_calls: this.getNextTaskCalls,
      launches: Object.fromEntries([...this.launches].map(([k, v]) => [k, { reservation_id: v.reservation_id, instance_ids: v.instance_ids, calls: v.calls }])),
      subnets: Object.fromEntries(this.subnetZones),
      faults: this.faults,
      tokens_issued: this.tokens.size,
      issued_credentials: [...this.issued.values()].map((c) => ({
        access_key_id: c.access_key_id,
        source: c.source,
        identity: c.identity,
        issued: isoMs(c.issued_ms),
        expires: isoMs(c.expires_ms),
        advertised_expiration: isoMs(c.advertised_ms),
        ec2_calls: c.ec2_calls,
        request: c.request || null,
      })),
    };
    if (!omit.has('instances')) out.instances = this.order.map((i) => this.instanceState(i));
    if (!omit.has('workers')) out.workers = [...this.workers.values()].map((w) => this.workerState(w));
    if (!omit.has('queues')) {
      out.queues = [...this.queues.values()].map((q) => ({ id: q.id, name: q.name, entries: q.entries.map((e) => e.task) }));
    }
    if (!omit.has('tasks')) {
      out.tasks = [...this.tasks.values()].map((t) => ({
        id: t.id,
        name: t.name,
        status: t.status,
        status_reason: t.status_reason,
        queue: t.queue_id ? (this.queues.get(t.queue_id) || { name: null }).name : null,
        duration_s: t.duration_s,
        last_worker: t.last_worker,
        started: t.started ? clearmlTime(t.started) : null,
        completed: t.completed ? clearmlTime(t.completed) : null,
      }));
    }
    if (!omit.has('ec2_requests')) out.ec2_requests = this.ec2Log;
    if (!omit.has('clearml_requests')) out.clearml_requests = this.clearmlLog;
    return out;
  }
}

module.exports = { World, BadRequest, STATE_CODES, PRIMARY_USER, parseAgentUserData, workerIdFor, DEFAULT_CONFIG, PENDING_TERMINATION_REASONS };
