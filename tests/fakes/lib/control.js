// SPDX-License-Identifier: GPL-3.0-or-later
//
// The control API under /_fake/ (served on both listeners). See README.md.
'use strict';

const { readBody, isPlainObject, rfc1123 } = require('./util');
const { BadRequest } = require('./world');
const { issueForProcess } = require('./credentials');

const EC2_FAULTS = new Set(['throttle', 'capacity', 'quota', 'server', 'unavailable', 'auth', 'error', 'hang', 'reset', 'truncated', 'malformed', 'html', 'proxy502', 'empty', 'huge']);
const CLEARML_FAULTS = new Set(['throttle', 'server', 'unavailable', 'auth', 'error', 'hang', 'reset', 'truncated', 'malformed', 'html', 'proxy502', 'empty', 'huge', 'missing_fields', 'token_expired']);
const INSTANCE_STATES = new Set(['pending', 'running', 'shutting-down', 'terminated', 'stopped']);

function bad (msg) {
  return new BadRequest(msg);
}

function optType (obj, key, type, where) {
  if (obj[key] === undefined || obj[key] === null) return;
  const ok = type === 'integer' ? Number.isInteger(obj[key]) : typeof obj[key] === type; // eslint-disable-line valid-typeof
  if (!ok) throw bad(`${where}.${key}: expected ${type}, got ${JSON.stringify(obj[key])}`);
}

