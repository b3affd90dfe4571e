// SPDX-License-Identifier: GPL-3.0-or-later
//
// The fake ClearML API server: envelope, versions, auth, queues/workers/tasks endpoints, faults.
'use strict';

const crypto = require('node:crypto');
const { clearmlTime, clearmlNaiveTime, redisGlobToRegExp, readBody, rfc1123, isPlainObject } = require('./util');
const { PATH_RE } = require('./agent');

class ApiError extends Error {
  constructor (code, subcode, msg, errorData) {
    super(msg);
    this.code = code;
    this.subcode = subcode;
    this.errorData = errorData || {};
  }
}

const apiErr = (code, subcode, msg, data) => new ApiError(code, subcode, msg, data);

function parseVersion (s) {
  const m = /^(\d+)\.?(\d+)?$/.exec(String(s));
  if (!m) return null;
  return [Number(m[1]), Number(m[2] || 0)];
}

function cmpVersion (a, b) {
  return a[0] - b[0] || a[1] - b[1];
}

function versionString (v) {
  return `${v[0]}.${v[1]}`;
}

function b64url (buf) {
  return Buffer.from(buf).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

const COMPANY = { id: 'c0fakecompany00000000000000000001', name: 'fake-company' };
const PROJECT = { id: 'p0fakeproject000000000000000001', name: 'fake project' };

function requireField (body, name) {
  if (body[name] === undefined || body[name] === null) {
    throw apiErr(400, 11, `Missing required fields: missing=(${name})`, { missing: [name] });
  }
}

function pythonRegex (pattern, field) {
  if (typeof pattern !== 'string') {
    throw apiErr(400, 12, `Validation error (${field}: expected a string)`);
  }
  try {
    // Python and JS agree on the subset clients use (^, $, escapes, classes, groups).
    return new RegExp(pattern.replace(/\(\?P</g, '(?<'));
  } catch (e) {
    throw apiErr(400, 21, `Malformed regular expression (${field}: ${e.message})`);
  }
}

function listField (body, name) {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw apiErr(400, 12, `Validation error (${name}: expected a list of strings)`);
  }
  return v;
}

// Projection by dotted paths (Mongo-style only_fields); id is always kept.
function project (obj, fields) {
  if (!fields) return obj;
  const out = {};
  for (const path of ['id', ...fields]) {
    const parts = path.split('.');
    let src = obj;
    for (const p of parts) {
      src = src !== null && typeof src === 'object' ? src[p] : undefined;
    }
    if (src === undefined) continue;
    let dst = out;
    for (let i = 0; i < parts.length - 1; i++) {
      if (!isPlainObject(dst[parts[i]])) dst[parts[i]] = {};
      dst = dst[parts[i]];
    }
    dst[parts[parts.length - 1]] = src;
  }
  return out;
}

function paginate (list, body) {
  const page = body.page === undefined ? 0 : body.page;
  let size = body.page_size === undefined ? 500 : body.page_size;
  if (!Number.isInteger(page) || page < 0) throw apiErr(400, 12, 'Validation error (page: expected an integer >= 0)');
  if (!Number.isInteger(size) || size < 1) throw apiErr(400, 12, 'Validation error (page_size: expected an integer >= 1)');
  size = Math.min(size, 500);
  return list.slice(page * size, page * size + size);
}

function createClearmlHandler (world, log) {
  const queueObj = (q) => ({
    id: q.id,
    name: q.name,
    user: q.user || world.clearmlUsers()[0].id,
    company: COMPANY.id,
    created: clearmlTime(q.created),
    tags: q.tags,
    system_tags: q.system_tags,
    entries: q.entries.map((e) => ({ task: e.task, added: clearmlTime(e.added) })),
    last_update: clearmlTime(q.last_update),
    metadata: {},
  });

  const taskObj = (t) => {
    const o = {
      id: t.id,
      name: t.name,
      status: t.status,
      status_reason: t.status_reason,
      status_changed: clearmlTime(t.last_update),
      type: t.type,
      user: world.clearmlUsers()[0].id,
      company: COMPANY.id,
      project: t.project,
      created: clearmlTime(t.created),
      last_update: clearmlTime(t.last_update),
      last_iteration: t.last_iteration,
      execution: { queue: t.queue_id },
      container: { image: t.container_image, arguments: '' },
      system_tags: [],
      tags: [],
    };
    if (t.started) o.started = clearmlTime(t.started);
    if (t.completed) o.completed = clearmlTime(t.completed);
    if (t.last_worker) o.last_worker = t.last_worker;
    return o;
  };

  const workerQueueObj = (qid) => {
    const q = world.queues.get(qid);
    if (!q) return { id: qid, name: null, num_tasks: 0 };
    const o = { id: q.id, name: q.name, num_tasks: q.entries.length };
    if (q.entries.length > 0) {
      const t = world.tasks.get(q.entries[0].task);
      o.next_task = { id: q.entries[0].task, name: t ? t.name : '' };
    }
    return o;
  };

  const workerKey = (w) => `worker_${COMPANY.id}_${w.user_id}_${w.id}`;

  const workerObj = (w) => {
    const user = world.clearmlUserById(w.user_id);
    const o = {
      id: w.id,
      key: workerKey(w),
      user: { id: user.id, name: user.name },
      company: COMPANY,
      ip: '10.0.0.1',
      register_time: clearmlNaiveTime(w.register_time),
      register_timeout: 600,
      last_activity_time: clearmlNaiveTime(w.last_activity_time),
      queues: w.queue_ids.map(workerQueueObj),
      tags: [],
      system_tags: [],
    };
    if (w.last_report_time) o.last_report_time = clearmlNaiveTime(w.last_report_time);
    if (w.task_id) {
      const t = world.tasks.get(w.task_id);
      o.task = {
        id: w.task_id,
        name: t ? t.name : '',
        running_time: Math.max(0, world.realNow() - (w.task_started || world.realNow())),
        last_iteration: 0,
      };
      o.project = PROJECT;
      if (w.task_queue_id) o.queue = workerQueueObj(w.task_queue_id);
    }
    return o;
  };

  const getQueue = (body) => {
    requireField(body, 'queue');
    const q = world.queues.get(body.queue);
    if (!q) throw apiErr(400, 701, `Invalid queue id: id=${body.queue}`, { id: body.queue });
    return q;
  };

  // worker_pattern is a Redis SCAN MATCH on worker_<company>_*_<pattern>, whatever the requested
  // version (clearml-server apiserver/bll/workers/__init__.py:436-446; one endpoint from 2.4 whose
  // request model has worker_pattern, apiserver/apimodels/workers.py:100-104): the user '*'
  // can absorb part of an id that contains '_'.
  const filterWorkers = (body) => {
    const lastSeen = body.last_seen === undefined ? 3600 : body.last_seen;
    if (typeof lastSeen !== 'number' || lastSeen < 0) throw apiErr(400, 12, 'Validation error (last_seen: expected a number of seconds >= 0)');
    let pattern = null;
    if (body.worker_pattern !== undefined && body.worker_pattern !== null && body.worker_pattern !== '') {
      if (typeof body.worker_pattern !== 'string') throw apiErr(400, 12, 'Validation error (worker_pattern: expected a string)');
      pattern = redisGlobToRegExp(`worker_${COMPANY.id}_*_${body.worker_pattern}`);
    }
    const since = world.now() - lastSeen * 1000;
    return [...world.workers.values()].filter((w) => (lastSeen === 0 || w.last_activity_time >= since) && (!pattern || pattern.test(workerKey(w))));
  };

  // name -> [{ min: 'x.y', auth, key (payload key for missing_fields), fn(body, ctx) }]
  const ENDPOINTS = {
    'debug.ping': [{ min: '1.0', auth: false, key: 'msg', fn: () => ({ msg: 'ClearML server' }) }],
    // authorize = false (clearml-server apiserver/schema/services/server.conf:44-46); uid from
    // 2.8, then api_version instead from 2.12 (apiserver/services/server/__init__.py:59-77).
    'server.info': [{
      min: '2.1',
      auth: false,
      key: 'version',
      fn: (body, ctx) => {
        const out = { version: '2.0.0', build: 'fake', commit: 'fake' };
        if (cmpVersion(parseVersion(ctx.requested), [2, 12]) >= 0) out.api_version = world.config.clearml_api_version;
        else if (cmpVersion(parseVersion(ctx.requested), [2, 8]) >= 0) out.uid = 'fake-server';
        return out;
      },
    }],
    'users.get_current_user': [{
      min: '2.1',
      auth: true,
      key: 'user',
      fn: (body, ctx) => {
        const u = world.clearmlUserById(ctx.auth.user_id);
        return { user: { id: u.id, name: u.name, given_name: u.name, family_name: '', role: 'user', company: COMPANY } };
      },
    }],
    'auth.login': [{
      min: '1.0',
      auth: true,
      key: 'token',
      fn: (body, ctx) => {
        let ttl = world.config.token_ttl_s;
        if (body.expiration_sec !== undefined) {
          if (typeof body.expiration_sec !== 'number' || body.expiration_sec <= 0) throw apiErr(400, 12, 'Validation error (expiration_sec: expected a positive number)');
          ttl = Math.min(ttl, body.expiration_sec);
        }
        const now = world.now();
        const payload = {
          identity: { user: ctx.auth.user_id, company: COMPANY.id, role: 'user', user_name: world.clearmlUserById(ctx.auth.user_id).name, company_name: COMPANY.name },
          iat: Math.floor(now / 1000),
          exp: Math.floor(now / 1000 + ttl),
          api_version: world.config.clearml_api_version,
          server_version: '2.0.0',
          server_build: 'fake',
          feature_set: 'basic',
          jti: crypto.randomBytes(8).toString('hex'),
        };
        const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
        const pay = b64url(JSON.stringify(payload));
        const sig = b64url(crypto.createHmac('sha256', 'fake-secret').update(head + '.' + pay).digest());
        const token = `${head}.${pay}.${sig}`;
        world.tokens.set(token, { exp_ms: now + ttl * 1000, user_id: ctx.auth.user_id });
        return { token };
      },
    }],
    'queues.get_all': [{
      min: '2.4',
      auth: true,
      key: 'queues',
      fn: (body) => {
        let list = [...world.queues.values()];
        if (body.name !== undefined && body.name !== null) {
          const re = pythonRegex(body.name, 'name');
          list = list.filter((q) => re.test(q.name));
        }
        const ids = listField(body, 'id');
        if (ids) list = list.filter((q) => ids.includes(q.id));
        if (typeof body.search_text === 'string' && body.search_text) {
          list = list.filter((q) => q.name.includes(body.search_text));
        }
        const fields = listField(body, 'only_fields');
        return { queues: paginate(list, body).map((q) => project(queueObj(q), fields)) };
      },
    }],
    'queues.get_by_id': [{ min: '2.4', auth: true, key: 'queue', fn: (body) => ({ queue: queueObj(getQueue(body)) }) }],
    'queues.get_num_entries': [{ min: '2.15', auth: true, key: 'num', fn: (body) => ({ num: getQueue(body).entries.length }) }],
    'queues.peek_task': [{
      min: '2.15',
      auth: true,
      key: 'task',
      fn: (body) => {
        const q = getQueue(body);
        return q.entries.length > 0 ? { task: q.entries[0].task } : {};
      },
    }],
    'queues.create': [{
      min: '2.4',
      auth: true,
      key: 'id',
      fn: (body) => {
        requireField(body, 'name');
        if (typeof body.name !== 'string' || body.name.length < 3) {
          throw apiErr(400, 12, 'Validation error (name: expected a string of at least 3 characters)');
        }
        if (world.queueByName(body.name)) {
          throw apiErr(400, 801, `Value combination already exists (unique property): name=${body.name}`);
        }
        return { id: world.createQueue(body.name).id };
      },
    }],
    'queues.get_next_task': [{
      min: '2.4',
      auth: true,
      key: 'entry',
      fn: (body) => {
        world.getNextTaskCalls++;
        const q = getQueue(body);
        const head = q.entries[0];
        const t = world.popTask(q, null);
        if (!t) return {};
        return { entry: { task: t.id, added: clearmlTime(head.added) } };
      },
    }],
    'workers.get_all': [
      { min: '2.4', auth: true, key: 'workers', fn: (body) => ({ workers: filterWorkers(body).map(workerObj) }) },
    ],
    'workers.get_count': [{ min: '2.26', auth: true, key: 'count', fn: (body) => ({ count: filterWorkers({ last_seen: 0, ...body }).length }) }],
    // Deletes the CALLER's key only; with auto_unregister (the default) a worker that was not
    // removed is still 200 (clearml-server apiserver/bll/workers/__init__.py:111-123).
    'workers.unregister': [{
      min: '2.4',
      auth: true,
      key: null,
      fn: (body, ctx) => {
        requireField(body, 'worker');
        world.workers.delete(world.workerKey(ctx.auth.user_id, body.worker));
        return {};
      },
    }],
    'tasks.get_all': [{
      min: '2.1',
      auth: true,
      key: 'tasks',
      fn: (body) => {
        let list = [...world.tasks.values()];
        const ids = listField(body, 'id');
        if (ids) list = list.filter((t) => ids.includes(t.id));
        const statuses = listField(body, 'status');
        if (statuses) list = list.filter((t) => statuses.includes(t.status));
        if (body.name !== undefined && body.name !== null) {
          const re = pythonRegex(body.name, 'name');
          list = list.filter((t) => re.test(t.name));
        }
        const fields = listField(body, 'only_fields');
        return { tasks: paginate(list, body).map((t) => project(taskObj(t), fields)) };
      },
    }],
    'tasks.get_by_id': [{
      min: '2.1',
      auth: true,
      key: 'task',
      fn: (body) => {
        requireField(body, 'task');
        const t = world.tasks.get(body.task);
        if (!t) throw apiErr(400, 101, `Invalid task id: id=${body.task}`, { id: body.task });
        return { task: taskObj(t) };
      },
    }],
  };

  const send = (res, status, obj, contentType = 'application/json') => {
    if (res.destroyed || res.writableEnded) return;
    const buf = Buffer.isBuffer(obj) ? obj : Buffer.from(typeof obj === 'string' ? obj : JSON.stringify(obj));
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': buf.length, Date: rfc1123(world.now()), Server: 'clearml' });
    res.end(buf);
  };

  const envelope = (ctx, code, subcode, msg, data, extra = {}) => ({
    meta: {
      id: ctx.id,
      trx: ctx.trx,
      endpoint: { name: ctx.name, requested_version: ctx.requested, actual_version: ctx.actual },
      result_code: code,
      result_subcode: subcode,
      result_msg: msg,
      error_stack: extra.stack || null,
      error_data: extra.errorData || {},
    },
    data,
  });

  const authenticate = (req) => {
    const h = req.headers.authorization;
    if (!h) throw apiErr(401, 20, 'Unauthorized (missing credentials)');
    const sp = h.indexOf(' ');
    const type = sp < 0 ? h : h.slice(0, sp);
    const data = sp < 0 ? '' : h.slice(sp + 1).trim();
    if (type === 'Basic') {
      // Non-strict base64, latin-1, partition(":") (clearml-server
      // apiserver/service_repo/auth/auth.py:72-78): no ':' is an empty secret, so 401/22.
      const decoded = Buffer.from(data, 'base64').toString('latin1');
      const colon = decoded.indexOf(':');
      const key = colon < 0 ? decoded : decoded.slice(0, colon);
      const secret = colon < 0 ? '' : decoded.slice(colon + 1);
      const user = world.clearmlUserFor(key, secret);
      if (!user) {
        throw apiErr(401, 22, 'Unauthorized (invalid credentials) (failed to locate provided credentials)');
      }
      return { type: 'basic', user_id: user.id };
    }
    if (type === 'Bearer') {
      const t = world.tokens.get(data);
      if (!t) throw apiErr(401, 30, 'Invalid token (invalid jwt token): reason=Signature verification failed');
      if (t.exp_ms <= world.now()) throw apiErr(401, 30, 'Invalid token (invalid jwt token): reason=Signature has expired');
      return { type: 'bearer', token: data, user_id: t.user_id };
    }
    throw apiErr(401, 10, 'Unauthorized (bad authentication header type)');
  };

  const HTML_LOGIN = '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action="/login" method="post"><input name="user"><input name="password" type="password"></form></body></html>\n';
  const HTML_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n';

  // Answers with a fault. real: { status, obj } when the endpoint already ran.
  const deliver = (req, res, ctx, fault, ep, real) => {
    switch (fault.kind) {
      case 'hang':
        world.hungSockets.add(req.socket);
        req.socket.once('close', () => world.hungSockets.delete(req.socket));
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'truncated': {
        const full = Buffer.from(JSON.stringify(real ? real.obj : envelope(ctx, 200, 0, 'OK', { queues: [{ id: 'x', name: 'y' }] })));
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': full.length, Date: rfc1123(world.now()) });
        res.write(full.subarray(0, Math.max(1, Math.floor(full.length / 2))), () => setTimeout(() => req.socket.destroy(), 20));
        return;
      }
      case 'malformed':
        send(res, 200, `{"meta": {"id": "${ctx.id}", "result_code": 200, "result_msg": "OK"}, "data": {"queues": [{"id": `);
        return;
      case 'html':
        send(res, 200, HTML_LOGIN, 'text/html; charset=utf-8');
        return;
      case 'proxy502':
        send(res, 502, HTML_502, 'text/html');
        return;
      case 'empty':
        send(res, 200, '');
        return;
      case 'huge': {
        const obj = real.obj;
        obj.data = { ...obj.data, fake_padding: 'x'.repeat(fault.size_bytes || 8 * 1024 * 1024) };
        send(res, real.status, obj);
        return;
      }
      case 'missing_fields': {
        const data = {};
        send(res, 200, envelope(ctx, 200, 0, 'OK', data));
        return;
      }
      case 'throttle':
        send(res, 429, envelope(ctx, 429, 0, 'Too many requests', {}));
        return;
      case 'server':
        send(res, 500, envelope(ctx, 500, 0, 'General server error', {}, { stack: 'Traceback (most recent call last):\n  File "fake.py", line 1, in <module>\nRuntimeError: injected fault' }));
        return;
      case 'unavailable':
        send(res, 503, envelope(ctx, 503, 0, 'Service temporarily unavailable (maintenance)', {}));
        return;
      case 'auth':
        send(res, 401, envelope(ctx, 401, 22, 'Unauthorized (invalid credentials) (failed to locate provided credentials)', {}));
        return;
      case 'token_expired':
        send(res, 401, envelope(ctx, 401, 30, 'Invalid token (invalid jwt token): reason=Signature has expired', {}));
        return;
      case 'error':
        send(res, fault.status || 400, envelope(ctx, fault.status || 400, fault.subcode || 0, fault.message || 'Injected error', {}));
        return;
      default:
        send(res, 500, envelope(ctx, 500, 0, `unknown fault kind ${fault.kind}`, {}));
    }
  };

  return async function handleClearml (req, res, url) {
    const id = crypto.randomBytes(16).toString('hex');
    const trx = req.headers['x-clearml-trx'] || req.headers['x-trains-trx'] || id;
    const ctx = { id, trx, name: null, requested: null, actual: null };
    let raw;
    try {
      raw = await readBody(req, 16 * 1024 * 1024);
    } catch (e) {
      send(res, 413, envelope(ctx, 413, 0, 'Request entity too large', {}));
      return;
    }
    world.tick();
    const logged = { endpoint: null, version: null, status: null, subcode: null, body: null, time: clearmlTime(world.now()) };
    const finish = (status, subcode) => {
      logged.status = status;
      logged.subcode = subcode;
      log(`clearml ${ctx.name || url.pathname} -> ${status}${subcode ? '/' + subcode : ''}`);
    };
    const pushLog = () => {
      world.clearmlLog.push(logged);
      if (world.clearmlLog.length > 500) world.clearmlLog.splice(0, world.clearmlLog.length - 500);
    };
    pushLog();

    const m = PATH_RE.exec(url.pathname);
    if (!m) {
      world.countRequest('clearml', '(bad path)');
      finish(400, 0);
      send(res, 400, envelope(ctx, 400, 0, `Invalid request path ${url.pathname}`, {}));
      return;
    }
    const name = m[3];
    ctx.name = name;
    logged.endpoint = name;
    world.countRequest('clearml', name);
    const serverMax = parseVersion(world.config.clearml_api_version);
    let requested = serverMax;
    if (m[2]) {
      requested = parseVersion(m[2]);
      if (!requested) {
        finish(400, 2);
        send(res, 400, envelope(ctx, 400, 2, `Request path has invalid version: version=${m[2]}`, {}));
        return;
      }
    }
    ctx.requested = versionString(requested);
    logged.version = ctx.requested;

    // before_request answers these two in plain text, not in an envelope (clearml-server
    // apiserver/server_init/request_handlers.py:52-56, :124-126).
    if (req.headers['content-encoding']) {
      finish(415, 0);
      send(res, 415, `Content encoding is not supported (${req.headers['content-encoding']})`, 'text/html; charset=utf-8');
      return;
    }
    try {
      // Resolve the endpoint: the newest implementation with min <= requested, that the server has.
      const impls = (ENDPOINTS[name] || []).filter((e) => cmpVersion(parseVersion(e.min), serverMax) <= 0);
      const ep = impls.find((e) => cmpVersion(parseVersion(e.min), requested) <= 0);
      if (!ep) {
        throw apiErr(404, 0, `Unable to find endpoint for name ${name} and version ${ctx.requested}`);
      }
      ctx.actual = ep.min;

      let body = {};
      const text = raw.toString('utf8').trim();
      if (text) {
        try {
          body = JSON.parse(text);
        } catch (e) {
          throw apiErr(400, 12, `Validation error (invalid JSON body: ${e.message})`);
        }
        if (!isPlainObject(body)) throw apiErr(400, 12, 'Validation error (the body must be a JSON object)');
      }
      for (const [k, v] of url.searchParams) {
        body[k] = /^-?\d+$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
      }
      logged.body = body;

      let auth = null;
      if (ep.auth) auth = authenticate(req);
      ctx.auth = auth;

      let fault = world.takeFault('clearml', name, null);
      if (fault) {
        log(`clearml ${name}: fault ${fault.kind}${fault.after ? ' (after)' : ''}`);
        if (fault.kind === 'token_expired') {
          const now = world.now();
          for (const t of world.tokens.values()) t.exp_ms = Math.min(t.exp_ms, now - 1000);
          if (!auth || auth.type !== 'bearer') fault = null;
        }
        if (fault && fault.kind === 'hang' && fault.delay_ms) {
          await new Promise((resolve) => setTimeout(resolve, fault.delay_ms));
          world.tick();
          fault = null;
        }
        if (fault && !fault.after && fault.kind !== 'huge') {
          finish(0, 'fault:' + fault.kind);
          deliver(req, res, ctx, fault, ep, null);
          return;
        }
      }

      let real;
      try {
        real = { status: 200, obj: envelope(ctx, 200, 0, 'OK', ep.fn(body, ctx)) };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        real = { status: e.code, obj: envelope(ctx, e.code, e.subcode, e.message, {}, { errorData: e.errorData }) };
      }
      if (fault) {
        finish(real.status, 'fault:' + fault.kind);
        deliver(req, res, ctx, fault, ep, real);
        return;
      }
      finish(real.status, real.obj.meta.result_subcode);
      send(res, real.status, real.obj);
    } catch (e) {
      if (e instanceof ApiError) {
        finish(e.code, e.subcode);
        send(res, e.code, envelope(ctx, e.code, e.subcode, e.message, {}, { errorData: e.errorData }));
      } else {
        log(`clearml ${name}: internal error ${e.stack}`);
        finish(500, 0);
        send(res, 500, `Failed processing request ${url.pathname}`, 'text/html; charset=utf-8');
      }
    }
  };
}

module.exports = { createClearmlHandler };
