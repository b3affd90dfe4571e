// SPDX-License-Identifier: GPL-3.0-or-later
//
// Small helpers shared by the fake EC2 and ClearML servers.
'use strict';

const crypto = require('node:crypto');

// A SHA-256 class with the interface @smithy/signature-v4 expects, over node:crypto.
class Sha256 {
  constructor (secret) {
    this.h = secret ? crypto.createHmac('sha256', Buffer.from(secret)) : crypto.createHash('sha256');
  }

  update (data) {
    this.h.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
  }

  async digest () {
    return new Uint8Array(this.h.digest());
  }

  digestSync () {
    return new Uint8Array(this.h.digest());
  }
}

function sha256Hex (data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

const XML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function xmlEscape (value) {
  const s = String(value);
  // Fast path: most values need no escaping.
  if (!/[&<>"']/.test(s)) {
    return s;
  }
  return s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

// <tag>escaped</tag>, or '' for null/undefined.
function el (tag, value) {
  if (value === null || value === undefined) {
    return '';
  }
  return `<${tag}>${xmlEscape(value)}</${tag}>`;
}

// ISO 8601 with milliseconds, as EC2 prints it: 2025-06-01T12:00:00.000Z
function isoMs (ms) {
  return new Date(ms).toISOString();
}

// ClearML style: 2025-01-03T08:41:03.010000+00:00
function clearmlTime (ms) {
  const iso = new Date(ms).toISOString(); // 2025-01-03T08:41:03.010Z
  return iso.slice(0, 19) + '.' + iso.slice(20, 23) + '000+00:00';
}

// Worker times: naive datetime.isoformat() of utcnow(), no offset, the fraction left out when
// it is 0 (clearml-server apiserver/apimodels/workers.py:75-78, bll/workers/__init__.py:92).
function clearmlNaiveTime (ms) {
  const iso = new Date(ms).toISOString(); // 2025-01-03T08:41:03.010Z
  const frac = iso.slice(20, 23);
  return iso.slice(0, 19) + (frac === '000' ? '' : '.' + frac + '000');
}

// Redis SCAN MATCH glob: * ? [set] [^set] [a-z] and \ escapes (ClearML worker_pattern).
function redisGlobToRegExp (glob) {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      re += '[\\s\\S]*';
    } else if (c === '?') {
      re += '[\\s\\S]';
    } else if (c === '\\' && i + 1 < glob.length) {
      re += glob[++i].replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, close);
      const neg = set.startsWith('^');
      if (neg) set = set.slice(1);
      re += '[' + (neg ? '^' : '') + set.replace(/[\\\]]/g, '\\$&') + ']';
      i = close;
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');
    }
  }
  return new RegExp(re + '$');
}

// Glob with * and ? (EC2 filter values, ClearML worker_pattern).
function globToRegExp (glob) {
  let re = '^';
  for (const c of glob) {
    if (c === '*') {
      re += '[\\s\\S]*';
    } else if (c === '?') {
      re += '[\\s\\S]';
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');
    }
  }
  return new RegExp(re + '$');
}

function hasWildcard (s) {
  return s.includes('*') || s.includes('?');
}

// A matcher for a list of EC2 filter values (OR-ed, with wildcards).
function valueMatcher (values) {
  const exact = new Set();
  const globs = [];
  for (const v of values) {
    if (hasWildcard(v)) {
      globs.push(globToRegExp(v));
    } else {
      exact.add(v);
    }
  }
  return (candidate) => {
    if (candidate === null || candidate === undefined) {
      return false;
    }
    const s = String(candidate);
    if (exact.has(s)) {
      return true;
    }
    for (const g of globs) {
      if (g.test(s)) {
        return true;
      }
    }
    return false;
  };
}

function uuid () {
  return crypto.randomUUID();
}

function hex (n) {
  return crypto.randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
}

function deepClone (v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

function isPlainObject (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Deep merge: objects merge, everything else (arrays included) replaces.
function deepMerge (target, src) {
  for (const [k, v] of Object.entries(src)) {
    if (isPlainObject(v) && isPlainObject(target[k])) {
      deepMerge(target[k], v);
    } else {
      target[k] = deepClone(v);
    }
  }
  return target;
}

function rfc1123 (ms) {
  return new Date(ms).toUTCString();
}

// Reads a whole request body (bounded).
function readBody (req, limit = 64 * 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

module.exports = {
  Sha256,
  sha256Hex,
  xmlEscape,
  el,
  isoMs,
  clearmlTime,
  clearmlNaiveTime,
  redisGlobToRegExp,
  globToRegExp,
  valueMatcher,
  uuid,
  hex,
  deepClone,
  deepMerge,
  isPlainObject,
  rfc1123,
  readBody,
};