function createControlHandler (world, log) {
  const send = (res, status, obj) => {
    const buf = Buffer.from(JSON.stringify(obj) + '\n');
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': buf.length, Date: rfc1123(world.now()) });
    res.end(buf);
  };

  const routes = {
    'GET /_fake/health': () => ({ ok: true }),

    'GET /_fake/state': (body, url) => {
      const omit = new Set((url.searchParams.get('omit') || '').split(',').filter(Boolean));
      return world.snapshot(omit);
    },

    'GET /_fake/last-signature-failure': () => ({ failure: world.lastSignatureFailure || null }),

    'POST /_fake/reset': () => {
      world.reset();
      return { ok: true };
    },

    'POST /_fake/config': (body) => {
      return { config: world.applyConfig(body) };
    },

    'POST /_fake/fault': (body) => {
      const w = 'fault';
      if (body.service !== 'ec2' && body.service !== 'clearml') throw bad(`${w}.service: expected "ec2" or "clearml", got ${JSON.stringify(body.service)}`);
      if (typeof body.action !== 'string' || !body.action) throw bad(`${w}.action: expected an action name (e.g. "RunInstances", "queues.get_all") or "*"`);
      const kinds = body.service === 'ec2' ? EC2_FAULTS : CLEARML_FAULTS;
      if (!kinds.has(body.kind)) throw bad(`${w}.kind: ${JSON.stringify(body.kind)} is not a ${body.service} fault kind (expected one of ${[...kinds].join(', ')})`);
      optType(body, 'count', 'integer', w);
      if (body.count !== undefined && body.count < 1) throw bad(`${w}.count: expected an integer >= 1`);
      optType(body, 'zone', 'string', w);
      optType(body, 'market', 'string', w);
      if (body.market !== undefined && body.market !== 'spot' && body.market !== 'on-demand') throw bad(`${w}.market: expected "spot" or "on-demand"`);
      optType(body, 'delay_ms', 'number', w);
      optType(body, 'after', 'boolean', w);
      optType(body, 'status', 'integer', w);
      optType(body, 'code', 'string', w);
      optType(body, 'subcode', 'integer', w);
      optType(body, 'message', 'string', w);
      optType(body, 'size_bytes', 'integer', w);
      if (body.kind === 'error' && body.service === 'ec2' && !body.code) throw bad(`${w}.code: an ec2 "error" fault needs a code (e.g. "Unsupported")`);
      const known = new Set(['service', 'action', 'kind', 'count', 'zone', 'market', 'delay_ms', 'after', 'status', 'code', 'subcode', 'message', 'size_bytes']);
      for (const k of Object.keys(body)) if (!known.has(k)) throw bad(`${w}.${k}: unknown key`);
      const f = world.addFault({ ...body, count: body.count || 1 });
      log(`fault queued: ${JSON.stringify(f)}`);
      return { ok: true, id: f.id };
    },

    // Every temporary credential handed out, secrets included (tests check none reaches a file).
    'GET /_fake/credentials/issued': () => ({
      issued: [...world.issued.values()].map((c) => ({
        access_key_id: c.access_key_id,
        secret_access_key: c.secret_access_key,
        session_token: c.session_token,
        source: c.source,
      })),
    }),

    'POST /_fake/credentials/issue': (body) => {
      try {
        return issueForProcess(world, body);
      } catch (e) {
        throw bad(e.message);
      }
    },

    'POST /_fake/faults/clear': () => {
      world.faults = [];
      return { ok: true };
    },

    'POST /_fake/enqueue': (body) => {
      const w = 'enqueue';
      if (typeof body.queue !== 'string' || !body.queue) throw bad(`${w}.queue: expected a queue name`);
      let specs;
      if (body.tasks !== undefined) {
        if (!Array.isArray(body.tasks)) throw bad(`${w}.tasks: expected an array of {name?, duration_s?}`);
        specs = body.tasks.map((t, i) => {
          if (!isPlainObject(t)) throw bad(`${w}.tasks[${i}]: expected an object`);
          optType(t, 'name', 'string', `${w}.tasks[${i}]`);
          optType(t, 'duration_s', 'number', `${w}.tasks[${i}]`);
          return t;
        });
      } else {
        optType(body, 'count', 'integer', w);
        optType(body, 'duration_s', 'number', w);
        optType(body, 'name', 'string', w);
        const count = body.count === undefined ? 1 : body.count;
        if (count < 0 || count > 100000) throw bad(`${w}.count: expected 0..100000`);
        specs = Array.from({ length: count }, (_, i) => ({ name: body.name ? `${body.name} ${i + 1}` : undefined, duration_s: body.duration_s }));
      }
      const q = world.queueByName(body.queue) || world.createQueue(body.queue);
      const ids = specs.map((s) => {
        const t = world.createTask({ name: s.name, duration_s: s.duration_s, queue_id: q.id });
        world.enqueue(q, t);
        return t.id;
      });
      world.tick();
      return { queue_id: q.id, task_ids: ids };
    },

    'POST /_fake/instances': (body) => {
      const w = 'instances';
      for (const k of ['instance_type', 'state', 'zone', 'subnet_id', 'user_data', 'market', 'image_id', 'launch_time', 'key_name', 'client_token']) optType(body, k, 'string', w);
      optType(body, 'count', 'integer', w);
      const count = body.count === undefined ? 1 : body.count;
      if (count < 1 || count > 100000) throw bad(`${w}.count: expected 1..100000`);
      const state = body.state || 'running';
      if (!INSTANCE_STATES.has(state)) throw bad(`${w}.state: expected one of ${[...INSTANCE_STATES].join(', ')}`);
      const market = body.market || 'on-demand';
      if (market !== 'spot' && market !== 'on-demand') throw bad(`${w}.market: expected "spot" or "on-demand"`);
      let tags = [];
      if (body.tags !== undefined) {
        if (!isPlainObject(body.tags)) throw bad(`${w}.tags: expected an object {key: value}`);
        tags = Object.entries(body.tags).map(([k, v]) => {
          if (typeof v !== 'string') throw bad(`${w}.tags.${k}: expected a string value`);
          return [k, v];
        });
      }
      let zone = body.zone;
      if (body.subnet_id && !zone) zone = world.zoneForSubnet(body.subnet_id);
      if (!zone) zone = world.zones()[0];
      if (!world.zones().includes(zone)) throw bad(`${w}.zone: '${zone}' is not a zone of ${world.config.region} (${world.zones().join(', ')})`);
      let launchMs;
      if (body.launch_time !== undefined) {
        launchMs = Date.parse(body.launch_time);
        if (Number.isNaN(launchMs)) throw bad(`${w}.launch_time: expected an ISO 8601 time`);
      }
      const reservation = world.newReservationId();
      const ids = [];
      for (let i = 0; i < count; i++) {
        const inst = world.addInstance({
          type: body.instance_type || 't3.micro',
          image_id: body.image_id,
          zone,
          subnet_id: body.subnet_id,
          key_name: body.key_name,
          user_data: body.user_data,
          market,
          tags: tags.map((t) => [...t]),
          state,
          launch_ms: launchMs,
          client_token: body.client_token,
          reservation_id: reservation,
          launch_index: i,
          source: 'control',
        });
        ids.push(inst.id);
      }
      return { reservation_id: reservation, instance_ids: ids };
    },

    'POST /_fake/spot-interrupt': (body) => {
      if (typeof body.instance_id !== 'string') throw bad('spot-interrupt.instance_id: expected an instance id');
      const inst = world.instances.get(body.instance_id);
      if (!inst) return [404, { error: `spot-interrupt.instance_id: no instance '${body.instance_id}'` }];
      if (inst.market !== 'spot') log(`spot-interrupt of on-demand instance ${inst.id} (allowed)`);
      const prev = world.terminate(inst, 'spot');
      return { ok: true, previous_state: prev, state: inst.state };
    },

    'POST /_fake/workers': (body) => {
      const w = 'workers';
      if (typeof body.id !== 'string' || !body.id) throw bad(`${w}.id: expected a worker id`);
      for (const k of ['queue', 'task_name', 'user']) optType(body, k, 'string', w);
      for (const k of ['busy_s', 'last_activity_age_s']) optType(body, k, 'number', w);
      let userId;
      if (body.user !== undefined) {
        const u = world.clearmlUsers().find((x) => x.key === body.user || x.name === body.user);
        if (!u) throw bad(`${w}.user: no ClearML user with the key or name '${body.user}' (see config clearml_users)`);
        userId = u.id;
      }
      const q = body.queue ? (world.queueByName(body.queue) || world.createQueue(body.queue)) : null;
      const fields = { free: true, queue_ids: q ? [q.id] : [], instance_id: null, zombie_until: null };
      const entry = world.touchWorker(body.id, fields, userId);
      if (body.task_name) {
        const t = world.createTask({ name: body.task_name, duration_s: body.busy_s || 0, queue_id: q ? q.id : null, status: 'in_progress' });
        t.started = world.now();
        t.last_worker = body.id;
        entry.task_id = t.id;
        entry.task_queue_id = q ? q.id : null;
        entry.task_started = world.realNow();
        entry.free_task_end = body.busy_s ? world.realNow() + body.busy_s * 1000 : null;
      }
      if (body.last_activity_age_s) {
        entry.last_activity_time = world.now() - body.last_activity_age_s * 1000;
        entry.register_time = entry.last_activity_time;
      }
      return { ok: true, task_id: entry.task_id };
    },

    'POST /_fake/expire-tokens': () => {
      const now = world.now();
      for (const t of world.tokens.values()) t.exp_ms = Math.min(t.exp_ms, now - 1000);
      return { ok: true, expired: world.tokens.size };
    },
  };

  return async function handleControl (req, res, url) {
    const route = routes[`${req.method} ${url.pathname.replace(/\/+$/, '')}`];
    if (!route) {
      send(res, 404, { error: `no control route ${req.method} ${url.pathname} (see tests/fakes/README.md)` });
      return;
    }
    let body = {};
    const raw = await readBody(req);
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        send(res, 400, { error: `body: invalid JSON (${e.message})` });
        return;
      }
      if (!isPlainObject(body)) {
        send(res, 400, { error: 'body: expected a JSON object' });
        return;
      }
    }
    try {
      world.tick();
      const out = route(body, url);
      if (Array.isArray(out)) send(res, out[0], out[1]);
      else send(res, 200, out);
    } catch (e) {
      if (e instanceof BadRequest) {
        send(res, 400, { error: e.message });
      } else {
        log(`control ${url.pathname}: ${e.stack}`);
        send(res, 500, { error: String(e.message) });
      }
    }
  };
}

module.exports = { createControlHandler };
